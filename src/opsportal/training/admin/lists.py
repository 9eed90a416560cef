"""Admin pages: a track's learners and attempts, and the list filters they share with the
certificates list (admin/certificates.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from opsportal.deps import ResourceId, SessionDep
from opsportal.models import Track
from opsportal.schemas import MAX_ID, QueryText
from opsportal.training.admin import repository, service
from opsportal.web.session import PageAdmin
from opsportal.web.templating import page_count, render

router = APIRouter(include_in_schema=False)

ROWS_PER_PAGE = 50
Search = Annotated[QueryText | None, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
# A filter's "Any" sends an empty value: a chosen id or nothing, never a 422 for "".
IdFilter = Annotated[QueryText | None, Query(max_length=10)]
StatusFilter = Annotated[QueryText | None, Query(max_length=20)]


def chosen_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def list_query(**params: object) -> str:
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
            "query": list_query(**more, status=status, organization=self.organization, q=self.q),
        }


async def list_filters(
    status: StatusFilter = None,
    organization: IdFilter = None,
    q: Search = None,
    page: PageNumber = 1,
) -> ListFilters:
    return ListFilters(status, chosen_id(organization), q or "", page)


Filters = Annotated[ListFilters, Depends(list_filters)]


@router.get("/admin/tracks/{track_id}/learners")
def learners(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, filters: Filters
) -> Response:
    track = service.get_track(session, track_id)
    chosen = filters.chosen(service.LEARNER_STATUSES)
    rows, total = service.learners_page(
        session,
        track=track,
        status=chosen,
        organization_id=filters.organization,
        search=filters.q or None,
        limit=ROWS_PER_PAGE,
        offset=filters.offset,
    )
    return render(
        request,
        "admin/learners.html",
        user=user,
        track=track,
        rows=rows,
        total=total,
        statuses=service.LEARNER_STATUSES,
        organizations=_organizations(session, track),
        **filters.shown(chosen, total),
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
