"""The organisation list (staff): search, filters, sorting, pages that keep them.

Here rather than in `tenants`, because one of its filters is a benchmark's ("any
metric in the bottom quartile"): benchmarks know organisations, not the reverse.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from opsportal.benchmarks.pages import wording
from opsportal.benchmarks.repository import bottom_quartile_ids
from opsportal.config import Settings
from opsportal.deps import SessionDep, SettingsDep
from opsportal.errors import InvalidInput
from opsportal.models import OrganizationStatus
from opsportal.schemas import QueryText
from opsportal.tenants import service as tenant_service
from opsportal.tenants.repository import OrganizationFilter, Sort
from opsportal.web.i18n import N_, ngettext
from opsportal.web.session import PageStaff
from opsportal.web.templating import page_count, render, templates

router = APIRouter(include_in_schema=False)

ORGANIZATIONS_PER_PAGE = 50
SORTS = {"name": N_("Name"), "size": N_("Size (largest first)"), "status": N_("Status")}


def _status(status: str | None) -> OrganizationStatus | None:
    if not status:
        return None
    try:
        return OrganizationStatus(status.upper())
    except ValueError:
        choices = ", ".join(s.value for s in OrganizationStatus)
        raise InvalidInput(
            f"Unknown status {status!r}; the statuses are {choices}.", field="status"
        ) from None


def _size_bounds(settings: Settings, size: str | None) -> tuple[int | None, int | None]:
    if not size:
        return None, None
    band = next((b for b in settings.size_bands if b.label == size), None)
    if band is None:
        labels = ", ".join(b.label for b in settings.size_bands)
        raise InvalidInput(f"Unknown size band {size!r}; the bands are {labels}.", field="size")
    return band.minimum, band.maximum


def found_text(total: int, *, query: str, bottom: bool) -> str:
    """ "12 organizations matching “acme” with a metric in the bottom quartile of …"."""
    count = wording.number(total)
    if query and bottom:
        return ngettext(
            "%(count)s organization matching “%(query)s” with a metric in the bottom quartile "
            "of their default peer group (latest run)",
            "%(count)s organizations matching “%(query)s” with a metric in the bottom quartile "
            "of their default peer group (latest run)",
            total,
            count=count,
            query=query,
        )
    if query:
        return ngettext(
            "%(count)s organization matching “%(query)s”",
            "%(count)s organizations matching “%(query)s”",
            total,
            count=count,
            query=query,
        )
    if bottom:
        return ngettext(
            "%(count)s organization with a metric in the bottom quartile of their default peer "
            "group (latest run)",
            "%(count)s organizations with a metric in the bottom quartile of their default peer "
            "group (latest run)",
            total,
            count=count,
        )
    return organizations_count(total)


def organizations_count(total: int) -> str:
    """ "12 organizations"."""
    return ngettext(
        "%(count)s organization", "%(count)s organizations", total, count=wording.number(total)
    )


templates.env.filters["organizations_count"] = organizations_count


@router.get("/organizations")
def organization_list(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    settings: SettingsDep,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
    # Text, not the enum: the form's "Any status" sends an empty value.
    status: Annotated[QueryText | None, Query(max_length=20)] = None,
    bottom: Annotated[bool, Query(description="Any metric in the bottom quartile")] = False,
    sort: Annotated[Sort, Query()] = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    chosen_status = _status(status)
    employee_min, employee_max = _size_bounds(settings, size)
    filters = OrganizationFilter(
        search=q or None,
        industry_sector=industry or None,
        employee_min=employee_min,
        employee_max=employee_max,
        status=chosen_status,
        restrict_to=bottom_quartile_ids() if bottom else None,
        sort=sort,
    )
    organizations, total = tenant_service.list_organizations(
        session,
        principal=user,
        limit=ORGANIZATIONS_PER_PAGE,
        offset=(page - 1) * ORGANIZATIONS_PER_PAGE,
        filters=filters,
    )
    chosen = {
        "q": q,
        "industry": industry,
        "size": size,
        "status": chosen_status.value if chosen_status else None,
        "bottom": "1" if bottom else None,
        "sort": sort if sort != "name" else None,
    }
    return render(
        request,
        "benchmarks/organizations.html",
        user=user,
        organizations=organizations,
        total=total,
        found_text=found_text(total, query=q or "", bottom=bottom),
        q=q or "",
        industry=industry or "",
        size=size or "",
        status=chosen_status.value if chosen_status else "",
        bottom=bottom,
        sort=sort,
        sorts=SORTS,
        industries=tenant_service.industries(session),
        size_bands=[b.label for b in settings.size_bands],
        statuses=[s.value for s in OrganizationStatus],
        filtered=any(v for k, v in chosen.items() if k != "sort"),
        page=page,
        pages=page_count(total, ORGANIZATIONS_PER_PAGE),
        # Every filter and the sort, so the pager's links keep them.
        query=urlencode({k: v for k, v in chosen.items() if v}),
    )
