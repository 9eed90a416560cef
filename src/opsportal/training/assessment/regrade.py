"""Regrading a quiz after its answer key was fixed: every graded attempt graded again, once.

The report lists each attempt whose result changes; applying it records the old
and new results in the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.errors import NotFound
from opsportal.models import QuizAttempt
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.assessment import grading
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.assessment.attempts import keys
from opsportal.training.assessment.quality import quiz_of
from opsportal.training.assessment.schemas import (
    RegradeChange,
    RegradeHistoryEntry,
    RegradeReport,
)


def _with_current_key(
    attempt_questions: Sequence[dict[str, Any]], current: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The attempt's questions (its draw, its option order) with today's answer key and
    explanation for every question the quiz still has."""
    fixed = []
    for q in attempt_questions:
        now = current.get(q["id"])
        if now is not None:
            q = q | {
                "correct_option_ids": list(now["correct_option_ids"]),
                "explanation": now.get("explanation"),
            }
        fixed.append(q)
    return fixed


def regrade(
    session: Session, *, quiz_id: int, dry_run: bool, actor: Principal | None
) -> RegradeReport:
    """Grade every submitted attempt again against the quiz's current answer key.

    A dry run lists the attempts whose score or pass would change and changes
    nothing. Applying it rewrites those attempts' grades and keeps the old ones
    in the attempt's `regrades`; certificates already issued stay as they are.
    A time-expired attempt stays failed.
    """
    quiz = (
        attempt_repository.lock_quiz(session, quiz_id) if not dry_run else quiz_of(session, quiz_id)
    )
    if quiz is None:
        raise NotFound(f"Quiz {quiz_id} not found.")
    current = {q["id"]: q for q in quiz.questions}
    attempts = attempt_repository.graded_attempts(session, quiz_id=quiz.id)
    now = utcnow()
    changes: list[RegradeChange] = []
    for attempt in attempts:
        assert attempt.submitted_at is not None
        questions = _with_current_key(attempt.questions, current)
        selected = [
            grading.Answer(a["question_id"], tuple(a["selected_option_ids"]))
            for a in attempt.answers or []
        ]
        graded = grading.grade(keys(questions), selected, Decimal(attempt.pass_threshold))
        passed = graded.passed and not attempt.time_expired
        before_score, before_passed = attempt.score or 0, bool(attempt.passed)
        if questions != attempt.questions and not dry_run:
            # Feedback follows the corrected key even when the grade does not move.
            attempt.questions = questions
        if (graded.score, passed) == (before_score, before_passed):
            continue
        changes.append(
            RegradeChange(
                attempt_id=attempt.id,
                user_id=attempt.user_id,
                user_name=attempt.user.name,
                user_email=attempt.user.email,
                submitted_at=attempt.submitted_at,
                from_score=before_score,
                to_score=graded.score,
                from_passed=before_passed,
                to_passed=passed,
                pass_changed=passed != before_passed,
            )
        )
        if not dry_run:
            attempt.correct_count = graded.correct_count
            attempt.score = graded.score
            attempt.passed = passed
            attempt.regraded_at = now
            attempt.regrades = [
                *(attempt.regrades or []),
                {
                    "at": now.isoformat(),
                    "byUserId": actor.user_id if actor is not None else None,
                    "fromScore": before_score,
                    "toScore": graded.score,
                    "fromPassed": before_passed,
                    "toPassed": passed,
                },
            ]
    if not dry_run:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="quiz.regrade",
            target_type="quiz",
            target_id=quiz.id,
            detail={
                "attemptsChecked": len(attempts),
                "attemptsChanged": [c.attempt_id for c in changes],
                "passChanges": sum(1 for c in changes if c.pass_changed),
            },
        )
    return RegradeReport(
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        dry_run=dry_run,
        attempts_checked=len(attempts),
        changes=changes,
        pass_changes=sum(1 for c in changes if c.pass_changed),
        history=_history(attempts),
    )


def _history(attempts: Sequence[QuizAttempt]) -> list[RegradeHistoryEntry]:
    entries = [
        RegradeHistoryEntry(
            attempt_id=a.id,
            user_name=a.user.name,
            at=datetime.fromisoformat(r["at"]),
            by_user_id=r.get("byUserId"),
            from_score=r["fromScore"],
            to_score=r["toScore"],
            from_passed=r["fromPassed"],
            to_passed=r["toPassed"],
        )
        for a in attempts
        for r in a.regrades or []
    ]
    return sorted(entries, key=lambda e: (e.at, e.attempt_id), reverse=True)
