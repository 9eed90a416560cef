"""Certificate pages: claiming one, my certificates and their PDFs, the public verification page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import NotFound
from opsportal.i18n import current_locale
from opsportal.kit.downloads import pdf_download
from opsportal.training.certificates import credential_filename
from opsportal.training.certification import service as certification
from opsportal.training.credentials.service import share_links
from opsportal.web.i18n import _
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
        # The tracks' names in the page's language, as the PDFs print them.
        track_names=certification.achievement_names(session, certificates, locale=current_locale()),
        share={
            c.id: share_links(settings, c, verification_code=c.verification_code)
            for c in certificates
        },
        claimed=claimed,
        claimed_new=bool(claim.get("created")),
    )


@router.get("/certificates/{certificate_id}")
def my_certificate(
    request: Request,
    certificate_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
) -> Response:
    """The holder's own certificate: its files, its digital badge explained, and sharing it."""
    certificate = certification.own_certificate(
        session, principal=user, certificate_id=certificate_id
    )
    return render(
        request,
        "training/certificate.html",
        user=user,
        certificate=certificate,
        track_name=certification.achievement_names(session, [certificate], locale=current_locale())[
            certificate.id
        ],
        links=share_links(settings, certificate, verification_code=certificate.verification_code),
        badge_filename=credential_filename(certificate.certificate_number, certificate.track_name),
        issuer_name=settings.credential_issuer_name,
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
    return _verify_page(request, code, session, settings)


@router.post("/verify/{code}/name")
def check_holder_name(
    request: Request, code: str, session: SessionDep, settings: SettingsDep, form: CheckedForm
) -> Response:
    """Public: someone who knows the holder's name confirms it, where the name is withheld."""
    name = form.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        return _verify_page(request, code, session, settings, name_check=False, status_code=422)
    try:
        matches = certification.holder_name_matches(session, code=code, name=name)
    except NotFound:
        matches = False
    return _verify_page(request, code, session, settings, name_check=matches)


MAX_NAME_LENGTH = 200


def _verify_page(
    request: Request,
    code: str,
    session: SessionDep,
    settings: SettingsDep,
    *,
    name_check: bool | None = None,
    status_code: int = 200,
) -> Response:
    try:
        verification = certification.verify_certificate(session, code=code)
    except NotFound:
        # The one way a code is not found; the API's problem says it in English.
        message = _("No certificate has this verification code.")
        return render(
            request, "training/verify.html", verification=None, message=message, status_code=404
        )
    links = share_links(settings, verification, verification_code=code)
    return render(
        request,
        "training/verify.html",
        verification=verification,
        message=None,
        links=links,
        code=code,
        name_check=name_check,
        status_code=status_code,
    )
