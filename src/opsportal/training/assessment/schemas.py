"""Schemas for the admins' view of a quiz's quality: item statistics and regrades."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, model_validator

from opsportal.schemas import MAX_ID, ApiModel, InputModel
from opsportal.training.assessment.policy import (
    MAX_EXTRA_MINUTES,
    MAX_MULTIPLIER,
    MIN_MULTIPLIER,
)
from opsportal.training.assessment.statistics import MIN_ATTEMPTS_TO_JUDGE, Flag


class QuestionStatistics(ApiModel):
    question_id: str
    question: str
    in_quiz: bool = Field(description="False for a question since removed from the quiz")
    attempts: int = Field(description="Graded attempts that showed this question")
    correct_rate: float | None = Field(description="Share of those attempts that got it right")
    discrimination: float | None = Field(
        description="Share correct in the upper 27 % of attempts by score minus the lower 27 %"
    )
    option_counts: dict[str, int] = Field(description="How often each option id was chosen")
    options: dict[str, str] = Field(description="Option id → text, as the quiz has them now")
    correct_option_ids: list[str] = Field(
        description="The correct options as the quiz has them now (removed ones: as last shown)"
    )
    flags: list[Flag]
    too_few_attempts: bool = Field(
        description=f"Fewer than {MIN_ATTEMPTS_TO_JUDGE} attempts: too few to judge the question "
        "by its share correct and discrimination yet"
    )


class LanguageAttempts(ApiModel):
    locale: str
    graded_attempts: int


class QuizStatistics(ApiModel):
    quiz_id: int
    course_id: int
    title: str
    graded_attempts: int
    locale: str | None = Field(
        default=None, description="The language the attempts were served in; null: all, pooled"
    )
    languages: list[LanguageAttempts] = Field(
        default=[], description="Graded attempts per language served, for reading one language"
    )
    min_attempts_to_judge: int = Field(
        description="Attempts of a question needed before its figures can be judged"
    )
    questions: list[QuestionStatistics]


class RegradeBody(InputModel):
    dry_run: bool = Field(default=True, description="List what would change, change nothing")


class RegradeChange(ApiModel):
    attempt_id: int
    user_id: int
    user_name: str
    user_email: str
    submitted_at: datetime
    from_score: int
    to_score: int
    from_passed: bool
    to_passed: bool
    pass_changed: bool


class RegradeHistoryEntry(ApiModel):
    attempt_id: int
    user_name: str
    at: datetime
    by_user_id: int | None
    from_score: int
    to_score: int
    from_passed: bool
    to_passed: bool


class RegradeReport(ApiModel):
    quiz_id: int
    course_id: int
    title: str
    dry_run: bool
    attempts_checked: int
    changes: list[RegradeChange] = Field(description="Attempts whose score or pass would change")
    pass_changes: int = Field(description="How many of them change between passed and failed")
    history: list[RegradeHistoryEntry] = Field(description="Earlier regrades, newest first")


# --- draft answers -----------------------------------------------------------------


class DraftAnswer(ApiModel):
    question_id: str
    selected_option_ids: list[str]


class DraftRead(ApiModel):
    """The answers saved so far on an open attempt: a draft that grading never reads."""

    attempt_id: int
    answers: list[DraftAnswer]
    saved_at: datetime | None = Field(description="When the draft was last saved; null if never")


# --- extra time ---------------------------------------------------------------------


class ExtraTimeBody(InputModel):
    """Exactly one of `multiplier` and `extraMinutes`; no `trackId` means every timed quiz."""

    track_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="One track's timed quizzes; null or absent for every one"
    )
    multiplier: (
        Annotated[
            Decimal, Field(ge=MIN_MULTIPLIER, le=MAX_MULTIPLIER, max_digits=4, decimal_places=2)
        ]
        | None
    ) = Field(default=None, description="The time limit times this (1.1 to 10)")
    extra_minutes: Annotated[int, Field(ge=1, le=MAX_EXTRA_MINUTES)] | None = Field(
        default=None, description="Minutes added to the time limit (1 to 1440)"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.multiplier is None) == (self.extra_minutes is None):
            raise ValueError("give exactly one of multiplier and extraMinutes")
        return self


class ExtraTimeRead(ApiModel):
    id: int
    user_id: int
    track_id: int | None
    track_name: str | None
    multiplier: float | None
    extra_minutes: int | None
    granted_by_id: int | None
    granted_at: datetime
