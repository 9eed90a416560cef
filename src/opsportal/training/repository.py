"""Training queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload

from opsportal.db import dialect_insert
from opsportal.models import (
    Certificate,
    CertificateCounter,
    Course,
    CourseReadMark,
    Quiz,
    QuizAttempt,
    ScormAttempt,
    Track,
    TrackType,
    User,
)

# --- tracks and courses -----------------------------------------------------


def get_track(session: Session, track_id: int) -> Track | None:
    return session.get(Track, track_id)


def get_track_with_courses(session: Session, track_id: int) -> Track | None:
    return session.scalars(
        select(Track)
        .where(Track.id == track_id)
        .options(selectinload(Track.courses).selectinload(Course.quiz))
    ).first()


@dataclass(frozen=True)
class QuizOutline:
    id: int


@dataclass(frozen=True)
class CourseOutline:
    id: int
    is_active: bool
    scorm_package_id: int | None
    quiz: QuizOutline | None


@dataclass(frozen=True)
class TrackOutline:
    """What the progress rule reads of a track (`progress.TrackLike`), and no more."""

    id: int
    courses: tuple[CourseOutline, ...]


# Plain columns, no ORM objects: a course's text and a quiz's questions (JSON) are the
# bulk of their rows, and every graded submit asks this. Built once: building the
# statement costs more than running it.
_TRACK_OUTLINE = (
    select(Course.id, Course.is_active, Course.scorm_package_id, Quiz.id)
    .outerjoin(Quiz, Quiz.course_id == Course.id)
    .where(Course.track_id == bindparam("track_id"))
    .order_by(Course.sort_order, Course.id)
)


def track_outline(session: Session, track_id: int) -> TrackOutline:
    """A track's courses and their quizzes' ids, in order (none for a missing track)."""
    rows = session.execute(_TRACK_OUTLINE, {"track_id": track_id})
    return TrackOutline(
        track_id,
        tuple(
            CourseOutline(course, active, package, None if quiz is None else QuizOutline(quiz))
            for course, active, package, quiz in rows
        ),
    )


def get_track_by_slug(session: Session, slug: str) -> Track | None:
    return session.scalars(select(Track).where(Track.slug == slug)).first()


def list_tracks(
    session: Session, *, types: Collection[TrackType] | None, include_inactive: bool
) -> list[Track]:
    query = select(Track).options(selectinload(Track.courses).selectinload(Course.quiz))
    if types is not None:
        query = query.where(Track.type.in_(list(types)))
    if not include_inactive:
        query = query.where(Track.is_active.is_(True))
    return list(session.scalars(query.order_by(Track.sort_order, Track.name, Track.id)))


def get_course(session: Session, course_id: int) -> Course | None:
    return session.scalars(
        select(Course)
        .where(Course.id == course_id)
        .options(selectinload(Course.track), selectinload(Course.quiz))
    ).first()


def next_course_sort_order(session: Session, track_id: int) -> int:
    orders = session.scalars(select(Course.sort_order).where(Course.track_id == track_id))
    return max(orders, default=-1) + 1


def next_track_sort_order(session: Session) -> int:
    highest = session.scalar(select(func.max(Track.sort_order)))
    return 0 if highest is None else highest + 1


def get_quiz(session: Session, quiz_id: int) -> Quiz | None:
    return session.scalars(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(selectinload(Quiz.course).selectinload(Course.track))
    ).first()


# --- attempts ---------------------------------------------------------------


def get_attempt(session: Session, attempt_id: int) -> QuizAttempt | None:
    return session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .options(selectinload(QuizAttempt.quiz).selectinload(Quiz.course))
    ).first()


def mark_submitted(
    session: Session, *, attempt_id: int, user_id: int, values: dict[str, Any]
) -> bool:
    """Record a submission if and only if nobody has yet: True for the one that won.

    A single conditional UPDATE: on PostgreSQL a concurrent submit waits for
    the row lock, re-checks `submitted_at IS NULL` and updates nothing; on
    SQLite transactions are serialised by BEGIN IMMEDIATE.
    """
    result = session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.submitted_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def passes(
    session: Session, *, user_id: int, quiz_ids: Collection[int]
) -> list[tuple[int, datetime]]:
    """(quiz id, latest pass) for each of these quizzes the user has passed.

    The latest pass is all completion needs: some pass is after a cut-off
    exactly when the latest one is.
    """
    if not quiz_ids:
        return []
    rows = session.execute(
        select(QuizAttempt.quiz_id, func.max(QuizAttempt.submitted_at))
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id.in_(list(quiz_ids)),
            QuizAttempt.passed.is_(True),
        )
        .group_by(QuizAttempt.quiz_id)
    )
    return [(quiz_id, submitted) for quiz_id, submitted in rows if submitted is not None]


def attempted_quiz_ids(session: Session, *, user_id: int, quiz_ids: Collection[int]) -> set[int]:
    if not quiz_ids:
        return set()
    return set(
        session.scalars(
            select(QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id.in_(list(quiz_ids)))
            .distinct()
        )
    )


def attempts_of(session: Session, *, user_id: int, quiz_ids: Collection[int]) -> list[QuizAttempt]:
    """The user's attempts at these quizzes, newest first."""
    if not quiz_ids:
        return []
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id.in_(list(quiz_ids)))
            .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
        )
    )


