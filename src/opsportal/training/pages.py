"""Training pages: catalogue, my certificates, public verification (the course, quiz and
result pages are in learner_pages.py).

Thin like the JSON endpoints: they call the same service functions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.db import SessionDep
from opsportal.deps import SettingsDep
from opsportal.errors import NotFound
from opsportal.schemas import ResourceId
from opsportal.training import service
from opsportal.training.downloads import pdf_download
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


@router.post("/training/tracks/{track_id}/certificate")
def claim_certificate(
    track_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    certificate, _ = service.issue_certificate(
        session, principal=user, track_id=track_id, settings=settings
    )
    return _see_other(f"/certificates#certificate-{certificate.id}")


@router.get("/certificates")
def my_certificates(request: Request, session: SessionDep, user: PageUser) -> Response:
    certificates = service.list_certificates(session, principal=user)
    return render(request, "training/certificates.html", user=user, certificates=certificates)


@router.get("/certificates/{certificate_id}/pdf")
def certificate_pdf(
    certificate_id: ResourceId, session: SessionDep, user: PageUser, settings: SettingsDep
) -> Response:
    filename, pdf = service.render_certificate_pdf(
        session, principal=user, certificate_id=certificate_id, settings=settings
    )
    return pdf_download(filename, pdf)


@router.get("/verify/{code}")
def verify_page(request: Request, code: str, session: SessionDep) -> Response:
    """Public: anyone holding a certificate's QR code can check it here."""
    try:
        verification = service.verify_certificate(session, code=code)
    except NotFound as exc:
        return render(
            request, "training/verify.html", verification=None, message=exc.detail, status_code=404
        )
    return render(request, "training/verify.html", verification=verification, message=None)
