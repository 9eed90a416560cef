"""API shapes of a track's translations: each language's status, and one language's document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from opsportal.schemas import ApiModel, InputModel
from opsportal.training.schemas import MAX_OPTIONS, MAX_QUESTIONS, ItemId
from opsportal.training.translations.status import MAX_LENGTHS, Status

# Each translated text takes what its source field takes; blank means "not translated".
TrName = Annotated[str, StringConstraints(max_length=MAX_LENGTHS["name"])]
TrDescription = Annotated[str, StringConstraints(max_length=MAX_LENGTHS["description"])]
TrContent = Annotated[str, StringConstraints(max_length=MAX_LENGTHS["content"])]
TrItemText = Annotated[str, StringConstraints(max_length=MAX_LENGTHS["question"])]
TrExplanation = Annotated[str, StringConstraints(max_length=MAX_LENGTHS["explanation"])]
FieldKey = Annotated[str, StringConstraints(min_length=1, max_length=500)]
MAX_COURSES = 500


class LanguageStatusRead(ApiModel):
    locale: str
    status: Status = Field(
        description="complete: every field translated from the source as it is now; "
        "outdated: some source text changed since it was translated; missing: some field "
        "has no translation"
    )
    total_fields: int = Field(description="Fields learners see (hidden courses' are not counted)")
    complete_fields: int
    missing_fields: int
    outdated_fields: int
    updated_at: datetime | None = Field(description="Last saved; null if never")


class TrackTranslationsRead(ApiModel):
    track_id: int
    default_locale: str
    languages: list[LanguageStatusRead]


class OptionTranslation(InputModel):
    id: ItemId
    text: TrItemText | None = None


class QuestionTranslation(InputModel):
    id: ItemId
    question: TrItemText | None = None
    explanation: TrExplanation | None = None
    options: Annotated[list[OptionTranslation], Field(max_length=MAX_OPTIONS)] = []


class QuizTranslation(InputModel):
    title: TrName | None = Field(
        default=None, description="Only for a quiz titled otherwise than its course"
    )
    questions: Annotated[list[QuestionTranslation], Field(max_length=MAX_QUESTIONS)] = []


class CourseTranslation(InputModel):
    course_id: int
    title: TrName | None = None
    description: TrDescription | None = None
    content: TrContent | None = None
    quiz: QuizTranslation | None = None


class TranslationPut(InputModel):
    """One language's texts, shaped like the track; a null or blank text is not translated."""

    name: TrName | None = None
    description: TrDescription | None = None
    courses: Annotated[list[CourseTranslation], Field(max_length=MAX_COURSES)] = []
    up_to_date: Annotated[list[FieldKey], Field(max_length=10_000)] = Field(
        default=[],
        description="Keys of fields whose translation, unchanged, still fits a source text "
        "that has changed: they stop being outdated. (An unchanged text otherwise keeps the "
        "status it had; a changed one translates the source as it is now.)",
    )


class OptionTranslationRead(ApiModel):
    id: str
    text: str | None


class QuestionTranslationRead(ApiModel):
    id: str
    question: str | None
    explanation: str | None
    options: list[OptionTranslationRead]


class QuizTranslationRead(ApiModel):
    title: str | None
    questions: list[QuestionTranslationRead]


class CourseTranslationRead(ApiModel):
    course_id: int
    title: str | None
    description: str | None
    content: str | None
    quiz: QuizTranslationRead | None


class FieldStatusRead(ApiModel):
    key: str = Field(
        description="The field's stable key, e.g. courses/12/quiz/questions/q1/options/a"
    )
    status: Status
    counted: bool = Field(
        description="False for a hidden course's field: not needed to be complete"
    )


class TranslationRead(ApiModel):
    track_id: int
    locale: str
    default_locale: str
    status: Status
    updated_at: datetime | None
    name: str | None
    description: str | None
    courses: list[CourseTranslationRead]
    fields: list[FieldStatusRead] = Field(description="Every field there is to translate")
