"""Queries for quiz attempts under a policy, item statistics, regrades and course reads."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from opsportal.db import dialect_insert
from opsportal.models import ExtraTime, Quiz, QuizAttempt, QuizAttemptCounter, User


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


def attempt_tally(
    session: Session, *, user_id: int, quiz_id: int, since: datetime | None = None
) -> tuple[int, datetime | None]:
    """How many attempts the learner started at a quiz (after `since`), and when the
    last of them ended (its submission, or its start if it was never submitted).

    What starting an attempt checks: counted in the database, not by loading
    every attempt with its questions and answers (a learner's hundredth start
    loaded a hundred attempts).
    """
    query = select(
        func.count(),
        func.max(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at)),
    ).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
    if since is not None:
        query = query.where(QuizAttempt.started_at > since)
    count, last = session.execute(query).one()
    return int(count), last


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


@dataclass(frozen=True)
class AnswerSheet:
    """A graded attempt as item statistics need it: its key and its answers, nothing else."""

    attempt_id: int
    keys: list[tuple[str, list[str]]]  # (question id, correct option ids), in the order shown
    answers: list[dict[str, Any]]  # as submitted: question_id, selected_option_ids


def _in_language(locale: str, default_locale: str) -> ColumnElement[bool]:
    # Attempts from before tracks had translations record no language: they were served
    # the track's own texts, in its default language.
    if locale == default_locale:
        return or_(QuizAttempt.locale == locale, QuizAttempt.locale.is_(None))
    return QuizAttempt.locale == locale


def answer_sheets(
    session: Session,
    *,
    quiz_id: int,
    locale: str | None = None,
    default_locale: str = "en",
) -> list[AnswerSheet]:
    """Every submitted attempt at a quiz (served in `locale`, if given), oldest first, as
    its key and its answers.

    Two columns read as text and parsed once, without the ORM: a quiz's item
    statistics read every graded attempt, and loading them as objects (with
    their learners) took most of their time.
    """
    query = (
        select(
            QuizAttempt.id,
            cast(QuizAttempt.questions, Text),
            cast(QuizAttempt.answers, Text),
        )
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    )
    if locale is not None:
        query = query.where(_in_language(locale, default_locale))
    rows = session.execute(query)
    loads = json.loads
    return [
        AnswerSheet(
            attempt_id,
            [(q["id"], q["correct_option_ids"]) for q in loads(questions)],
            loads(answers) if answers else [],
        )
        for attempt_id, questions, answers in rows
    ]


def graded_attempts_by_language(
    session: Session, *, quiz_id: int, default_locale: str
) -> dict[str, int]:
    """Language → how many graded attempts at a quiz were served in it."""
    counts: dict[str, int] = {}
    for locale, count in session.execute(
        select(QuizAttempt.locale, func.count())
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.locale)
    ):
        language = locale or default_locale
        counts[language] = counts.get(language, 0) + int(count)
    return counts


def question_snapshots(session: Session, *, attempt_ids: Collection[int]) -> list[QuizAttempt]:
    """These attempts with their question snapshots (texts and options)."""
    if not attempt_ids:
        return []
    return list(session.scalars(select(QuizAttempt).where(QuizAttempt.id.in_(attempt_ids))))


def lock_quiz(session: Session, quiz_id: int) -> Quiz | None:
    """The quiz, locked while its attempts are regraded (a no-op lock on SQLite)."""
    return session.scalars(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(selectinload(Quiz.course))
        .with_for_update(of=Quiz)
    ).first()


# --- courses marked as read ---------------------------------------------------------


# --- draft answers and extra time ------------------------------------------------------


def save_draft(
    session: Session,
    *,
    attempt_id: int,
    user_id: int,
    answers: list[dict[str, object]],
    saved_at: datetime,
) -> bool:
    """Store a draft if and only if the attempt is still unsubmitted: one conditional
    UPDATE, so a draft racing a submit never lands after it."""
    result = session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.submitted_at.is_(None),
        )
        .values(draft_answers=answers, draft_saved_at=saved_at)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def extra_time_of(session: Session, *, user_id: int) -> list[ExtraTime]:
    """A learner's grants with their tracks, the one for every track first."""
    return list(
        session.scalars(
            select(ExtraTime)
            .where(ExtraTime.user_id == user_id)
            .options(selectinload(ExtraTime.track))
            .order_by(ExtraTime.track_id.is_not(None), ExtraTime.track_id)
        )
    )


def get_extra_time(session: Session, grant_id: int) -> ExtraTime | None:
    return session.scalars(
        select(ExtraTime).where(ExtraTime.id == grant_id).options(selectinload(ExtraTime.track))
    ).first()


def lock_user(session: Session, user_id: int) -> User | None:
    """The learner, locked while a grant of theirs changes (a no-op lock on SQLite), so two
    grants for one scope cannot both insert."""
    return session.scalars(select(User).where(User.id == user_id).with_for_update()).first()
