"""Queries behind assignments, compliance reports and the completion metric.

An assignment counts while its user is active and still belongs to the
organisation it was assigned in; a deactivated or moved user drops out of the
totals rather than showing as overdue for ever (the report lists what such a
former user completed, marked as such: `former_assignments`). The reminders'
queries are in `reminder_repository.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from opsportal.db import dialect_insert
from opsportal.kit.queries import where_given
from opsportal.models import (
    CUSTOMER_ROLES,
    Assignment,
    Certificate,
    Course,
    Organization,
    Quiz,
    QuizAttempt,
    Track,
    TrackType,
    User,
)
from opsportal.training.compliance.status import AssignmentStatus

IN_CHUNK = 500  # keeps an IN list within SQLite's bound-parameter limit


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IN_CHUNK):
        yield wanted[start : start + IN_CHUNK]


# --- organisations and their users ------------------------------------------------------


def get_organization(session: Session, organization_id: int) -> Organization | None:
    return session.get(Organization, organization_id)


def customer_users(
    session: Session, *, organization_id: int, user_ids: Collection[int] | None = None
) -> list[User]:
    """The organisation's active customer users (of these ids, when given), by name."""
    query = select(User).where(
        User.organization_id == organization_id,
        User.role.in_(CUSTOMER_ROLES),
        User.is_active.is_(True),
    )
    if user_ids is None:
        return list(session.scalars(query.order_by(User.name, User.id)))
    found: list[User] = []
    for chunk in chunks(user_ids):
        found.extend(session.scalars(query.where(User.id.in_(chunk))))
    return sorted(found, key=lambda u: (u.name, u.id))


def required_tracks(session: Session, *, types: Collection[Any]) -> list[Track]:
    return list(
        session.scalars(
            select(Track)
            .where(Track.is_required.is_(True), Track.is_active.is_(True), Track.type.in_(types))
            .order_by(Track.sort_order, Track.id)
        )
    )


# --- writing assignments ----------------------------------------------------------------


def insert_assignments(session: Session, rows: Sequence[dict[str, Any]]) -> set[int]:
    """Insert the rows whose (user, track) is free; returns the user ids inserted.

    Under a concurrent insert of the same pair, PostgreSQL waits for the other
    transaction and then skips the row: never two assignments for one pair.
    """
    if not rows:
        return set()
    statement = (
        dialect_insert(session)(Assignment)
        .on_conflict_do_nothing(index_elements=["user_id", "track_id"])
        .returning(Assignment.user_id)
    )
    created: set[int] = set()
    for start in range(0, len(rows), IN_CHUNK):
        created.update(session.scalars(statement, list(rows[start : start + IN_CHUNK])))
    return created


def move_due_days(
    session: Session,
    *,
    track_id: int,
    user_ids: Collection[int],
    due_on: date,
    assigned_by_id: int | None,
    now: datetime,
) -> None:
    for chunk in chunks(user_ids):
        session.execute(
            update(Assignment)
            .where(Assignment.track_id == track_id, Assignment.user_id.in_(chunk))
            .values(due_on=due_on, assigned_by_id=assigned_by_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )


# --- reading assignments ----------------------------------------------------------------


def _counting() -> ColumnElement[bool]:
    return and_(
        User.is_active.is_(True),
        User.organization_id == Assignment.organization_id,
    )


def _assignments(
    *,
    organization_id: int | None = None,
    user_id: int | None = None,
    track_id: int | None = None,
    user_ids: Collection[int] | None = None,
) -> Select[tuple[Assignment]]:
    query = (
        select(Assignment)
        .join(User, User.id == Assignment.user_id)
        .where(_counting())
        .options(contains_eager(Assignment.user), selectinload(Assignment.track))
        # The bulk upserts bypass the identity map: read the rows as they are now.
        .execution_options(populate_existing=True)
    )
    query = where_given(
        query,
        (Assignment.organization_id, organization_id),
        (Assignment.user_id, user_id),
        (Assignment.track_id, track_id),
    )
    if user_ids is not None:
        query = query.where(Assignment.user_id.in_(list(user_ids)))
    return query


@dataclass(frozen=True)
class StatusFilter:
    """An assignment status to filter by, as of `now` (its day, UTC, is today)."""

    status: AssignmentStatus
    now: datetime


def _status_is(chosen: StatusFilter) -> ColumnElement[bool]:
    """The SQL twin of `status.derive_status` over `assignments.facts_for`'s facts, so a
    status filter pages in the database: completed while an active certificate of the
    track is held; else overdue after the due day; else in progress once a quiz of the
    track was started after the newest certificate that lapsed."""
    now, today = chosen.now, chosen.now.date()
    yours = and_(
        Certificate.user_id == Assignment.user_id, Certificate.track_id == Assignment.track_id
    )
    active = and_(
        Certificate.revoked_at.is_(None),
        Certificate.expires_at > now,
        Certificate.track_major >= Track.version_major,
    )
    certificates = select(Certificate.id).join(Track, Track.id == Certificate.track_id)
    completed = exists(certificates.where(yours, active))
    if chosen.status is AssignmentStatus.COMPLETED:
        return completed
    if chosen.status is AssignmentStatus.OVERDUE:
        return and_(~completed, Assignment.due_on < today)
    since = (
        select(func.max(Certificate.issued_at))
        .join(Track, Track.id == Certificate.track_id)
        .where(yours, ~active)
        .scalar_subquery()
    )
    started = exists(
        select(QuizAttempt.id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(
            QuizAttempt.user_id == Assignment.user_id,
            Course.track_id == Assignment.track_id,
            or_(since.is_(None), QuizAttempt.started_at > since),
        )
    )
    open_ = and_(~completed, Assignment.due_on >= today)
    if chosen.status is AssignmentStatus.IN_PROGRESS:
        return and_(open_, started)
    return and_(open_, ~started)


def list_assignments(
    session: Session,
    *,
    organization_id: int | None = None,
    user_id: int | None = None,
    status: StatusFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Assignment], int]:
    """Assignments (of a status), soonest due first; with `limit`, one page and the total."""
    query = _assignments(organization_id=organization_id, user_id=user_id)
    if status is not None:
        query = query.where(_status_is(status))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    ordered = query.order_by(Assignment.due_on, User.name, Assignment.id).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return list(session.scalars(ordered).unique()), int(total or 0)


def assignments_for(
    session: Session, *, track_id: int, user_ids: Collection[int]
) -> list[Assignment]:
    found: list[Assignment] = []
    for chunk in chunks(user_ids):
        found.extend(session.scalars(_assignments(track_id=track_id, user_ids=chunk)).unique())
    return found


def open_assignments_due_by(session: Session, *, until: date) -> list[Assignment]:
    """Assignments due on or before `until` (the reminder job drops the completed ones)."""
    return list(
        session.scalars(
            _assignments().where(Assignment.due_on <= until).order_by(Assignment.id)
        ).unique()
    )


def former_assignments(session: Session, *, organization_id: int) -> list[Assignment]:
    """The organisation's assignments of users who left it: deactivated, or moved elsewhere."""
    query = (
        select(Assignment)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.organization_id == organization_id, ~_counting())
        .options(contains_eager(Assignment.user), selectinload(Assignment.track))
        .order_by(Assignment.due_on, User.name, Assignment.id)
    )
    return list(session.scalars(query).unique())


