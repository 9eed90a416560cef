"""The admins' view of a quiz's quality: item statistics per question and option (and as CSV)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.kit.csvsafe import csv_text
from opsportal.models import Quiz
from opsportal.training import repository
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.assessment import statistics
from opsportal.training.assessment.schemas import (
    LanguageAttempts,
    QuestionStatistics,
    QuizStatistics,
)


def quiz_of(session: Session, quiz_id: int) -> Quiz:
    quiz = repository.get_quiz(session, quiz_id)
    if quiz is None:
        raise NotFound(f"Quiz {quiz_id} not found.")
    return quiz


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _record(sheet: attempt_repository.AnswerSheet) -> statistics.AttemptRecord:
    """An answer sheet graded again against its own snapshot, as `grading.grade` grades:
    right when the selection is exactly the correct set, never when it is empty."""
    selected = {a["question_id"]: a["selected_option_ids"] for a in sheet.answers}
    responses = {}
    correct_count = 0
    for question_id, correct_ids in sheet.keys:
        chosen = tuple(dict.fromkeys(selected.get(question_id, ())))
        correct = bool(chosen) and frozenset(chosen) == frozenset(correct_ids)
        correct_count += correct
        responses[question_id] = statistics.Response(correct, chosen)
    return statistics.AttemptRecord(
        attempt_id=sheet.attempt_id,
        score=Fraction(correct_count, len(sheet.keys)),
        responses=responses,
    )


def quiz_statistics(session: Session, *, quiz_id: int, locale: str | None = None) -> QuizStatistics:
    """Per question over every graded attempt (pooled), or over those served in `locale`:
    attempts, share correct, discrimination, option counts and flags. Questions since removed
    from the quiz come last."""
    quiz = quiz_of(session, quiz_id)
    default_locale = quiz.course.track.default_locale
    # Keys and answers only (the database leaves the texts out): see `answer_sheets`.
    sheets = attempt_repository.answer_sheets(
        session, quiz_id=quiz.id, locale=locale, default_locale=default_locale
    )
    languages = attempt_repository.graded_attempts_by_language(
        session, quiz_id=quiz.id, default_locale=default_locale
    )
    texts: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    correct: dict[str, list[str]] = {}
    for q in quiz.questions:
        texts[q["id"]] = q["question"]
        options[q["id"]] = {o["id"]: o["text"] for o in q["options"]}
        correct[q["id"]] = list(q["correct_option_ids"])
    current = list(texts)
    # Removed questions keep what the first attempt that showed them had.
    first_shown: dict[str, int] = {}
    for sheet in sheets:
        for question_id, correct_ids in sheet.keys:
            if question_id not in texts and question_id not in first_shown:
                first_shown[question_id] = sheet.attempt_id
                correct[question_id] = list(correct_ids)
    if first_shown:
        snapshots = {
            a.id: a
            for a in attempt_repository.question_snapshots(
                session, attempt_ids=set(first_shown.values())
            )
        }
        for question_id, attempt_id in first_shown.items():
            q = next(q for q in snapshots[attempt_id].questions if q["id"] == question_id)
            texts[question_id] = q["question"]
            options[question_id] = {o["id"]: o["text"] for o in q["options"]}
    question_ids = current + list(first_shown)
    items = statistics.item_statistics(
        question_ids,
        {q: list(o) for q, o in options.items()},
        [_record(sheet) for sheet in sheets],
    )
    return QuizStatistics(
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        graded_attempts=len(sheets),
        locale=locale,
        languages=[
            LanguageAttempts(locale=code, graded_attempts=count)
            for code, count in sorted(languages.items())
        ],
        min_attempts_to_judge=statistics.MIN_ATTEMPTS_TO_JUDGE,
        questions=[
            QuestionStatistics(
                question_id=item.question_id,
                question=texts[item.question_id],
                in_quiz=item.question_id in current,
                attempts=item.attempts,
                correct_rate=_as_float(item.correct_rate),
                discrimination=_as_float(item.discrimination),
                option_counts=item.option_counts,
                options=options.get(item.question_id, {}),
                correct_option_ids=correct.get(item.question_id, []),
                flags=list(item.flags),
                too_few_attempts=item.too_few_attempts,
            )
            for item in items
        ],
    )


def statistics_csv(report: QuizStatistics) -> str:
    """One row per question and option, so option counts read down a spreadsheet column."""
    rows: list[list[Any]] = []
    for q in report.questions:
        for option_id, count in q.option_counts.items() or {"": 0}.items():
            rows.append(
                [
                    q.question_id,
                    q.question,
                    q.attempts,
                    q.correct_rate,
                    q.discrimination,
                    " ".join(f.value for f in q.flags),
                    "yes" if q.too_few_attempts else "no",
                    option_id,
                    q.options.get(option_id, ""),
                    ("yes" if option_id in q.correct_option_ids else "no") if option_id else "",
                    count,
                ]
            )
    return csv_text(
        [
            "question_id",
            "question",
            "attempts",
            "correct_rate",
            "discrimination",
            "flags",
            "too_few_attempts",
            "option_id",
            "option_text",
            "correct_option",
            "option_count",
        ],
        rows,
    )


# --- regrading ----------------------------------------------------------------------
