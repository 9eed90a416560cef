"""Queries for quiz attempts under a policy, item statistics, regrades and course reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from opsportal.db import dialect_insert
from opsportal.models import Quiz, QuizAttempt, QuizAttemptCounter


def lock_attempt_counter(session: Session, *, user_id: int, quiz_id: int) -> None:
    """Take the (learner, quiz) lock: concurrent starts by one learner queue here.

    The row is created if missing (a concurrent creator makes this a no-op),
    then incremented; the UPDATE holds its row lock until the transaction
    ends, so the next start counts the attempts this one adds. On SQLite the
    transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    session.execute(
        dialect_insert(session)(QuizAttemptCounter)
        .values(user_id=user_id, quiz_id=quiz_id, started=0)
        .on_conflict_do_nothing(index_elements=["user_id", "quiz_id"])
    )
    session.execute(
        update(QuizAttemptCounter)
        .where(QuizAttemptCounter.user_id == user_id, QuizAttemptCounter.quiz_id == quiz_id)
        .values(started=QuizAttemptCounter.started + 1)
        .execution_options(synchronize_session=False)
    )


def attempts_of(
    session: Session, *, user_id: int, quiz_id: int, since: datetime | None = None
) -> list[QuizAttempt]:
    """The learner's attempts at a quiz (started after `since`), oldest first."""
    query = select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id
    )
    if since is not None:
        query = query.where(QuizAttempt.started_at > since)
    return list(session.scalars(query.order_by(QuizAttempt.started_at, QuizAttempt.id)))


def has_passed(session: Session, *, user_id: int, quiz_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.passed.is_(True),
            )
        )
        or 0
    ) > 0


def graded_attempts(session: Session, *, quiz_id: int) -> list[QuizAttempt]:
    """Every submitted attempt at a quiz with its learner, oldest first."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.submitted_at.is_not(None))
            .options(selectinload(QuizAttempt.user))
            .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
        )
    )


def lock_quiz(session: Session, quiz_id: int) -> Quiz | None:
    """The quiz, locked while its attempts are regraded (a no-op lock on SQLite)."""
    return session.scalars(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(selectinload(Quiz.course))
        .with_for_update(of=Quiz)
    ).first()


# --- courses marked as read ---------------------------------------------------------
