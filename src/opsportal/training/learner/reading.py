"""Courses marked as read: a learner's own progress through reading, beside the quizzes.

Marking a course as read never completes a track: a track is complete when
every active course has a quiz and it is passed, because a certificate must
certify a passed assessment (`progress.py`). A course without a quiz yet is
shown as read (or not) and leads on to the next course; until its quiz is
added, nobody can complete its track.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.catalogue.service import visible_course
from opsportal.training.schemas import CourseMarkedRead


def mark_read(session: Session, *, principal: Principal, course_id: int) -> CourseMarkedRead:
    course = visible_course(session, principal, course_id)
    repository.mark_read(session, user_id=principal.user_id, course_id=course.id, at=utcnow())
    read_at = repository.read_at(session, user_id=principal.user_id, course_id=course.id)
    assert read_at is not None
    return CourseMarkedRead(course_id=course.id, read_at=read_at)


def is_read(session: Session, *, principal: Principal, course_id: int) -> bool:
    return repository.read_at(session, user_id=principal.user_id, course_id=course_id) is not None
