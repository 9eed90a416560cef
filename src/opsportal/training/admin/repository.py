"""Queries behind the admin lists: a track's learners and its attempts (certificates:
certificate_repository.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, selectinload

from opsportal.models import (
    Certificate,
    Course,
    Organization,
    QuizAttempt,
    ScormAttempt,
    Track,
    User,
)
from opsportal.training.certificates import CertificateStatus


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(search: str) -> ColumnElement[bool]:
    pattern = _like(search)
    return or_(
        func.lower(User.name).like(pattern, escape="\\"),
        func.lower(User.email).like(pattern, escape="\\"),
    )


@dataclass(frozen=True)
class Learner:
    user_id: int
    name: str
    email: str
    organization_name: str | None


def _learner_ids(track_id: int, quiz_ids: Collection[int]) -> Select[tuple[int]]:
    """Everyone who has attempted one of the track's quizzes, opened one of its SCORM courses,
    or holds one of its certificates."""
    attempted = select(QuizAttempt.user_id).where(QuizAttempt.quiz_id.in_(list(quiz_ids) or [-1]))
    opened = (
        select(ScormAttempt.user_id)
        .join(Course, Course.id == ScormAttempt.course_id)
        .where(Course.track_id == track_id)
    )
    certified = select(Certificate.user_id).where(Certificate.track_id == track_id)
    return select(union(attempted, opened, certified).subquery().c[0])


@dataclass(frozen=True)
class LearnerStatus:
    """A learner-list status filter, as SQL: the track (its courses and quizzes loaded),
    the status (service.LEARNER_STATUSES), and the moment certificates are judged at."""

    track: Track
    status: str
    now: datetime


def _learners_where(
    track_id: int,
    quiz_ids: Collection[int],
    organization_id: int | None,
    search: str | None,
    status: LearnerStatus | None = None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [User.id.in_(_learner_ids(track_id, quiz_ids))]
    if organization_id is not None:
        where.append(User.organization_id == organization_id)
    if search:
        where.append(matches(search))
    if status is not None:
        where.append(_learnercertificate_status_is(status))
    return where


def _learner_certificates(track_id: int) -> Select[tuple[int]]:
    return (
        select(Certificate.id)
        .join(Track, Track.id == Certificate.track_id)
        .where(Certificate.user_id == User.id, Certificate.track_id == track_id)
    )


def _learnercertificate_status_is(chosen: LearnerStatus) -> ColumnElement[bool]:
    """The SQL twin of the catalogue's progress rule (`progress.progress_of`) as the learner
    list applies it: CERTIFIED holds an active certificate of the track; COMPLETED holds
    none but has done every counted course since the newest certificate that lapsed;
    IN_PROGRESS is everyone else. So a status filter pages in the database too."""
    track, now = chosen.track, chosen.now
    active = certificate_status_is(CertificateStatus.ACTIVE, now)
    certified = exists(_learner_certificates(track.id).where(active))
    if chosen.status == "CERTIFIED":
        return certified
    since = (
        select(func.max(Certificate.issued_at))
        .join(Track, Track.id == Certificate.track_id)
        .where(Certificate.user_id == User.id, Certificate.track_id == track.id, ~active)
        .scalar_subquery()
    )

    def counts(at: InstrumentedAttribute[datetime | None]) -> ColumnElement[bool]:
        return and_(at.is_not(None), or_(since.is_(None), at > since))

    courses = [c for c in track.courses if c.is_active]  # progress.counted_courses
    done: list[ColumnElement[bool]] = []
    for course in courses:
        if course.quiz is None and course.scorm_package_id is None:
            done.append(false())  # never done (progress.assessed)
        if course.quiz is not None:
            done.append(
                exists(
                    select(QuizAttempt.id).where(
                        QuizAttempt.user_id == User.id,
                        QuizAttempt.quiz_id == course.quiz.id,
                        QuizAttempt.passed.is_(True),
                        counts(QuizAttempt.submitted_at),
                    )
                )
            )
        if course.scorm_package_id is not None:
            newer = aliased(ScormAttempt)
            latest = (
                select(func.max(newer.number))
                .where(newer.user_id == User.id, newer.course_id == course.id)
                .scalar_subquery()
            )
            done.append(
                exists(
                    select(ScormAttempt.id).where(
                        ScormAttempt.user_id == User.id,
                        ScormAttempt.course_id == course.id,
                        ScormAttempt.number == latest,
                        counts(ScormAttempt.completed_at),
                    )
                )
            )
    completed = and_(*done) if courses else false()
    if chosen.status == "COMPLETED":
        return and_(~certified, completed)
    return and_(~certified, ~completed)


def learners(
    session: Session,
    *,
    track_id: int,
    quiz_ids: Collection[int],
    organization_id: int | None,
    search: str | None,
    status: LearnerStatus | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Learner]:
    """The track's learners in name order; `limit` and `offset` page them in the database."""
    query = (
        select(User.id, User.name, User.email, Organization.name)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(*_learners_where(track_id, quiz_ids, organization_id, search, status))
        .order_by(func.lower(User.name), User.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [Learner(*row) for row in session.execute(query)]


def count_learners(
    session: Session,
    *,
    track_id: int,
    quiz_ids: Collection[int],
    organization_id: int | None,
    search: str | None,
    status: LearnerStatus | None = None,
) -> int:
    query = (
        select(func.count())
        .select_from(User)
        .where(*_learners_where(track_id, quiz_ids, organization_id, search, status))
    )
    return int(session.scalar(query) or 0)


def learner_organizations(
    session: Session, *, track_id: int, quiz_ids: Collection[int]
) -> list[tuple[int, str]]:
    """(id, name) of the organisations the track's learners belong to, for the filter."""
    rows = session.execute(
        select(Organization.id, Organization.name)
        .join(User, User.organization_id == Organization.id)
        .where(User.id.in_(_learner_ids(track_id, quiz_ids)))
        .distinct()
        .order_by(Organization.name, Organization.id)
    )
    return [(org_id, name) for org_id, name in rows]


def passes_by_user(
    session: Session, *, user_ids: Collection[int], quiz_ids: Collection[int]
) -> dict[int, list[tuple[int, datetime]]]:
    """Per user, (quiz id, latest pass) as the catalogue's progress rule takes them."""
    result: dict[int, list[tuple[int, datetime]]] = {}
    if not user_ids or not quiz_ids:
        return result
    rows = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.submitted_at))
        .where(
            QuizAttempt.user_id.in_(list(user_ids)),
            QuizAttempt.quiz_id.in_(list(quiz_ids)),
            QuizAttempt.passed.is_(True),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    )
    for user_id, quiz_id, submitted in rows:
        if submitted is not None:
            result.setdefault(user_id, []).append((quiz_id, submitted))
    return result


