"""Admin pages: the quiz builder of a course.

With script (`static/quiz-builder.js`), "Add question", "Add option" and the remove buttons
work in place. Without it they are submit buttons that post the whole form back and get it
again with the row added or removed, the author's field focused; "Save" validates
everything and shows every error at its field.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.models import Course, QuestionType, Quiz, Track
from opsportal.principal import Principal
from opsportal.training.admin import quiz_form
from opsportal.training.admin.forms import FieldErrors, add_domain_errors
from opsportal.training.admin.tracks import see_other
from opsportal.training.catalogue import authoring
from opsportal.training.schemas import MAX_OPTIONS, MAX_QUESTIONS, QuizPolicy
from opsportal.web.i18n import _
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def _builder(
    request: Request,
    user: Principal,
    *,
    course: Course,
    track: Track,
    quiz: Quiz | None,
    form: quiz_form.QuizForm,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    reveal = QuizPolicy.model_fields["reveal_answers"].annotation
    return render(
        request,
        "admin/quiz_form.html",
        user=user,
        course=course,
        track=track,
        quiz=quiz,
        form=form,
        errors=errors,
        describe=quiz_form.describe,
        question_types=list(QuestionType),
        reveal_choices=[choice.value for choice in reveal] if reveal is not None else [],
        focus=form.focus,
        # What quiz-builder.js needs to add rows in place, as the server would.
        max_questions=MAX_QUESTIONS,
        max_options=MAX_OPTIONS,
        option_ids=quiz_form.OPTION_IDS,
        true_false=quiz_form.true_false_texts(),
        blank_question=quiz_form.QuestionRow(
            id="", options=[quiz_form.OptionRow(id="a"), quiz_form.OptionRow(id="b")]
        ),
        blank_option=quiz_form.OptionRow(id=""),
        status_code=status_code,
    )


@router.get("/admin/courses/{course_id}/quiz")
def quiz_builder(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    course = authoring.get_course(session, course_id)
    form = quiz_form.from_quiz(course.quiz, course_title=course.title)
    return _builder(
        request, user, course=course, track=course.track, quiz=course.quiz, form=form, errors={}
    )


@router.post("/admin/courses/{course_id}/quiz")
def save_quiz(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    course = authoring.get_course(session, course_id)
    # Taken now: a rollback below expires the loaded relationships.
    track, quiz = course.track, course.quiz
    builder = quiz_form.from_form(form)
    action = form.get("action")
    if isinstance(action, str) and builder.apply(action):
        return _builder(
            request, user, course=course, track=track, quiz=quiz, form=builder, errors={}
        )
    data, errors = builder.validate()
    if data is not None:
        try:
            authoring.put_quiz(session, course_id=course.id, data=data, actor=user)
        except InvalidInput as exc:
            add_domain_errors(errors, exc)
    if errors:
        session.rollback()
        return _builder(
            request,
            user,
            course=course,
            track=track,
            quiz=quiz,
            form=builder,
            errors=errors,
            status_code=422,
        )
    return see_other(
        request,
        f"/admin/tracks/{course.track_id}",
        _("Quiz of “%(title)s” saved.", title=course.title),
    )
