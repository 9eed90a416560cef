"""A track's translations: which fields there are to translate, and how far each language is.

Pure: plain values in, plain values out, no database. A track's source texts (its
name, its courses' texts, its quizzes' questions, options and explanations) are
fields with stable keys; a translation stores, per key, its text and the SHA-256
of the source text it translates. A field is complete when that hash is the
source's hash now, outdated when the source has changed since, missing when it
has no translation. A language is complete when every field is.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


class Status(enum.StrEnum):
    COMPLETE = "complete"
    MISSING = "missing"
    OUTDATED = "outdated"


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- keys: one per translatable field, stable while the field exists ------------------


def _part(value: str | int) -> str:
    # Question and option ids are free text: quoted, a "/" in one cannot make two keys alike.
    return quote(str(value), safe="")


def course_key(course_id: int, field: str) -> str:
    return f"courses/{course_id}/{field}"


def quiz_title_key(course_id: int) -> str:
    return f"courses/{course_id}/quiz/title"


def question_key(course_id: int, question_id: str, field: str) -> str:
    return f"courses/{course_id}/quiz/questions/{_part(question_id)}/{field}"


def option_key(course_id: int, question_id: str, option_id: str) -> str:
    return f"courses/{course_id}/quiz/questions/{_part(question_id)}/options/{_part(option_id)}"


# --- the source ---------------------------------------------------------------------


@dataclass(frozen=True)
class SourceOption:
    id: str
    text: str


@dataclass(frozen=True)
class SourceQuestion:
    id: str
    question: str
    explanation: str | None
    options: tuple[SourceOption, ...]


@dataclass(frozen=True)
class SourceQuiz:
    title: str
    questions: tuple[SourceQuestion, ...]


@dataclass(frozen=True)
class SourceCourse:
    id: int
    title: str
    description: str
    content: str
    active: bool
    quiz: SourceQuiz | None


@dataclass(frozen=True)
class SourceTrack:
    name: str
    description: str
    courses: tuple[SourceCourse, ...]


@dataclass(frozen=True)
class SourceField:
    key: str
    text: str
    # A hidden course's fields may be translated, but learners never see them, so a
    # language does not wait for them to be complete.
    counted: bool = True

    @property
    def kind(self) -> str:
        """What the field is: name, description, title, content, question, explanation,
        option (a quiz's title is a title)."""
        parts = self.key.split("/")
        return "option" if parts[-2:-1] == ["options"] else parts[-1]


def quiz_fields(course_id: int, quiz: SourceQuiz, *, course_title: str) -> list[tuple[str, str]]:
    """(key, source text) of a quiz's fields. A quiz titled like its course has no title of
    its own to translate: it takes its course's translated title."""
    fields: list[tuple[str, str]] = []
    if quiz.title != course_title:
        fields.append((quiz_title_key(course_id), quiz.title))
    for q in quiz.questions:
        fields.append((question_key(course_id, q.id, "question"), q.question))
        fields.extend((option_key(course_id, q.id, o.id), o.text) for o in q.options)
        if q.explanation:
            fields.append((question_key(course_id, q.id, "explanation"), q.explanation))
    return fields


def source_fields(track: SourceTrack) -> list[SourceField]:
    """Every field there is to translate, in reading order; empty texts have nothing to."""
    fields = [SourceField("name", track.name)]
    if track.description:
        fields.append(SourceField("description", track.description))
    for course in track.courses:
        own = [("title", course.title), ("description", course.description)]
        own.append(("content", course.content))
        pairs = [(course_key(course.id, f), text) for f, text in own if text]
        if course.quiz is not None:
            pairs.extend(quiz_fields(course.id, course.quiz, course_title=course.title))
        fields.extend(SourceField(key, text, counted=course.active) for key, text in pairs)
    return fields


# --- status -------------------------------------------------------------------------


@dataclass(frozen=True)
class Translated:
    """One stored translated field: its text and the hash of the source text it translates."""

    text: str
    source_hash: str


def field_status(source_text: str, translated: Translated | None) -> Status:
    if translated is None:
        return Status.MISSING
    if translated.source_hash != source_hash(source_text):
        return Status.OUTDATED
    return Status.COMPLETE


@dataclass(frozen=True)
class Summary:
    status: Status
    total: int
    complete: int
    missing: int
    outdated: int


def summarise(sources: Iterable[tuple[SourceField, str]], stored: Mapping[str, str]) -> Summary:
    """A language's status from its stored source hashes by key, given each source field
    with its hash: complete when every counted field is; outdated when some field's source
    changed since it was translated; else missing."""
    counts = dict.fromkeys(Status, 0)
    for field, hashed in sources:
        if field.counted:
            stored_hash = stored.get(field.key)
            if stored_hash is None:
                counts[Status.MISSING] += 1
            elif stored_hash != hashed:
                counts[Status.OUTDATED] += 1
            else:
                counts[Status.COMPLETE] += 1
    if counts[Status.OUTDATED]:
        status = Status.OUTDATED
    elif counts[Status.MISSING]:
        status = Status.MISSING
    else:
        status = Status.COMPLETE
    return Summary(
        status=status,
        total=sum(counts.values()),
        complete=counts[Status.COMPLETE],
        missing=counts[Status.MISSING],
        outdated=counts[Status.OUTDATED],
    )


# --- serving ------------------------------------------------------------------------


def language_of(locale: str) -> str:
    """A locale's bare language: de_AT → de."""
    return locale.replace("-", "_").split("_")[0].lower()


def served_locale(requested: str | None, *, default: str, complete: Iterable[str]) -> str:
    """The language a learner asking for `requested` is served: the track's default, or a
    complete translation into that language (exactly, else the same language: de_AT → de)."""
    if requested is None or requested == default:
        return default
    ready = list(complete)
    if requested in ready:
        return requested
    if language_of(requested) == language_of(default):
        return default
    return next((r for r in ready if language_of(r) == language_of(requested)), default)


def translate(texts: Mapping[str, Translated], key: str, source: str) -> str:
    """The translation of `source` if one is stored for exactly this source text, else
    `source` itself: a text changed since it was translated is never shown translated."""
    translated = texts.get(key)
    if translated is None or translated.source_hash != source_hash(source):
        return source
    return translated.text


# The longest text each kind of field takes, as the track's own fields do (training/schemas.py).
MAX_LENGTHS = {
    "name": 200,
    "title": 200,
    "description": 5000,
    "content": 200_000,
    "question": 2000,
    "option": 2000,
    "explanation": 5000,
}


def text_error(field: SourceField, text: str) -> str | None:
    """Why `text` cannot be stored as `field`'s translation, if it cannot."""
    if "\x00" in text:
        return "must not contain NUL characters"
    limit = MAX_LENGTHS[field.kind]
    if len(text) > limit:
        return f"is longer than {limit} characters"
    return None


@dataclass(frozen=True)
class Served:
    """The language a learner is served a track in, and its texts (none for the default)."""

    locale: str
    requested: str
    default: str
    texts: Mapping[str, Translated]

    def text(self, key: str, source: str) -> str:
        return translate(self.texts, key, source) if self.texts else source


def translate_quiz_title(
    texts: Mapping[str, Translated], *, course_id: int, title: str, course_title: str
) -> str:
    """A quiz titled like its course is served its course's translated title."""
    if title == course_title:
        return translate(texts, course_key(course_id, "title"), course_title)
    return translate(texts, quiz_title_key(course_id), title)


def translate_questions(
    questions: Sequence[Mapping[str, Any]],
    texts: Mapping[str, Translated],
    *,
    course_id: int,
) -> list[dict[str, Any]]:
    """Questions (an attempt's snapshot, or a quiz's) with their texts translated, ids,
    order and answer key untouched: grading reads only ids, so the language changes nothing."""
    translated = []
    for q in questions:
        qid = str(q["id"])
        item = dict(q)
        item["question"] = translate(texts, question_key(course_id, qid, "question"), q["question"])
        if q.get("explanation"):
            key = question_key(course_id, qid, "explanation")
            item["explanation"] = translate(texts, key, q["explanation"])
        item["options"] = [
            {**o, "text": translate(texts, option_key(course_id, qid, str(o["id"])), o["text"])}
            for o in q["options"]
        ]
        translated.append(item)
    return translated
