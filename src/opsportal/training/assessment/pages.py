"""The user's page's extra-time form: granting and withdrawing a learner's extra time.

The section itself is drawn on the user's page (`users/detail.html`, from
`extra_time.page_view`); these routes change the grant and go back there.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.training.assessment import extra_time, policy
from opsportal.training.assessment.schemas import ExtraTimeBody, ExtraTimeRead
from opsportal.web.session import CheckedForm, PageUserManager

router = APIRouter(include_in_schema=False)

# The user's page shows this once, after the redirect (the users pages' own key).
FLASH_KEY = "flash"


def _field(form: CheckedForm, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _body(form: CheckedForm) -> ExtraTimeBody:
    kind, amount = _field(form, "kind"), _field(form, "amount")
    data: dict[str, Any] = {"trackId": _field(form, "track_id") or None}
    if kind == "multiplier":
        data["multiplier"] = amount
    elif kind == "minutes":
        data["extraMinutes"] = amount
    else:
        raise InvalidInput("Choose extra minutes or a multiplier.", field="kind")
    try:
        return ExtraTimeBody.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        what = "The multiplier" if kind == "multiplier" else "The extra minutes"
        if "trackId" in error["loc"]:
            raise InvalidInput("Choose a track from the list.", field="trackId") from exc
        raise InvalidInput(
            f"{what}: {error['msg']} (minutes 1 to {policy.MAX_EXTRA_MINUTES}, "
            f"multiplier {policy.MIN_MULTIPLIER} to {policy.MAX_MULTIPLIER}).",
            field="amount",
        ) from exc


def describe(grant: ExtraTimeRead) -> str:
    scope = grant.track_name or "every timed quiz"
    if grant.multiplier is not None:
        return f"{scope}: the time limit × {grant.multiplier:g}"
    return f"{scope}: {grant.extra_minutes} extra minutes"


@router.post("/admin/users/{user_id}/extra-time")
def grant_extra_time(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    grant = extra_time.grant_extra_time(session, principal=user, user_id=user_id, body=_body(form))
    request.session[FLASH_KEY] = f"Extra time saved for {describe(grant)}."
    return RedirectResponse(f"/admin/users/{user_id}#extra-time", status_code=303)


@router.post("/admin/extra-time/{grant_id}/remove")
def remove_extra_time(
    request: Request,
    grant_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    user_id = extra_time.remove_extra_time(session, principal=user, grant_id=grant_id)
    request.session[FLASH_KEY] = "Extra time removed; attempts already started keep theirs."
    return RedirectResponse(f"/admin/users/{user_id}#extra-time", status_code=303)
