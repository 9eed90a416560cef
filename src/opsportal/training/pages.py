"""Training pages: catalogue, course, quiz, result, my certificates, public verification.

Thin like the JSON endpoints: they call the same service functions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.config import Settings
from opsportal.db import SessionDep
from opsportal.deps import SettingsDep
from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.schemas import ResourceId
from opsportal.training import service
from opsportal.training.credentials.service import ShareLinks, share_links
from opsportal.training.downloads import pdf_download
from opsportal.training.markdown import render_course_content
from opsportal.training.schemas import AnswerIn, AttemptRead, CertificateRead, QuestionPublic
from opsportal.training.service.assignments import my_assignments
from opsportal.web.session import CheckedForm, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/training")
def catalogue(request: Request, session: SessionDep, user: PageUser) -> Response:
    tracks = service.list_tracks_for(session, principal=user)
    assigned = my_assignments(session, principal=user)
    return render(
        request, "training/catalogue.html", user=user, tracks=tracks, assignments=assigned
    )


@router.get("/training/courses/{course_id}")
def course_page(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    course = service.get_course(session, principal=user, course_id=course_id)
    track = service.get_track_overview(session, principal=user, track_id=course.track_id)
    passed = next((c.is_passed for c in track.courses if c.id == course.id), False)
    return render(
        request,
        "training/course.html",
        user=user,
        course=course,
        track=track,
        passed=passed,
        content_html=render_course_content(course.content),
    )


@router.post("/training/quizzes/{quiz_id}/start")
def start_quiz(
    quiz_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    attempt = service.start_attempt(session, principal=user, quiz_id=quiz_id)
    return _see_other(f"/training/attempts/{attempt.attempt_id}")


@router.get("/training/attempts/{attempt_id}")
def attempt_page(
    request: Request, attempt_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    attempt = service.get_attempt(session, principal=user, attempt_id=attempt_id)
    course = service.get_course(session, principal=user, course_id=attempt.course_id)
    if attempt.result is None:
        return render(request, "training/quiz.html", user=user, attempt=attempt, course=course)
    options = {q.id: {o.id: o.text for o in q.options} for q in attempt.questions}
    return render(
        request,
        "training/result.html",
        user=user,
        attempt=attempt,
        result=attempt.result,
        course=course,
        options=options,
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
                f"The answer to “{question.question}” is not valid.", field=question.id
            ) from exc
    return answers


@router.post("/training/attempts/{attempt_id}/submit")
def submit_quiz(
    attempt_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    attempt: AttemptRead = service.get_attempt(session, principal=user, attempt_id=attempt_id)
    if attempt.submitted_at is None:
        try:
            service.submit_attempt(
                session,
                principal=user,
                attempt_id=attempt_id,
                answers=_answers_from_form(attempt.questions, form),
            )
        except Conflict:
            pass  # submitted meanwhile (a double click): show the one result there is
    return _see_other(f"/training/attempts/{attempt_id}")


# The certificates page confirms a claim once, with the link to copy and share.
CLAIMED_KEY = "certificate_claimed"


@router.post("/training/tracks/{track_id}/certificate")
def claim_certificate(
    request: Request,
    track_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    certificate, created = service.issue_certificate(
        session, principal=user, track_id=track_id, settings=settings
    )
    request.session[CLAIMED_KEY] = {"id": certificate.id, "created": created}
    return _see_other(f"/certificates#certificate-{certificate.id}")


def _share_links(settings: Settings, certificate: CertificateRead) -> ShareLinks:
    return share_links(
        settings,
        verification_code=certificate.verification_code,
        certificate_number=certificate.certificate_number,
        track_name=certificate.track_name,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )


@router.get("/certificates")
def my_certificates(
    request: Request, session: SessionDep, user: PageUser, settings: SettingsDep
) -> Response:
    certificates = service.list_certificates(session, principal=user)
    claim = request.session.pop(CLAIMED_KEY, None) or {}
    claimed = next((c for c in certificates if c.id == claim.get("id")), None)
    return render(
        request,
        "training/certificates.html",
        user=user,
        certificates=certificates,
        share={c.id: _share_links(settings, c) for c in certificates},
        claimed=claimed,
        claimed_new=bool(claim.get("created")),
    )


@router.get("/certificates/{certificate_id}/pdf")
def certificate_pdf(
    certificate_id: ResourceId, session: SessionDep, user: PageUser, settings: SettingsDep
) -> Response:
    filename, pdf = service.render_certificate_pdf(
        session, principal=user, certificate_id=certificate_id, settings=settings
    )
    return pdf_download(filename, pdf)


@router.get("/verify/{code}")
def verify_page(
    request: Request, code: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Public: anyone holding a certificate's QR code can check it here."""
    try:
        verification = service.verify_certificate(session, code=code)
    except NotFound as exc:
        return render(
            request, "training/verify.html", verification=None, message=exc.detail, status_code=404
        )
    links = share_links(
        settings,
        verification_code=code,
        certificate_number=verification.certificate_number,
        track_name=verification.track_name,
        issued_at=verification.issued_at,
        expires_at=verification.expires_at,
    )
    return render(
        request, "training/verify.html", verification=verification, message=None, links=links
    )