def learner_assignments(
    session: Session, *, organization_id: int, user_id: int
) -> list[Assignment]:
    """One user's assignments in the organisation, whether the user is still there or not."""
    query = (
        select(Assignment)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.organization_id == organization_id, Assignment.user_id == user_id)
        .options(contains_eager(Assignment.user), selectinload(Assignment.track))
        .order_by(Assignment.due_on, Assignment.id)
    )
    return list(session.scalars(query).unique())


# --- what users have done ---------------------------------------------------------------


def certificates_of_users(session: Session, user_ids: Collection[int]) -> list[Certificate]:
    found: list[Certificate] = []
    for chunk in chunks(user_ids):
        found.extend(
            session.scalars(
                select(Certificate)
                .where(Certificate.user_id.in_(chunk))
                .options(selectinload(Certificate.track))
            )
        )
    return found


def last_attempts(session: Session, user_ids: Collection[int]) -> dict[tuple[int, int], datetime]:
    """(user id, track id) -> the user's newest quiz attempt start on that track."""
    found: dict[tuple[int, int], datetime] = {}
    for chunk in chunks(user_ids):
        rows = session.execute(
            select(QuizAttempt.user_id, Course.track_id, func.max(QuizAttempt.started_at))
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .join(Course, Course.id == Quiz.course_id)
            .where(QuizAttempt.user_id.in_(chunk))
            .group_by(QuizAttempt.user_id, Course.track_id)
        )
        for user_id, track_id, started in rows:
            if started is not None:
                found[(user_id, track_id)] = started
    return found


# --- organisation totals (the metric and the staff overview) ----------------------------


@dataclass(frozen=True)
class OrganizationTotals:
    organization_id: int
    name: str
    assigned: int
    completed: int
    overdue: int


def _active_certificate_at(at: datetime) -> ColumnElement[bool]:
    """An active certificate of the assignment's user and track at `at` (certificates.py rules)."""
    return exists(
        select(Certificate.id)
        .join(Track, Track.id == Certificate.track_id)
        .where(
            Certificate.user_id == Assignment.user_id,
            Certificate.track_id == Assignment.track_id,
            Certificate.issued_at <= at,
            Certificate.expires_at > at,
            (Certificate.revoked_at.is_(None)) | (Certificate.revoked_at > at),
            Certificate.track_major >= Track.version_major,
        )
    )


def organization_totals(session: Session, *, at: datetime, today: date) -> list[OrganizationTotals]:
    """Per organisation with assignments made by `at`: assigned, completed and overdue counts."""
    completed = _active_certificate_at(at)
    rows = session.execute(
        select(
            Organization.id,
            Organization.name,
            func.count(Assignment.id),
            func.sum(case((completed, 1), else_=0)),
            func.sum(case((and_(~completed, Assignment.due_on < today), 1), else_=0)),
        )
        .join(Assignment, Assignment.organization_id == Organization.id)
        .join(User, User.id == Assignment.user_id)
        .where(_counting(), Assignment.assigned_at <= at)
        .group_by(Organization.id, Organization.name)
    )
    return [
        OrganizationTotals(org_id, name, int(assigned), int(done or 0), int(late or 0))
        for org_id, name, assigned, done, late in rows
    ]


def search_organizations(session: Session, *, name: str, limit: int = 20) -> list[Organization]:
    """Organisations whose name contains `name` (case-insensitive), for the staff chooser."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        session.scalars(
            select(Organization)
            .where(func.lower(Organization.name).like(pattern.lower(), escape="\\"))
            .order_by(Organization.name, Organization.id)
            .limit(limit)
        )
    )


def assignable_tracks(session: Session) -> list[Track]:
    """Active tracks for customer users, in catalogue order."""
    return list(
        session.scalars(
            select(Track)
            .where(Track.is_active.is_(True), Track.type == TrackType.CUSTOMER)
            .order_by(Track.sort_order, Track.name, Track.id)
        )
    )