def activity_by_user(
    session: Session, *, user_ids: Collection[int], quiz_ids: Collection[int]
) -> dict[int, tuple[set[int], datetime]]:
    """Per user: the quizzes attempted and the latest start."""
    result: dict[int, tuple[set[int], datetime]] = {}
    if not user_ids or not quiz_ids:
        return result
    rows = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.started_at))
        .where(QuizAttempt.user_id.in_(list(user_ids)), QuizAttempt.quiz_id.in_(list(quiz_ids)))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    )
    for user_id, quiz_id, started in rows:
        quizzes, latest = result.get(user_id, (set(), started))
        quizzes.add(quiz_id)
        result[user_id] = (quizzes, max(latest, started))
    return result


def scorm_activity_by_user(
    session: Session, *, user_ids: Collection[int], course_ids: Collection[int]
) -> dict[int, tuple[list[tuple[int, datetime]], set[int], datetime]]:
    """Per user: (course id, completion) of each SCORM course's latest attempt if it completed,
    the SCORM courses opened, and the latest activity."""
    result: dict[int, tuple[list[tuple[int, datetime]], set[int], datetime]] = {}
    if not user_ids or not course_ids:
        return result
    rows = session.execute(
        select(
            ScormAttempt.user_id,
            ScormAttempt.course_id,
            ScormAttempt.number,
            ScormAttempt.completed_at,
            ScormAttempt.updated_at,
        ).where(
            ScormAttempt.user_id.in_(list(user_ids)), ScormAttempt.course_id.in_(list(course_ids))
        )
    )
    latest: dict[tuple[int, int], tuple[int, datetime | None]] = {}
    for user_id, course_id, number, completed_at, updated_at in rows:
        key = (user_id, course_id)
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, completed_at)
        completions, opened, last = result.get(user_id, ([], set(), updated_at))
        opened.add(course_id)
        result[user_id] = (completions, opened, max(last, updated_at))
    for (user_id, course_id), (_, completed_at) in latest.items():
        if completed_at is not None:
            result[user_id][0].append((course_id, completed_at))
    return result


def certificates_by_user(
    session: Session, *, user_ids: Collection[int], track_id: int
) -> dict[int, list[Certificate]]:
    result: dict[int, list[Certificate]] = {}
    if not user_ids:
        return result
    rows = session.scalars(
        select(Certificate)
        .where(Certificate.track_id == track_id, Certificate.user_id.in_(list(user_ids)))
        .options(selectinload(Certificate.track))
    )
    for certificate in rows:
        result.setdefault(certificate.user_id, []).append(certificate)
    return result


# --- attempts -----------------------------------------------------------------


@dataclass(frozen=True)
class AttemptRow:
    id: int
    quiz_id: int
    user_name: str
    email: str
    organization_name: str | None
    started_at: datetime
    submitted_at: datetime | None
    score: int | None
    passed: bool | None


ATTEMPT_STATUSES = ("PASSED", "FAILED", "OPEN")


def attempts(
    session: Session,
    *,
    quiz_ids: Collection[int],
    status: str | None,
    organization_id: int | None,
    search: str | None,
    limit: int,
    offset: int,
) -> tuple[list[AttemptRow], int]:
    query = (
        select(
            QuizAttempt.id,
            QuizAttempt.quiz_id,
            User.name,
            User.email,
            Organization.name,
            QuizAttempt.started_at,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
            QuizAttempt.passed,
        )
        .join(User, User.id == QuizAttempt.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(QuizAttempt.quiz_id.in_(list(quiz_ids) or [-1]))
    )
    if status == "PASSED":
        query = query.where(QuizAttempt.passed.is_(True))
    elif status == "FAILED":
        query = query.where(QuizAttempt.passed.is_(False))
    elif status == "OPEN":
        query = query.where(QuizAttempt.submitted_at.is_(None))
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if search:
        query = query.where(matches(search))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [AttemptRow(*row) for row in rows], total


def certificate_status_is(status: CertificateStatus, now: datetime) -> ColumnElement[bool]:
    """The SQL twin of training.certificates.certificate_status, for filtering a page."""
    expired = or_(Certificate.expires_at <= now, Track.version_major > Certificate.track_major)
    if status is CertificateStatus.REVOKED:
        return Certificate.revoked_at.is_not(None)
    if status is CertificateStatus.EXPIRED:
        return and_(Certificate.revoked_at.is_(None), expired)
    return and_(Certificate.revoked_at.is_(None), ~expired)


def all_tracks(session: Session) -> list[Track]:
    """Every track, drafts too, in catalogue order."""
    return list(session.scalars(select(Track).order_by(Track.sort_order, Track.name, Track.id)))
