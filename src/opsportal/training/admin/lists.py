"""Admin pages: a track's learners and attempts, certificates (with revocation)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import Conflict, NotFound
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.schemas import MAX_ID, QueryText
from opsportal.training import repository as training_repository
from opsportal.training.admin import repository, service
from opsportal.training.admin.forms import FieldErrors, add_validation_errors, text
from opsportal.training.admin.tracks import flash, see_other
from opsportal.training.certificates import CertificateStatus
from opsportal.training.certification import service as certification
from opsportal.training.schemas import RevokeBody
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import page_count, render

router = APIRouter(include_in_schema=False)

ROWS_PER_PAGE = 50
Search = Annotated[QueryText | None, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
# A filter's "Any" sends an empty value: a chosen id or nothing, never a 422 for "".
IdFilter = Annotated[QueryText | None, Query(max_length=10)]


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def _query(**params: object) -> str:
    """The list's filters for the pager's links (empty ones left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@router.get("/admin/tracks/{track_id}/learners")
def learners(
    request: Request,
    track_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    status: Annotated[QueryText | None, Query(max_length=20)] = None,
    organization: IdFilter = None,
    q: Search = None,
    page: PageNumber = 1,
) -> Response:
    track = service.get_track(session, track_id)
    organization_id = _id(organization)
    chosen = status if status in service.LEARNER_STATUSES else None
    rows = service.list_learners(
        session, track=track, status=chosen, organization_id=organization_id, search=q or None
    )
    start = (page - 1) * ROWS_PER_PAGE
    return render(
        request,
        "admin/learners.html",
        user=user,
        track=track,
        rows=rows[start : start + ROWS_PER_PAGE],
        total=len(rows),
        statuses=service.LEARNER_STATUSES,
        organizations=repository.learner_organizations(
            session, track_id=track.id, quiz_ids=service.quiz_ids(track)
        ),
        status=chosen or "",
        organization=organization_id,
        q=q or "",
        page=page,
        pages=page_count(len(rows), ROWS_PER_PAGE),
        query=_query(status=chosen, organization=organization_id, q=q),
    )


@router.get("/admin/tracks/{track_id}/attempts")
def attempts(
    request: Request,
    track_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    status: Annotated[QueryText | None, Query(max_length=20)] = None,
    organization: IdFilter = None,
    q: Search = None,
    page: PageNumber = 1,
) -> Response:
    track = service.get_track(session, track_id)
    organization_id = _id(organization)
    chosen = status if status in repository.ATTEMPT_STATUSES else None
    rows, total = repository.attempts(
        session,
        quiz_ids=service.quiz_ids(track),
        status=chosen,
        organization_id=organization_id,
        search=q or None,
        limit=ROWS_PER_PAGE,
        offset=(page - 1) * ROWS_PER_PAGE,
    )
    return render(
        request,
        "admin/attempts.html",
        user=user,
        track=track,
        rows=rows,
        total=total,
        courses={c.quiz.id: c.title for c in track.courses if c.quiz is not None},
        statuses=repository.ATTEMPT_STATUSES,
        organizations=repository.learner_organizations(
            session, track_id=track.id, quiz_ids=service.quiz_ids(track)
        ),
        status=chosen or "",
        organization=organization_id,
        q=q or "",
        page=page,
        pages=page_count(total, ROWS_PER_PAGE),
        query=_query(status=chosen, organization=organization_id, q=q),
    )


def _certificates_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    track: int | None,
    status: str | None,
    organization: int | None,
    q: str,
    page: int,
    status_code: int = 200,
) -> Response:
    chosen = (
        CertificateStatus(status) if status and status in CertificateStatus.__members__ else None
    )
    now = utcnow()
    rows, total = repository.certificates(
        session,
        track_id=track,
        status=chosen,
        organization_id=organization,
        search=q or None,
        now=now,
        limit=ROWS_PER_PAGE,
        offset=(page - 1) * ROWS_PER_PAGE,
    )
    return render(
        request,
        "admin/certificates.html",
        user=user,
        rows=[(c, service.certificate_status(c, now), email, org) for c, email, org in rows],
        total=total,
        tracks=repository.all_tracks(session),
        statuses=list(CertificateStatus),
        organizations=repository.certificate_organizations(session, track_id=track),
        track=track,
        status=chosen.value if chosen else "",
        organization=organization,
        q=q,
        page=page,
        pages=page_count(total, ROWS_PER_PAGE),
        query=_query(track=track, status=chosen, organization=organization, q=q),
        message=flash(request),
        status_code=status_code,
    )


@router.get("/admin/certificates")
def certificates(
    request: Request,
    session: SessionDep,
    user: PageAdmin,
    track: IdFilter = None,
    status: Annotated[QueryText | None, Query(max_length=20)] = None,
    organization: IdFilter = None,
    q: Search = None,
    page: PageNumber = 1,
) -> Response:
    return _certificates_page(
        request, session, user, track=_id(track), status=status, organization=_id(organization),
        q=q or "", page=page,
    )  # fmt: skip


def _revoke_form(
    request: Request,
    session: Session,
    user: Principal,
    certificate_id: int,
    *,
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
        status_code=status_code,
    )


@router.get("/admin/certificates/{certificate_id}/revoke")
def revoke_form(
    request: Request, certificate_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    return _revoke_form(request, session, user, certificate_id)


@router.post("/admin/certificates/{certificate_id}/revoke")
def revoke_certificate(
    request: Request,
    certificate_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    form: CheckedForm,
) -> Response:
    reason = text(form, "reason")
    errors: FieldErrors = {}
    status_code = 422
    try:
        body = RevokeBody.model_validate({"reason": reason})
        revoked = certification.revoke_certificate(
            session, principal=user, certificate_id=certificate_id, reason=body.reason
        )
    except ValidationError as exc:
        add_validation_errors(errors, exc)
    except Conflict as exc:
        errors["reason"], status_code = exc.detail, exc.status_code
    if errors:
        session.rollback()
        return _revoke_form(
            request, session, user, certificate_id, reason=reason, errors=errors,
            status_code=status_code,
        )  # fmt: skip
    return see_other(
        request,
        "/admin/certificates",
        f"Certificate {revoked.certificate_number} revoked: “{revoked.revocation_reason}”.",
    )
