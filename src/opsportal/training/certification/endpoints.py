"""Certificate routes: issue (claim), list, read, PDF, revoke, and the public verification."""

from __future__ import annotations

from fastapi import APIRouter, Response

from opsportal.auth.deps import AdminUser, CurrentUser
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.kit.downloads import download_route, pdf_download
from opsportal.training.certification import service as certification
from opsportal.training.schemas import (
    CertificateRead,
    RevokeBody,
    VerificationRead,
)

router = APIRouter(prefix="/api/v1/training", tags=["training"])


public_router = APIRouter(prefix="/api/v1/certificates", tags=["training"])


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
    certificate_id: ResourceId,
    body: RevokeBody,
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
) -> CertificateRead:
    """Revoke a certificate, with the reason recorded; the holder is notified and emailed."""
    return certification.revoke_certificate(
        session,
        principal=admin,
        certificate_id=certificate_id,
        reason=body.reason,
        settings=settings,
    )


@public_router.get("/verify/{verification_code}", response_model=VerificationRead)
def verify_certificate(verification_code: str, session: SessionDep) -> VerificationRead:
    """Public, no authentication: is this certificate genuine and still valid?"""
    return certification.verify_certificate(session, code=verification_code)
