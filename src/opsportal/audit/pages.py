"""The audit trail page (admins): filtered by action, target, person and dates; its CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from opsportal.audit import service, wording
from opsportal.audit.repository import EntryFilter
from opsportal.deps import IdQuery, SessionDep
from opsportal.errors import InvalidInput
from opsportal.i18n import N_
from opsportal.kit.downloads import csv_download
from opsportal.schemas import QueryText
from opsportal.web.session import PageAdmin
from opsportal.web.templating import page_count, render

router = APIRouter(include_in_schema=False)

ENTRIES_PER_PAGE = 100

ActionQuery = Annotated[QueryText | None, Query(max_length=50)]
TargetQuery = Annotated[QueryText | None, Query(max_length=50)]
PersonQuery = Annotated[QueryText | None, Query(max_length=200)]
ActorQuery = Annotated[IdQuery | None, Query()]
# Text, not `date`: the form sends an empty field as "", which means no limit.
FromQuery = Annotated[str | None, Query(alias="from", max_length=10)]
ToQuery = Annotated[str | None, Query(alias="to", max_length=10)]


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            N_("%(field)s: enter a date as YYYY-MM-DD.", field=field), field=field
        ) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _chosen(
    action: str | None,
    target: str | None,
    person: str | None,
    actor: int | None,
    since: date | None,
    until: date | None,
) -> EntryFilter:
    """The filter from the page's fields: dates are whole UTC days, `until` included."""
    if since is not None and until is not None and since > until:
        raise InvalidInput(N_("The From date must be on or before the To date."), field="from")
    return EntryFilter(
        actor_id=actor,
        target_type=(target or "").strip() or None,
        action=(action or "").strip() or None,
        since=_start_of(since) if since else None,
        before=_start_of(until + timedelta(days=1)) if until else None,
        person=(person or "").strip() or None,
    )


def _query(**fields: object) -> str:
    return urlencode({k: v for k, v in fields.items() if v not in (None, "")})


@router.get("/admin/audit")
def audit_log(
    request: Request,
    session: SessionDep,
    user: PageAdmin,
    action: ActionQuery = None,
    target: TargetQuery = None,
    person: PersonQuery = None,
    actor: ActorQuery = None,
    from_day: FromQuery = None,
    to_day: ToQuery = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The trail, a page at a time, newest first; the filter is kept by the pager and the CSV."""
    since, until = _day(from_day, "from"), _day(to_day, "to")
    chosen = _chosen(action, target, person, actor, since, until)
    entries, total = service.list_entries(
        session, chosen, limit=ENTRIES_PER_PAGE, offset=(page - 1) * ENTRIES_PER_PAGE
    )
    others = {
        "action": chosen.action,
        "target": chosen.target_type,
        "person": chosen.person,
        "from": since,
        "to": until,
    }
    query = _query(**others, actor=actor)
    actions = sorted(
        set(service.recorded_actions(session)) | ({chosen.action} if chosen.action else set()),
        key=wording.action_label,
    )
    return render(
        request,
        "audit/log.html",
        user=user,
        entries=entries,
        total=total,
        chosen=chosen,
        actor=actor,
        since=since,
        until=until,
        actions=[(code, wording.action_label(code)) for code in actions],
        query=query,
        anyone_query=_query(**others),
        action_label=wording.action_label,
        detail_lines=wording.detail_lines,
        who=service.who,
        target_text=service.target,
        page=page,
        pages=page_count(total, ENTRIES_PER_PAGE),
    )


@router.get("/admin/audit.csv")
def audit_csv(
    session: SessionDep,
    user: PageAdmin,
    action: ActionQuery = None,
    target: TargetQuery = None,
    person: PersonQuery = None,
    actor: ActorQuery = None,
    from_day: FromQuery = None,
    to_day: ToQuery = None,
) -> Response:
    """Every entry the page's filter chooses (all pages), in words."""
    since, until = _day(from_day, "from"), _day(to_day, "to")
    chosen = _chosen(action, target, person, actor, since, until)
    return csv_download(
        service.audit_csv(session, chosen), filename=f"audit-{datetime.now(UTC).date()}.csv"
    )
