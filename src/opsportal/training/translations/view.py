"""The translation page's fields: each source text beside its translation, grouped as the track
is (the track, each course, each question), labelled for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from opsportal.training.translations.status import (
    SourceCourse,
    SourceTrack,
    Status,
    Translated,
    course_key,
    field_status,
    option_key,
    question_key,
    quiz_title_key,
)
from opsportal.web.i18n import _

# Fields written on several lines: a textarea, not a one-line input.
MULTILINE = frozenset({"description", "content", "question", "explanation"})


@dataclass
class FieldView:
    index: int
    key: str
    label: str
    kind: str
    source: str
    text: str
    status: Status

    @property
    def multiline(self) -> bool:
        return self.kind in MULTILINE

    @property
    def rows(self) -> int:
        return 14 if self.kind == "content" else 3


@dataclass
class GroupView:
    title: str
    counted: bool = True
    fields: list[FieldView] = field(default_factory=list)


class _Builder:
    def __init__(self, stored: Mapping[str, Translated], values: Mapping[str, str] | None):
        self.stored = stored
        self.values = values
        self.groups: list[GroupView] = []
        self.labels: dict[str, str] = {}

    def group(self, title: str, *, counted: bool = True) -> GroupView:
        group = GroupView(title, counted)
        self.groups.append(group)
        return group

    def add(self, group: GroupView, key: str, kind: str, label: str, source: str) -> None:
        if not source:
            return
        translated = self.stored.get(key)
        if self.values is not None:  # the form as sent, shown again with its errors
            text = self.values.get(key, "")
        else:
            text = translated.text if translated is not None else ""
        index = sum(len(g.fields) for g in self.groups) + 1
        group.fields.append(
            FieldView(index, key, label, kind, source, text, field_status(source, translated))
        )
        self.labels[key] = label

    def course(self, number: int, course: SourceCourse) -> None:
        group = self.group(
            _("Course %(number)d: %(title)s", number=number, title=course.title),
            counted=course.active,
        )
        self.add(group, course_key(course.id, "title"), "title", _("Title"), course.title)
        self.add(
            group,
            course_key(course.id, "description"),
            "description",
            _("Summary"),
            course.description,
        )
        self.add(group, course_key(course.id, "content"), "content", _("Content"), course.content)
        quiz = course.quiz
        if quiz is None:
            return
        # A quiz titled like its course takes the course's translated title (status.quiz_fields).
        if quiz.title != course.title:
            self.add(group, quiz_title_key(course.id), "title", _("Quiz title"), quiz.title)
        for q_number, q in enumerate(quiz.questions, start=1):
            q_group = self.group(
                _("Course %(course)d, question %(number)d", course=number, number=q_number),
                counted=course.active,
            )
            key = question_key(course.id, q.id, "question")
            self.add(q_group, key, "question", _("Question"), q.question)
            for o_number, option in enumerate(q.options, start=1):
                self.add(
                    q_group,
                    option_key(course.id, q.id, option.id),
                    "option",
                    _("Option %(number)d", number=o_number),
                    option.text,
                )
            key = question_key(course.id, q.id, "explanation")
            self.add(q_group, key, "explanation", _("Explanation"), q.explanation or "")


def field_groups(
    track: SourceTrack,
    stored: Mapping[str, Translated],
    *,
    values: Mapping[str, str] | None = None,
) -> tuple[list[GroupView], dict[str, str]]:
    """The page's groups of fields, and each field's label by key (for the error summary).
    `values`: the texts as last sent, when the form is shown again with its errors."""
    builder = _Builder(stored, values)
    track_group = builder.group(_("Track"))
    builder.add(track_group, "name", "name", _("Name"), track.name)
    builder.add(track_group, "description", "description", _("Description"), track.description)
    for number, course in enumerate(track.courses, start=1):
        builder.course(number, course)
    return [g for g in builder.groups if g.fields], builder.labels