def scorm_activity(
    session: Session, *, user_id: int, course_ids: Collection[int]
) -> tuple[list[tuple[int, datetime]], set[int]]:
    """(course id, completion) of each SCORM course's latest attempt, if it completed; and
    the SCORM courses the user has opened at all."""
    if not course_ids:
        return [], set()
    rows = session.execute(
        select(ScormAttempt.course_id, ScormAttempt.number, ScormAttempt.completed_at).where(
            ScormAttempt.user_id == user_id, ScormAttempt.course_id.in_(list(course_ids))
        )
    ).all()
    latest: dict[int, tuple[int, datetime | None]] = {}
    for course_id, number, completed_at in rows:
        if course_id not in latest or number > latest[course_id][0]:
            latest[course_id] = (number, completed_at)
    completions = [(c, at) for c, (_, at) in latest.items() if at is not None]
    return completions, set(latest)


# --- certificates -------------------------------------------------------------


def certificates_of(
    session: Session, *, user_id: int, track_id: int | None = None
) -> list[Certificate]:
    query = (
        select(Certificate)
        .where(Certificate.user_id == user_id)
        .options(selectinload(Certificate.track))
    )
    if track_id is not None:
        query = query.where(Certificate.track_id == track_id)
    return list(
        session.scalars(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    )


def get_certificate(session: Session, certificate_id: int) -> Certificate | None:
    return session.scalars(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(selectinload(Certificate.track))
    ).first()


def get_certificate_by_code(session: Session, code: str) -> Certificate | None:
    return session.scalars(
        select(Certificate)
        .where(Certificate.verification_code == code)
        .options(selectinload(Certificate.track))
    ).first()


def lock_user(session: Session, user_id: int) -> None:
    """Serialise certificate issuance per user (a no-op on SQLite, which serialises everything)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def allocate_serial(session: Session, year: int) -> int:
    """The next certificate serial of the year, from the locked counter row.

    The UPDATE ... RETURNING increments and locks the row until the
    transaction ends, so concurrent issuers queue here; a rolled-back issue
    rolls its increment back too, so numbers have no gaps and no duplicates.
    """
    insert = dialect_insert(session)
    session.execute(
        insert(CertificateCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    serial = session.execute(
        update(CertificateCounter)
        .where(CertificateCounter.year == year)
        .values(last_number=CertificateCounter.last_number + 1)
        .returning(CertificateCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(serial)


def mark_read(session: Session, *, user_id: int, course_id: int, at: datetime) -> None:
    session.execute(
        dialect_insert(session)(CourseReadMark)
        .values(user_id=user_id, course_id=course_id, read_at=at)
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
    )


def read_course_ids(session: Session, *, user_id: int, course_ids: list[int]) -> set[int]:
    if not course_ids:
        return set()
    return set(
        session.scalars(
            select(CourseReadMark.course_id).where(
                CourseReadMark.user_id == user_id, CourseReadMark.course_id.in_(course_ids)
            )
        )
    )


def read_at(session: Session, *, user_id: int, course_id: int) -> datetime | None:
    return session.scalar(
        select(CourseReadMark.read_at).where(
            CourseReadMark.user_id == user_id, CourseReadMark.course_id == course_id
        )
    )
