"""What the admin pages do beyond the authoring API: publishing, course order, and the lists
of a track's learners, attempts and certificates. Services flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.models import Certificate, Course, Track
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository as training_repository
from opsportal.training.admin import repository
from opsportal.training.catalogue import authoring
from opsportal.training.certificates import CertificateStatus

# The catalogue's own progress rule, so this list and the learner's page never disagree.
from opsportal.training.progress import progress_of, status_of
from opsportal.training.schemas import CourseUpdate, TrackUpdate


def get_track(session: Session, track_id: int) -> Track:
    """A track with its courses and quizzes, drafts included."""
    track = training_repository.get_track_with_courses(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    return track


def quiz_ids(track: Track) -> list[int]:
    return [c.quiz.id for c in track.courses if c.quiz is not None]


# --- publishing and order -------------------------------------------------------


def set_published(session: Session, *, principal: Principal, track_id: int, live: bool) -> Track:
    """Publish a draft (learners see it from now on) or take it back to draft."""
    track = get_track(session, track_id)
    # Publishing checks the track can be completed (authoring.check_publishable): the same
    # rule, and the same 409, as a PATCH of isActive in the API.
    return authoring.update_track(
        session, track_id=track.id, data=TrackUpdate(is_active=live), actor=principal
    )


def move_course(
    session: Session, *, principal: Principal, course_id: int, direction: Literal["up", "down"]
) -> Course:
    """Swap a course with its neighbour and number the track's courses 0, 1, 2, … again."""
    course = authoring.get_course(session, course_id)
    courses = list(get_track(session, course.track_id).courses)
    index = next(i for i, c in enumerate(courses) if c.id == course_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(courses):
        courses[index], courses[other] = courses[other], courses[index]
    for order, item in enumerate(courses):
        if item.sort_order != order:
            authoring.update_course(
                session, course_id=item.id, data=CourseUpdate(sort_order=order), actor=principal
            )
    return course


# --- learners -------------------------------------------------------------------

LEARNER_STATUSES = ("IN_PROGRESS", "COMPLETED", "CERTIFIED")


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    organization_name: str | None
    courses_passed: int
    total_courses: int
    status: str
    last_activity: datetime | None
    certificate: Certificate | None


def list_learners(
    session: Session,
    *,
    track: Track,
    status: str | None,
    organization_id: int | None,
    search: str | None,
) -> list[LearnerRow]:
    """Everyone who has started the track, with their progress; filtered, in name order."""
    ids = quiz_ids(track)
    people = repository.learners(
        session, track_id=track.id, quiz_ids=ids, organization_id=organization_id, search=search
    )
    return _learner_rows(session, track=track, people=people, status=status)


def learners_page(
    session: Session,
    *,
    track: Track,
    status: str | None,
    organization_id: int | None,
    search: str | None,
    limit: int,
    offset: int,
) -> tuple[list[LearnerRow], int]:
    """One page of `list_learners`, and how many rows there are in all.

    Counted and paged in the database, a status filter too (its SQL twin of the
    progress rule, `repository.LearnerStatus`); progress is worked out for the
    page's learners only.
    """
    ids = quiz_ids(track)
    chosen = None if status is None else repository.LearnerStatus(track, status, utcnow())
    total = repository.count_learners(
        session,
        track_id=track.id,
        quiz_ids=ids,
        organization_id=organization_id,
        search=search,
        status=chosen,
    )
    people = repository.learners(
        session,
        track_id=track.id,
        quiz_ids=ids,
        organization_id=organization_id,
        search=search,
        status=chosen,
        limit=limit,
        offset=offset,
    )
    return _learner_rows(session, track=track, people=people, status=None), total


def _learner_rows(
    session: Session, *, track: Track, people: list[repository.Learner], status: str | None
) -> list[LearnerRow]:
    ids = quiz_ids(track)
    user_ids = [p.user_id for p in people]
    passes = repository.passes_by_user(session, user_ids=user_ids, quiz_ids=ids)
    activity = repository.activity_by_user(session, user_ids=user_ids, quiz_ids=ids)
    scorm = repository.scorm_activity_by_user(
        session,
        user_ids=user_ids,
        course_ids=[c.id for c in track.courses if c.scorm_package_id is not None],
    )
    certificates = repository.certificates_by_user(session, user_ids=user_ids, track_id=track.id)
    now = utcnow()
    rows = []
    for person in people:
        attempted, latest = activity.get(person.user_id, (set(), None))
        completions, opened, scorm_latest = scorm.get(person.user_id, ([], set(), None))
        if scorm_latest is not None:
            latest = scorm_latest if latest is None else max(latest, scorm_latest)
        progress = progress_of(
            track,
            certificates=certificates.get(person.user_id, []),
            passes=passes.get(person.user_id, []),
            attempted=attempted,
            completions=completions,
            opened=opened,
            now=now,
        )
        if progress.active_certificate is not None:
            learner_status = "CERTIFIED"
        elif progress.completed:
            learner_status = "COMPLETED"
        else:
            learner_status = "IN_PROGRESS"
        if status is not None and learner_status != status:
            continue
        rows.append(
            LearnerRow(
                user_id=person.user_id,
                name=person.name,
                email=person.email,
                organization_name=person.organization_name,
                courses_passed=len(progress.passed_course_ids),
                total_courses=progress.total,
                status=learner_status,
                last_activity=latest,
                certificate=progress.active_certificate,
            )
        )
    return rows


def certificate_status(certificate: Certificate, now: datetime) -> CertificateStatus:
    return status_of(certificate, now=now)
