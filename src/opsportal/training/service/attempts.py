"""Quiz attempts: start one, submit it once, read it and its graded result."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.models import QuizAttempt
from opsportal.models.base import utcnow
from opsportal.training import grading, repository
from opsportal.training.schemas import (
    AnswerIn,
    AttemptRead,
    AttemptResult,
    AttemptStarted,
    QuestionFeedback,
    QuestionPublic,
)
from opsportal.training.service.catalogue import can_see_track, track_completed


def _public_questions(questions: Sequence[dict[str, Any]]) -> list[QuestionPublic]:
    return [
        QuestionPublic(id=q["id"], question=q["question"], type=q["type"], options=q["options"])
        for q in questions
    ]


def start_attempt(session: Session, *, principal: Principal, quiz_id: int) -> AttemptStarted:
    quiz = repository.get_quiz(session, quiz_id)
    if (
        quiz is None
        or not can_see_track(principal, quiz.course.track)
        or not (quiz.course.is_active or principal.is_admin)
    ):
        raise NotFound(f"Quiz {quiz_id} not found.")
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=principal.user_id,
        questions=list(quiz.questions),
        pass_threshold=quiz.pass_threshold,
    )
    session.add(attempt)
    session.flush()
    return AttemptStarted(
        attempt_id=attempt.id,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        required_score=grading.required_score(Decimal(quiz.pass_threshold)),
        questions=_public_questions(attempt.questions),
    )


def _own_attempt(session: Session, principal: Principal, attempt_id: int) -> QuizAttempt:
    attempt = repository.get_attempt(session, attempt_id)
    # Someone else's attempt is reported exactly like a missing one.
    if attempt is None or attempt.user_id != principal.user_id:
        raise NotFound(f"Attempt {attempt_id} not found.")
    return attempt


def _keys(questions: Sequence[dict[str, Any]]) -> list[grading.QuestionKey]:
    return [grading.QuestionKey(q["id"], frozenset(q["correct_option_ids"])) for q in questions]


def submit_attempt(
    session: Session, *, principal: Principal, attempt_id: int, answers: Sequence[AnswerIn]
) -> AttemptResult:
    """Grade an attempt once; a second or concurrent submit is a 409 that changes nothing."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    answer_values = [grading.Answer(a.question_id, tuple(a.selected_option_ids)) for a in answers]
    try:
        result = grading.grade(
            _keys(attempt.questions), answer_values, Decimal(attempt.pass_threshold)
        )
    except grading.AnswerError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    won = repository.mark_submitted(
        session,
        attempt_id=attempt.id,
        user_id=principal.user_id,
        values={
            "submitted_at": utcnow(),
            "answers": [
                {"question_id": g.question_id, "selected_option_ids": list(g.selected)}
                for g in result.questions
            ],
            "correct_count": result.correct_count,
            "total_questions": result.total_questions,
            "score": result.score,
            "passed": result.passed,
        },
    )
    if not won:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    return _result(session, attempt)


def _result(session: Session, attempt: QuizAttempt) -> AttemptResult:
    assert attempt.submitted_at is not None and attempt.answers is not None
    selected = {a["question_id"]: a["selected_option_ids"] for a in attempt.answers}
    correct_ids = {
        q["id"]: bool(selected.get(q["id"]))
        and set(selected[q["id"]]) == set(q["correct_option_ids"])
        for q in attempt.questions
    }
    track_id = attempt.quiz.course.track_id
    return AttemptResult(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=attempt.quiz.course_id,
        track_id=track_id,
        score=attempt.score or 0,
        passed=bool(attempt.passed),
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        correct_count=attempt.correct_count or 0,
        total_questions=attempt.total_questions or 0,
        track_completed=track_completed(session, user_id=attempt.user_id, track_id=track_id),
        submitted_at=attempt.submitted_at,
        feedback=[
            QuestionFeedback(
                question_id=q["id"],
                question=q["question"],
                correct=correct_ids[q["id"]],
                selected=selected.get(q["id"], []),
                correct_option_ids=q["correct_option_ids"],
                explanation=q.get("explanation"),
            )
            for q in attempt.questions
        ],
    )


def get_attempt(session: Session, *, principal: Principal, attempt_id: int) -> AttemptRead:
    """The caller's attempt: its questions, and the graded result once submitted."""
    attempt = _own_attempt(session, principal, attempt_id)
    return AttemptRead(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=attempt.quiz.course_id,
        title=attempt.quiz.title,
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        questions=_public_questions(attempt.questions),
        result=_result(session, attempt) if attempt.submitted_at is not None else None,
    )


def get_attempt_result(session: Session, *, principal: Principal, attempt_id: int) -> AttemptResult:
    """The graded result with per-question feedback; 409 before the attempt is submitted."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is None:
        raise Conflict(f"Attempt {attempt_id} has not been submitted yet.")
    return _result(session, attempt)
