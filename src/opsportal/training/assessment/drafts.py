"""Answers saved as the learner goes, so that a reload or another device finds them again.

A draft is never graded: grading reads only what the learner submits. It is
checked against the attempt's own questions and options (a bad sheet is a 422
and changes nothing) and refused once the attempt is submitted or its time is up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from opsportal.errors import Conflict, InvalidInput
from opsportal.models import QuizAttempt
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.assessment import grading, policy
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.assessment.attempts import own_attempt
from opsportal.training.assessment.schemas import DraftAnswer, DraftRead
from opsportal.training.schemas import AnswerIn


def _choices(attempt: QuizAttempt) -> list[grading.QuestionChoices]:
    return [
        grading.QuestionChoices(
            id=q["id"],
            option_ids=frozenset(o["id"] for o in q["options"]),
            single=q["type"] != "MULTI_SELECT",
        )
        for q in attempt.questions
    ]


def _read(attempt: QuizAttempt) -> DraftRead:
    return DraftRead(
        attempt_id=attempt.id,
        answers=[
            DraftAnswer(question_id=a["question_id"], selected_option_ids=a["selected_option_ids"])
            for a in attempt.draft_answers or []
        ],
        saved_at=attempt.draft_saved_at,
    )


def get_draft(session: Session, *, principal: Principal, attempt_id: int) -> DraftRead:
    """The answers saved so far on the caller's attempt (none: an empty list)."""
    return _read(own_attempt(session, principal, attempt_id))


def chosen(attempt_draft: DraftRead) -> dict[str, list[str]]:
    """The draft as the quiz page ticks it: question id → selected option ids."""
    return {a.question_id: a.selected_option_ids for a in attempt_draft.answers}


def save_draft(
    session: Session,
    *,
    principal: Principal,
    attempt_id: int,
    answers: Sequence[AnswerIn],
    now: datetime | None = None,
) -> DraftRead:
    """Replace the attempt's draft; 409 once it is submitted or out of time, 422 for bad ids."""
    attempt = own_attempt(session, principal, attempt_id)
    now = now or utcnow()
    if attempt.submitted_at is not None:
        raise Conflict(
            f"Attempt {attempt_id} has been submitted; its answers can no longer change."
        )
    if policy.is_late(attempt.deadline_at, now):
        raise Conflict(f"The time for attempt {attempt_id} is up; submit it to see the result.")
    sheet = [grading.Answer(a.question_id, tuple(a.selected_option_ids)) for a in answers]
    try:
        grading.check_selections(_choices(attempt), sheet)
    except grading.AnswerError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    stored: list[dict[str, object]] = [
        {"question_id": a.question_id, "selected_option_ids": list(a.selected_option_ids)}
        for a in sheet
        if a.selected_option_ids
    ]
    if not attempt_repository.save_draft(
        session, attempt_id=attempt.id, user_id=principal.user_id, answers=stored, saved_at=now
    ):
        raise Conflict(
            f"Attempt {attempt_id} has been submitted; its answers can no longer change."
        )
    return _read(attempt)
