"""The learner's way through a track: course, quiz, result, and on to the next course.

Thin like the JSON endpoints: they call the same service functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import Conflict, InvalidInput
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.assessment import attempts, drafts, policy
from opsportal.training.catalogue import service as catalogue
from opsportal.training.learner import reading
from opsportal.training.markdown import render_course_content
from opsportal.training.schemas import (
    AnswerIn,
    AttemptRead,
    CourseOverview,
    QuestionPublic,
    TrackOverview,
)
from opsportal.training.translations.notice import fallback_notice
from opsportal.web.i18n import _, current_locale
from opsportal.web.session import CheckedForm, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@dataclass(frozen=True)
class Place:
    """Where a course sits in its track: "Course 2 of 3", and what comes next."""

    position: int
    total: int
    next_course: CourseOverview | None


def _place(track: TrackOverview, course_id: int) -> Place:
    courses = [c for c in track.courses if c.is_active]
    index = next((i for i, c in enumerate(courses) if c.id == course_id), None)
    if index is None:  # an inactive course an admin is looking at
        return Place(position=0, total=len(courses), next_course=None)
    following = courses[index + 1] if index + 1 < len(courses) else None
    return Place(position=index + 1, total=len(courses), next_course=following)


def _course_view(session: Session, user: Principal, course_id: int) -> dict[str, Any]:
    course, track = catalogue.get_course_and_track(
        session, principal=user, course_id=course_id, locale=current_locale()
    )
    return {
        "course": course,
        "track": track,
        "language_notice": fallback_notice(track.locale),
        "place": _place(track, course.id),
        "status": attempts.quiz_status(session, principal=user, quiz_id=course.quiz_id)
        if course.quiz_id is not None
        else None,
        "is_read": reading.is_read(session, principal=user, course_id=course.id),
    }


@router.get("/training/courses/{course_id}")
def course_page(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    view = _course_view(session, user, course_id)
    return render(
        request,
        "training/course.html",
        user=user,
        content_html=render_course_content(view["course"].content),
        passed=view["status"] is not None and view["status"].passed,
        **view,
    )


@router.post("/training/courses/{course_id}/read")
def mark_read(
    course_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    reading.mark_read(session, principal=user, course_id=course_id)
    return _see_other(f"/training/courses/{course_id}#read")


@router.post("/training/quizzes/{quiz_id}/start")
def start_quiz(
    quiz_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    try:
        attempt = attempts.start_attempt(
            session, principal=user, quiz_id=quiz_id, locale=current_locale()
        )
    except attempts.PolicyRefusal:
        # The course page says which rule, and until when.
        quiz = attempts.visible_quiz(session, user, quiz_id)
        return _see_other(f"/training/courses/{quiz.course_id}#quiz")
    return _see_other(f"/training/attempts/{attempt.attempt_id}")


def _quiz_page(
    request: Request,
    user: Principal,
    attempt: AttemptRead,
    *,
    chosen: dict[str, list[str]] | None = None,
    answered: int | None = None,
) -> Response:
    return render(
        request,
        "training/quiz.html",
        user=user,
        attempt=attempt,
        course_id=attempt.course_id,
        chosen=chosen or {},
        answered=answered,
        grace_seconds=int(policy.GRACE.total_seconds()),
        language_notice=fallback_notice(attempt.locale) if attempt.locale else None,
    )


@router.get("/training/attempts/{attempt_id}")
def attempt_page(
    request: Request, attempt_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    attempt = attempts.get_attempt(
        session, principal=user, attempt_id=attempt_id, locale=current_locale()
    )
    if attempt.result is None:
        # The answers saved so far, from this device or another one.
        draft = drafts.get_draft(session, principal=user, attempt_id=attempt_id)
        return _quiz_page(request, user, attempt, chosen=drafts.chosen(draft))
    view = _course_view(session, user, attempt.course_id)
    options = {q.id: {o.id: o.text for o in q.options} for q in attempt.questions}
    return render(
        request,
        "training/result.html",
        user=user,
        attempt=attempt,
        result=attempt.result,
        options=options,
        **view,
    )


def _answers_from_form(questions: list[QuestionPublic], form: FormData) -> list[AnswerIn]:
    """One answer per question that has a selection; an unanswered question counts as wrong."""
    answers = []
    for question in questions:
        selected = [str(v) for v in form.getlist(f"q-{question.id}")]
        if not selected:
            continue
        try:
            answers.append(
                AnswerIn.model_validate({"questionId": question.id, "selectedOptionIds": selected})
            )
        except ValidationError as exc:
            raise InvalidInput(
                _("The answer to “%(question)s” is not valid.", question=question.question),
                field=question.id,
            ) from exc
    return answers


@router.post("/training/attempts/{attempt_id}/submit")
def submit_quiz(
    request: Request,
    attempt_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    locale = current_locale()
    attempt = attempts.get_attempt(session, principal=user, attempt_id=attempt_id, locale=locale)
    if attempt.submitted_at is None:
        answers = _answers_from_form(attempt.questions, form)
        out_of_time = policy.is_late(attempt.deadline_at, utcnow())
        if len(answers) < len(attempt.questions) and not form.get("confirm") and not out_of_time:
            # Ask before grading an incomplete sheet (an empty one would be a silent 0 %),
            # with every answer given so far kept: here, and as the draft that
            # "Continue your attempt" shows (also without script).
            draft = drafts.save_draft(
                session, principal=user, attempt_id=attempt_id, answers=answers
            )
            return _quiz_page(
                request, user, attempt, chosen=drafts.chosen(draft), answered=len(answers)
            )
        try:
            attempts.submit_attempt(
                session, principal=user, attempt_id=attempt_id, answers=answers, locale=locale
            )
        except Conflict:
            pass  # submitted meanwhile (a double click): show the one result there is
    return _see_other(f"/training/attempts/{attempt_id}")


@router.post("/training/attempts/{attempt_id}/draft")
def save_draft(
    attempt_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    """The quiz page's script saves the form as the learner goes (the same fields as submit)."""
    attempt = attempts.get_attempt(session, principal=user, attempt_id=attempt_id)
    answers = _answers_from_form(attempt.questions, form)
    draft = drafts.save_draft(session, principal=user, attempt_id=attempt_id, answers=answers)
    return JSONResponse({"savedAt": draft.saved_at.isoformat() if draft.saved_at else None})
