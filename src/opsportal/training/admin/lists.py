"""Admin pages: a track's learners and attempts, certificates (with revocation)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import Conflict, NotFound
from opsportal.models import Track
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
StatusFilter = Annotated[QueryText | None, Query(max_length=20)]


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def _query(**params: object) -> str:
    """The list's filters for the pager's links (empty ones left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@dataclass(frozen=True)
class ListFilters:
    """A list page's status, organisation and search filters, and which page of it."""

    status: str | None  # as sent: `chosen` keeps it only where the list knows it
    organization: int | None
    q: str
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * ROWS_PER_PAGE

    def chosen(self, statuses: Collection[str]) -> str | None:
        return self.status if self.status in statuses else None

    def shown(self, status: str | None, total: int, **more: int | None) -> dict[str, Any]:
        """The filters and the pager for the template (`more`: the list's own filters, first)."""
        return {
            "status": status or "",
            "organization": self.organization,
            "q": self.q,
            "page": self.page,
            "pages": page_count(total, ROWS_PER_PAGE),
            "query": _query(**more, status=status, organization=self.organization, q=self.q),
        }


async def list_filters(
    status: StatusFilter = None,
    organization: IdFilter = None,
    q: Search = None,
    page: PageNumber = 1,
) -> ListFilters:
    return ListFilters(status, _id(organization), q or "", page)


Filters = Annotated[ListFilters, Depends(list_filters)]


@router.get("/admin/tracks/{track_id}/learners")
def learners(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, filters: Filters
) -> Response:
    track = service.get_track(session, track_id)
    chosen = filters.chosen(service.LEARNER_STATUSES)
    rows = service.list_learners(
        session,
        track=track,
        status=chosen,
        organization_id=filters.organization,
        search=filters.q or None,
    )
    return render(
        request,
        "admin/learners.html",
        user=user,
        track=track,
        rows=rows[filters.offset : filters.offset + ROWS_PER_PAGE],
        total=len(rows),
        statuses=service.LEARNER_STATUSES,
        organizations=_organizations(session, track),
        **filters.shown(chosen, len(rows)),
    )


@router.get("/admin/tracks/{track_id}/attempts")
def attempts(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, filters: Filters
) -> Response:
    track = service.get_track(session, track_id)
    chosen = filters.chosen(repository.ATTEMPT_STATUSES)
    rows, total = repository.attempts(
        session,
        quiz_ids=service.quiz_ids(track),
        status=chosen,
        organization_id=filters.organization,
        search=filters.q or None,
        limit=ROWS_PER_PAGE,
        offset=filters.offset,
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
        organizations=_organizations(session, track),
        **filters.shown(chosen, total),
    )


def _organizations(session: Session, track: Track) -> list[tuple[int, str]]:
    """The organisations of a track's learners, for its lists' organisation filter."""
    return repository.learner_organizations(
        session, track_id=track.id, quiz_ids=service.quiz_ids(track)
    )


@router.get("/admin/certificates")
def certificates(
    request: Request, session: SessionDep, user: PageAdmin, filters: Filters, track: IdFilter = None
) -> Response:
    track_id = _id(track)
    chosen = filters.chosen(CertificateStatus.__members__)
    now = utcnow()
    rows, total = repository.certificates(
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
        organizations=repository.certificate_organizations(session, track_id=track_id),
        track=track_id,
        **filters.shown(chosen, total, track=track_id),
        message=flash(request),
    )


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
