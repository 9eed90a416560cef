"""A language's translation as one document, shaped like the track: in and out of field keys.

Pure: plain values in, plain values out. The document names courses by id and
questions and options by their ids, so it maps onto the field keys of
`status.source_fields`; anything it names that the track does not have is an
error at its path (`courses.0.quiz.questions.2.options.1.id`), all found at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opsportal.training.translations.status import (
    SourceTrack,
    Status,
    Translated,
    course_key,
    field_status,
    option_key,
    question_key,
    quiz_title_key,
    source_fields,
    source_hash,
)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def _given(value: object) -> str | None:
    """A text, or None for "not translated": null and blank both mean that."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value


class _Reader:
    def __init__(self, track: SourceTrack) -> None:
        self.track = track
        self.sources = {f.key: f.text for f in source_fields(track)}
        self.texts: dict[str, str] = {}
        self.errors: list[FieldError] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def put(self, key: str, value: object, path: str, what: str) -> None:
        text = _given(value)
        if text is None:
            return
        if key not in self.sources:
            self.error(path, f"{what} has no text to translate.")
            return
        self.texts[key] = text

    def course(self, index: int, item: Mapping[str, Any]) -> None:
        at = f"courses.{index}"
        course = next((c for c in self.track.courses if c.id == item.get("course_id")), None)
        if course is None:
            self.error(f"{at}.courseId", f"The track has no course {item.get('course_id')}.")
            return
        for field in ("title", "description", "content"):
            what = f"The {field} of course {course.id}"
            self.put(course_key(course.id, field), item.get(field), f"{at}.{field}", what)
        quiz = item.get("quiz")
        if quiz is None:
            return
        if course.quiz is None:
            self.error(f"{at}.quiz", f"Course {course.id} has no quiz.")
            return
        title_key = quiz_title_key(course.id)
        if _given(quiz.get("title")) is not None and title_key not in self.sources:
            self.error(
                f"{at}.quiz.title",
                f"The quiz of course {course.id} is titled like its course: "
                "translate the course's title.",
            )
        else:
            self.put(title_key, quiz.get("title"), f"{at}.quiz.title", "The quiz")
        questions = {q.id: q for q in course.quiz.questions}
        seen: set[str] = set()
        for q_index, q_item in enumerate(quiz.get("questions") or ()):
            q_at = f"{at}.quiz.questions.{q_index}"
            qid = q_item.get("id")
            question = questions.get(qid) if isinstance(qid, str) else None
            if question is None:
                self.error(f"{q_at}.id", f"The quiz of course {course.id} has no question {qid!r}.")
                continue
            if qid in seen:
                self.error(f"{q_at}.id", f"Question {qid!r} is translated twice.")
                continue
            seen.add(question.id)
            for field in ("question", "explanation"):
                key = question_key(course.id, question.id, field)
                what = f"The {field} of question {question.id!r}"
                self.put(key, q_item.get(field), f"{q_at}.{field}", what)
            options = {o.id for o in question.options}
            seen_options: set[str] = set()
            for o_index, o_item in enumerate(q_item.get("options") or ()):
                o_at = f"{q_at}.options.{o_index}"
                oid = o_item.get("id")
                if oid not in options:
                    self.error(f"{o_at}.id", f"Question {question.id!r} has no option {oid!r}.")
                    continue
                if oid in seen_options:
                    self.error(f"{o_at}.id", f"Option {oid!r} is translated twice.")
                    continue
                seen_options.add(oid)
                key = option_key(course.id, question.id, oid)
                self.put(key, o_item.get("text"), f"{o_at}.text", f"Option {oid!r}")


def document_texts(
    track: SourceTrack, document: Mapping[str, Any]
) -> tuple[dict[str, str], list[FieldError]]:
    """The texts a document gives, by field key, and every error in it (snake_case keys in,
    camelCase paths out, as the API names its fields)."""
    reader = _Reader(track)
    reader.put("name", document.get("name"), "name", "The name")
    reader.put("description", document.get("description"), "description", "The description")
    seen: set[object] = set()
    for index, item in enumerate(document.get("courses") or ()):
        if item.get("course_id") in seen:
            reader.error(f"courses.{index}.courseId", "This course is translated twice.")
            continue
        seen.add(item.get("course_id"))
        reader.course(index, item)
    return reader.texts, reader.errors


def merge(
    track: SourceTrack,
    texts: Mapping[str, str],
    stored: Mapping[str, Translated],
    *,
    up_to_date: Sequence[str] = (),
    path: str = "upToDate",
) -> tuple[dict[str, Translated], list[FieldError]]:
    """What to store for a language given its new texts: a changed text translates the
    source as it is now; an unchanged one keeps the source it was made from (so saving a
    whole document does not hide what is outdated), unless `up_to_date` confirms it still
    fits the source as it is now."""
    sources = {f.key: f.text for f in source_fields(track)}
    errors = [
        FieldError(f"{path}.{n}", f"{key!r} is not a field translated in this document.")
        for n, key in enumerate(up_to_date)
        if key not in texts
    ]
    confirmed = set(up_to_date)
    merged: dict[str, Translated] = {}
    for key, text in texts.items():
        old = stored.get(key)
        if old is not None and old.text == text and key not in confirmed:
            merged[key] = old
        else:
            merged[key] = Translated(text, source_hash(sources[key]))
    return merged, errors


def document_of(track: SourceTrack, stored: Mapping[str, Translated]) -> dict[str, Any]:
    """The stored translation shaped like the track, with every field's status; a text whose
    field the track no longer has is left out."""

    def text(key: str) -> str | None:
        translated = stored.get(key)
        return translated.text if translated is not None else None

    courses = []
    for course in track.courses:
        quiz = None
        if course.quiz is not None:
            quiz = {
                "title": text(quiz_title_key(course.id)),
                "questions": [
                    {
                        "id": q.id,
                        "question": text(question_key(course.id, q.id, "question")),
                        "explanation": text(question_key(course.id, q.id, "explanation")),
                        "options": [
                            {"id": o.id, "text": text(option_key(course.id, q.id, o.id))}
                            for o in q.options
                        ],
                    }
                    for q in course.quiz.questions
                ],
            }
        courses.append(
            {
                "course_id": course.id,
                "title": text(course_key(course.id, "title")),
                "description": text(course_key(course.id, "description")),
                "content": text(course_key(course.id, "content")),
                "quiz": quiz,
            }
        )
    fields = [
        {"key": f.key, "status": field_status(f.text, stored.get(f.key)), "counted": f.counted}
        for f in source_fields(track)
    ]
    return {
        "name": text("name"),
        "description": text("description"),
        "courses": courses,
        "fields": fields,
    }


def statuses_by_key(track: SourceTrack, stored: Mapping[str, Translated]) -> dict[str, Status]:
    return {f.key: field_status(f.text, stored.get(f.key)) for f in source_fields(track)}
