"""The admins' view of a quiz's quality: item statistics per question and option (and as CSV)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.kit.csvsafe import csv_text
from opsportal.models import Quiz, QuizAttempt
from opsportal.training import repository
from opsportal.training.assessment import grading, statistics
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.assessment.attempts import keys
from opsportal.training.assessment.schemas import (
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


def _record(attempt: QuizAttempt) -> statistics.AttemptRecord:
    selected = {a["question_id"]: tuple(a["selected_option_ids"]) for a in attempt.answers or []}
    graded = grading.grade(
        keys(attempt.questions),
        [grading.Answer(q, s) for q, s in selected.items()],
        Decimal(attempt.pass_threshold),
    )
    return statistics.AttemptRecord(
        attempt_id=attempt.id,
        score=Fraction(graded.correct_count, graded.total_questions),
        responses={
            g.question_id: statistics.Response(g.correct, g.selected) for g in graded.questions
        },
    )


def quiz_statistics(session: Session, *, quiz_id: int) -> QuizStatistics:
    """Per question over every graded attempt: attempts, share correct, discrimination,
    option counts and flags. Questions since removed from the quiz come last."""
    quiz = quiz_of(session, quiz_id)
    attempts = attempt_repository.graded_attempts(session, quiz_id=quiz.id)
    texts: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    correct: dict[str, list[str]] = {}
    for attempt in attempts:  # removed questions keep what their attempts showed
        for q in attempt.questions:
            texts.setdefault(q["id"], q["question"])
            options.setdefault(q["id"], {o["id"]: o["text"] for o in q["options"]})
            correct.setdefault(q["id"], list(q["correct_option_ids"]))
    current = [q["id"] for q in quiz.questions]
    for q in quiz.questions:
        texts[q["id"]] = q["question"]
        options[q["id"]] = {o["id"]: o["text"] for o in q["options"]}
        correct[q["id"]] = list(q["correct_option_ids"])
    question_ids = current + [q for q in texts if q not in set(current)]
    items = statistics.item_statistics(
        question_ids,
        {q: list(o) for q, o in options.items()},
        [_record(a) for a in attempts],
    )
    return QuizStatistics(
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        graded_attempts=len(attempts),
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
