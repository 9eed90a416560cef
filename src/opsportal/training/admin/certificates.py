"""Admin pages: every certificate, and revoking one after a confirmation step.

The confirmation is a page of its own (a dialog on the list when script runs);
the list's filters and page travel with it as the query string, so the admin
lands back on the same rows after revoking or cancelling.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import Conflict, NotFound
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository as training_repository
from opsportal.training.admin import certificate_repository, repository, service
from opsportal.training.admin.forms import FieldErrors, add_validation_errors, text
from opsportal.training.admin.lists import (
    ROWS_PER_PAGE,
    Filters,
    IdFilter,
    ListFilters,
    chosen_id,
    list_query,
)
from opsportal.training.admin.tracks import flash, see_other
from opsportal.training.certificates import CertificateStatus
from opsportal.training.certification import service as certification
from opsportal.training.schemas import RevokeBody
from opsportal.web.i18n import _
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render
from opsportal.web.translatable import shown

router = APIRouter(include_in_schema=False)

LIST = "/admin/certificates"


def _back(filters: ListFilters, track: str | None) -> str:
    """The list's query string (its filters and page), rebuilt from the parsed values only."""
    return list_query(
        track=chosen_id(track),
        status=filters.chosen(CertificateStatus.__members__),
        organization=filters.organization,
        q=filters.q,
        page=filters.page if filters.page > 1 else None,
    )


def _list_url(back: str, anchor: str = "") -> str:
    return f"{LIST}?{back}{anchor}" if back else f"{LIST}{anchor}"


@router.get(LIST)
def certificates(
    request: Request, session: SessionDep, user: PageAdmin, filters: Filters, track: IdFilter = None
) -> Response:
    track_id = chosen_id(track)
    chosen = filters.chosen(CertificateStatus.__members__)
    now = utcnow()
    rows, total = certificate_repository.certificates(
        session,
        track_id=track_id,
        status=CertificateStatus(chosen) if chosen else None,
        organization_id=filters.organization,
        search=filters.q or None,
        now=now,
        limit=ROWS_PER_PAGE,
        offset=filters.offset,
    )
    return render(
        request,
        "admin/certificates.html",
        user=user,
        rows=[(c, service.certificate_status(c, now), email, org) for c, email, org in rows],
        total=total,
        tracks=repository.all_tracks(session),
        statuses=list(CertificateStatus),
        organizations=certificate_repository.certificate_organizations(session, track_id=track_id),
        track=track_id,
        back=_back(filters, track),
        **filters.shown(chosen, total, track=track_id),
        message=flash(request),
    )


def _revoke_form(
    request: Request,
    session: Session,
    user: Principal,
    certificate_id: int,
    *,
    back: str,
    reason: str = "",
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    certificate = training_repository.get_certificate(session, certificate_id)
    if certificate is None:
        raise NotFound(f"Certificate {certificate_id} not found.")
    return render(
        request,
        "admin/revoke.html",
        user=user,
        certificate=certificate,
        status=service.certificate_status(certificate, utcnow()),
        reason=reason,
        errors=errors or {},
        back=back,
        list_url=_list_url(back, f"#certificate-{certificate.id}"),
        status_code=status_code,
    )


@router.get("/admin/certificates/{certificate_id}/revoke")
def revoke_form(
    request: Request,
    certificate_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    filters: Filters,
    track: IdFilter = None,
) -> Response:
    """The confirmation step: who holds it, what it is, what revoking does, and why."""
    return _revoke_form(request, session, user, certificate_id, back=_back(filters, track))


@router.post("/admin/certificates/{certificate_id}/revoke")
def revoke_certificate(
    request: Request,
    certificate_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    settings: SettingsDep,
    form: CheckedForm,
    filters: Filters,
    track: IdFilter = None,
) -> Response:
    back = _back(filters, track)
    reason = text(form, "reason")
    errors: FieldErrors = {}
    status_code = 422
    try:
        body = RevokeBody.model_validate({"reason": reason})
        revoked = certification.revoke_certificate(
            session,
            principal=user,
            certificate_id=certificate_id,
            reason=body.reason,
            settings=settings,
        )
    except ValidationError as exc:
        add_validation_errors(errors, exc)
    except Conflict as exc:
        errors["reason"], status_code = shown(exc.detail), exc.status_code
    if errors:
        session.rollback()
        return _revoke_form(
            request, session, user, certificate_id, back=back, reason=reason, errors=errors,
            status_code=status_code,
        )  # fmt: skip
    return see_other(
        request,
        _list_url(back, f"#certificate-{certificate_id}"),
        _(
            "Certificate %(number)s revoked: “%(reason)s”.",
            number=revoked.certificate_number,
            reason=revoked.revocation_reason,
        ),
    )
