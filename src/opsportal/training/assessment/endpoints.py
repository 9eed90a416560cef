"""Routes for quiz policy standing, item statistics, regrades and courses marked as read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from opsportal.auth.deps import AdminUser, CurrentUser
from opsportal.deps import ResourceId, SessionDep
from opsportal.kit.downloads import csv_download, download_route
from opsportal.training.assessment import attempts, drafts, extra_time, quality, regrade
from opsportal.training.assessment.schemas import (
    DraftRead,
    ExtraTimeBody,
    ExtraTimeRead,
    QuizStatistics,
    RegradeBody,
    RegradeReport,
)
from opsportal.training.learner import reading
from opsportal.training.schemas import (
    LOCALE_PATTERN,
    AttemptRead,
    AttemptResult,
    AttemptStarted,
    CourseMarkedRead,
    QuizStatus,
    SubmitBody,
)
from opsportal.web.i18n import current_locale

router = APIRouter(prefix="/api/v1/training", tags=["training"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@router.get("/quizzes/{quiz_id}/status", response_model=QuizStatus)
def read_quiz_status(quiz_id: ResourceId, session: SessionDep, user: CurrentUser) -> QuizStatus:
    """The quiz's rules and the caller's standing: attempts left, cooldown end, open attempt."""
    return attempts.quiz_status(session, principal=user, quiz_id=quiz_id)


# Item statistics over the attempts served in one language; all of them, pooled, without.
StatisticsLocale = Annotated[
    str | None,
    Query(
        max_length=16,
        pattern=LOCALE_PATTERN,
        description="Only attempts served in this language (e.g. de); pooled when omitted",
    ),
]


@router.get("/quizzes/{quiz_id}/statistics", response_model=QuizStatistics)
def read_quiz_statistics(
    quiz_id: ResourceId, session: SessionDep, admin: AdminUser, locale: StatisticsLocale = None
) -> QuizStatistics:
    """Item statistics over graded attempts: share correct, discrimination, option counts;
    pooled over every language, or for the attempts served in `locale`."""
    return quality.quiz_statistics(session, quiz_id=quiz_id, locale=locale)


@router.get("/quizzes/{quiz_id}/statistics.csv", **download_route("text/csv", "One row per option"))
def quiz_statistics_csv(
    quiz_id: ResourceId, session: SessionDep, admin: AdminUser, locale: StatisticsLocale = None
) -> Response:
    """The item statistics as CSV, one row per question and option (`locale` as above)."""
    suffix = f"-{locale}" if locale else ""
    return csv_download(
        quality.statistics_csv(quality.quiz_statistics(session, quiz_id=quiz_id, locale=locale)),
        filename=f"quiz-{quiz_id}-statistics{suffix}.csv",
    )


@router.post("/quizzes/{quiz_id}/regrade", response_model=RegradeReport)
def regrade_quiz(
    quiz_id: ResourceId, body: RegradeBody, session: SessionDep, admin: AdminUser
) -> RegradeReport:
    """Grade past attempts against the current answer key; `dryRun` (default) changes nothing."""
    return regrade.regrade(session, quiz_id=quiz_id, dry_run=body.dry_run, actor=admin)


@router.post("/courses/{course_id}/read", response_model=CourseMarkedRead)
def mark_course_read(
    course_id: ResourceId, session: SessionDep, user: CurrentUser
) -> CourseMarkedRead:
    """Mark a course as read (progress for the learner; track completion stays quiz-based)."""
    return reading.mark_read(session, principal=user, course_id=course_id)


@router.post("/quizzes/{quiz_id}/start", status_code=201, response_model=AttemptStarted)
def start_attempt(quiz_id: ResourceId, session: SessionDep, user: CurrentUser) -> AttemptStarted:
    """Start an attempt: the questions without anything that reveals the answer key."""
    return attempts.start_attempt(session, principal=user, quiz_id=quiz_id, locale=current_locale())


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptResult)
def submit_attempt(
    attempt_id: ResourceId, body: SubmitBody, session: SessionDep, user: CurrentUser
) -> AttemptResult:
    """Submit answers once; the result carries per-question feedback."""
    return attempts.submit_attempt(
        session,
        principal=user,
        attempt_id=attempt_id,
        answers=body.answers,
        locale=current_locale(),
    )


@router.get("/attempts/{attempt_id}", response_model=AttemptRead)
def read_attempt(attempt_id: ResourceId, session: SessionDep, user: CurrentUser) -> AttemptRead:
    """The caller's attempt; `result` (with feedback) appears once it is submitted."""
    return attempts.get_attempt(
        session, principal=user, attempt_id=attempt_id, locale=current_locale()
    )


@router.get("/attempts/{attempt_id}/result", response_model=AttemptResult)
def read_attempt_result(
    attempt_id: ResourceId, session: SessionDep, user: CurrentUser
) -> AttemptResult:
    """The graded result of the caller's submitted attempt (409 before submission)."""
    return attempts.get_attempt_result(
        session, principal=user, attempt_id=attempt_id, locale=current_locale()
    )


@router.get("/attempts/{attempt_id}/draft", response_model=DraftRead)
def read_draft(attempt_id: ResourceId, session: SessionDep, user: CurrentUser) -> DraftRead:
    """The answers saved so far on the caller's attempt (a draft; grading never reads it)."""
    return drafts.get_draft(session, principal=user, attempt_id=attempt_id)


@router.put("/attempts/{attempt_id}/draft", response_model=DraftRead)
def save_draft(
    attempt_id: ResourceId, body: SubmitBody, session: SessionDep, user: CurrentUser
) -> DraftRead:
    """Save answers as the learner goes; 409 once submitted or out of time, 422 for bad ids."""
    return drafts.save_draft(session, principal=user, attempt_id=attempt_id, answers=body.answers)


@router.get("/users/{user_id}/extra-time", response_model=list[ExtraTimeRead])
def read_extra_time(
    user_id: ResourceId, session: SessionDep, user: CurrentUser
) -> list[ExtraTimeRead]:
    """A learner's extra time on timed quizzes (admin; customer_admin for its organisation)."""
    return extra_time.list_extra_time(session, principal=user, user_id=user_id)


@router.put("/users/{user_id}/extra-time", response_model=ExtraTimeRead)
def grant_extra_time(
    user_id: ResourceId, body: ExtraTimeBody, session: SessionDep, user: CurrentUser
) -> ExtraTimeRead:
    """Grant (or replace) extra time for every timed quiz or one track's: audited."""
    return extra_time.grant_extra_time(session, principal=user, user_id=user_id, body=body)


@router.delete("/extra-time/{grant_id}", status_code=204)
def remove_extra_time(grant_id: ResourceId, session: SessionDep, user: CurrentUser) -> Response:
    """Withdraw a grant; attempts already started keep their deadline. Audited."""
    extra_time.remove_extra_time(session, principal=user, grant_id=grant_id)
    return Response(status_code=204)
