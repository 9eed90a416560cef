"""Training routes: authoring (admin), taking quizzes, certificates, public verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from opsportal.auth.deps import AdminUser, CurrentUser
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.kit.downloads import download_route, pdf_download
from opsportal.training.assessment import attempts
from opsportal.training.catalogue import authoring
from opsportal.training.catalogue import service as catalogue
from opsportal.training.certification import service as certification
from opsportal.training.schemas import (
    AttemptRead,
    AttemptResult,
    AttemptStarted,
    CertificateRead,
    CourseCreate,
    CourseRead,
    CourseUpdate,
    QuizPut,
    QuizRead,
    RevokeBody,
    SubmitBody,
    TrackCreate,
    TrackOverview,
    TrackRead,
    TrackUpdate,
    VerificationRead,
)

router = APIRouter(prefix="/api/v1/training", tags=["training"])
public_router = APIRouter(prefix="/api/v1/certificates", tags=["training"])


# --- authoring ----------------------------------------------------------------


@router.post("/tracks", status_code=201, response_model=TrackRead)
def create_track(
    body: TrackCreate, session: SessionDep, admin: AdminUser, settings: SettingsDep
) -> TrackRead:
    """Create a certification track."""
    return catalogue.track_read(
        authoring.create_track(session, data=body, settings=settings, actor=admin)
    )


@router.patch("/tracks/{track_id}", response_model=TrackRead)
def update_track(
    track_id: ResourceId, body: TrackUpdate, session: SessionDep, admin: AdminUser
) -> TrackRead:
    """Change a track; raising the major version expires the certificates of earlier majors."""
    return catalogue.track_read(
        authoring.update_track(session, track_id=track_id, data=body, actor=admin)
    )


@router.post("/tracks/{track_id}/courses", status_code=201, response_model=CourseRead)
def create_course(
    track_id: ResourceId, body: CourseCreate, session: SessionDep, admin: AdminUser
) -> CourseRead:
    """Add a course (markdown content) to a track; it goes last unless sortOrder says otherwise."""
    course = authoring.create_course(session, track_id=track_id, data=body, actor=admin)
    return catalogue.get_course(session, principal=admin, course_id=course.id)


@router.patch("/courses/{course_id}", response_model=CourseRead)
def update_course(
    course_id: ResourceId, body: CourseUpdate, session: SessionDep, admin: AdminUser
) -> CourseRead:
    """Change a course."""
    authoring.update_course(session, course_id=course_id, data=body, actor=admin)
    return catalogue.get_course(session, principal=admin, course_id=course_id)


@router.put("/courses/{course_id}/quiz", response_model=QuizRead)
def put_quiz(
    course_id: ResourceId, body: QuizPut, session: SessionDep, admin: AdminUser
) -> QuizRead:
    """Create the course's quiz or replace it whole."""
    return catalogue.quiz_read(
        authoring.put_quiz(session, course_id=course_id, data=body, actor=admin)
    )


@router.get("/courses/{course_id}/quiz", response_model=QuizRead)
def read_quiz(course_id: ResourceId, session: SessionDep, admin: AdminUser) -> QuizRead:
    """The course's quiz with its answer key (admins only)."""
    return catalogue.get_quiz(session, principal=admin, course_id=course_id)


# --- learning -------------------------------------------------------------------


@router.get("/tracks", response_model=list[TrackOverview])
def list_tracks(
    session: SessionDep,
    user: CurrentUser,
    include_inactive: Annotated[
        bool, Query(alias="includeInactive", description="Admins only: inactive tracks too")
    ] = False,
) -> list[TrackOverview]:
    """Active tracks visible to the caller, courses in order, with the caller's progress."""
    return catalogue.list_tracks_for(session, principal=user, include_inactive=include_inactive)


@router.get("/tracks/{track_id}", response_model=TrackOverview)
def read_track(track_id: ResourceId, session: SessionDep, user: CurrentUser) -> TrackOverview:
    """One track with its courses and the caller's progress."""
    return catalogue.get_track_overview(session, principal=user, track_id=track_id)


