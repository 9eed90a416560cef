"""Certificate pages: claiming one, my certificates and their PDFs, the public verification page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.config import Settings
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import NotFound
from opsportal.kit.downloads import pdf_download
from opsportal.training.certification import service as certification
from opsportal.training.credentials.service import ShareLinks, share_links
from opsportal.training.schemas import CertificateRead
from opsportal.web.session import CheckedForm, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

# The certificates page confirms a claim once, with the link to copy and share.
CLAIMED_KEY = "certificate_claimed"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.post("/training/tracks/{track_id}/certificate")
def claim_certificate(
    request: Request,
    track_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    certificate, created = certification.issue_certificate(
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
    certificates = certification.list_certificates(session, principal=user)
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
    filename, pdf = certification.render_certificate_pdf(
        session, principal=user, certificate_id=certificate_id, settings=settings
    )
    return pdf_download(pdf, filename=filename)


@router.get("/verify/{code}")
def verify_page(
    request: Request, code: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Public: anyone holding a certificate's QR code can check it here."""
    try:
        verification = certification.verify_certificate(session, code=code)
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