@router.get("/courses/{course_id}", response_model=CourseRead)
def read_course(course_id: ResourceId, session: SessionDep, user: CurrentUser) -> CourseRead:
    """One course; `content` is markdown."""
    return catalogue.get_course(session, principal=user, course_id=course_id)


@router.post("/quizzes/{quiz_id}/start", status_code=201, response_model=AttemptStarted)
def start_attempt(quiz_id: ResourceId, session: SessionDep, user: CurrentUser) -> AttemptStarted:
    """Start an attempt: the questions without anything that reveals the answer key."""
    return attempts.start_attempt(session, principal=user, quiz_id=quiz_id)


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptResult)
def submit_attempt(
    attempt_id: ResourceId, body: SubmitBody, session: SessionDep, user: CurrentUser
) -> AttemptResult:
    """Submit answers once; the result carries per-question feedback."""
    return attempts.submit_attempt(
        session, principal=user, attempt_id=attempt_id, answers=body.answers
    )


@router.get("/attempts/{attempt_id}", response_model=AttemptRead)
def read_attempt(attempt_id: ResourceId, session: SessionDep, user: CurrentUser) -> AttemptRead:
    """The caller's attempt; `result` (with feedback) appears once it is submitted."""
    return attempts.get_attempt(session, principal=user, attempt_id=attempt_id)


@router.get("/attempts/{attempt_id}/result", response_model=AttemptResult)
def read_attempt_result(
    attempt_id: ResourceId, session: SessionDep, user: CurrentUser
) -> AttemptResult:
    """The graded result of the caller's submitted attempt (409 before submission)."""
    return attempts.get_attempt_result(session, principal=user, attempt_id=attempt_id)


# --- certificates -----------------------------------------------------------------


@router.post(
    "/tracks/{track_id}/certificate",
    status_code=201,
    response_model=CertificateRead,
    responses={200: {"model": CertificateRead, "description": "Already certified"}},
)
def issue_certificate(
    track_id: ResourceId,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    response: Response,
) -> CertificateRead:
    """Certify a completed track (201) or return the active certificate (200); 409 if not done."""
    certificate, created = certification.issue_certificate(
        session, principal=user, track_id=track_id, settings=settings
    )
    if not created:
        response.status_code = 200
    return certificate


@router.get("/certificates", response_model=list[CertificateRead])
def list_certificates(session: SessionDep, user: CurrentUser) -> list[CertificateRead]:
    """The caller's certificates, newest first."""
    return certification.list_certificates(session, principal=user)


@router.get("/certificates/{certificate_id}", response_model=CertificateRead)
def read_certificate(
    certificate_id: ResourceId, session: SessionDep, user: CurrentUser
) -> CertificateRead:
    """One of the caller's certificates."""
    return certification.get_certificate(session, principal=user, certificate_id=certificate_id)


@router.get(
    "/certificates/{certificate_id}/pdf", **download_route("application/pdf", "The certificate")
)
def certificate_pdf(
    certificate_id: ResourceId, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Response:
    """The certificate as a PDF with a QR code of its public verification URL."""
    filename, content = certification.render_certificate_pdf(
        session, principal=user, certificate_id=certificate_id, settings=settings
    )
    return pdf_download(content, filename=filename)


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificateRead)
def revoke_certificate(
    certificate_id: ResourceId, body: RevokeBody, session: SessionDep, admin: AdminUser
) -> CertificateRead:
    """Revoke a certificate, with the reason recorded."""
    return certification.revoke_certificate(
        session, principal=admin, certificate_id=certificate_id, reason=body.reason
    )


@public_router.get("/verify/{verification_code}", response_model=VerificationRead)
def verify_certificate(verification_code: str, session: SessionDep) -> VerificationRead:
    """Public, no authentication: is this certificate genuine and still valid?"""
    return certification.verify_certificate(session, code=verification_code)
