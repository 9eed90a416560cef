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
from opsportal.training.formatting import page_multiplier
from opsportal.web.i18n import _, ngettext
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
        raise InvalidInput(_("Choose extra minutes or a multiplier."), field="kind")
    try:
        return ExtraTimeBody.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        if "trackId" in error["loc"]:
            raise InvalidInput(_("Choose a track from the list."), field="trackId") from exc
        # Pydantic's own words (`problem`) stay English.
        limits = {
            "problem": error["msg"],
            "max_minutes": policy.MAX_EXTRA_MINUTES,
            "min_multiplier": policy.MIN_MULTIPLIER,
            "max_multiplier": policy.MAX_MULTIPLIER,
        }
        raise InvalidInput(
            _(
                "The multiplier: %(problem)s (minutes 1 to %(max_minutes)s, "
                "multiplier %(min_multiplier)s to %(max_multiplier)s).",
                **limits,
            )
            if kind == "multiplier"
            else _(
                "The extra minutes: %(problem)s (minutes 1 to %(max_minutes)s, "
                "multiplier %(min_multiplier)s to %(max_multiplier)s).",
                **limits,
            ),
            field="amount",
        ) from exc


def saved_message(grant: ExtraTimeRead) -> str:
    """What the user's page says once a grant is saved."""
    if grant.multiplier is not None:
        multiplier = page_multiplier(grant.multiplier)
        if grant.track_name is None:
            return _(
                "Extra time saved for every timed quiz: the time limit × %(multiplier)s.",
                multiplier=multiplier,
            )
        return _(
            "Extra time saved for %(track)s: the time limit × %(multiplier)s.",
            track=grant.track_name,
            multiplier=multiplier,
        )
    minutes = grant.extra_minutes or 0
    if grant.track_name is None:
        return ngettext(
            "Extra time saved for every timed quiz: %(num)d extra minutes.",
            "Extra time saved for every timed quiz: %(num)d extra minutes.",
            minutes,
        )
    return ngettext(
        "Extra time saved for %(track)s: %(num)d extra minutes.",
        "Extra time saved for %(track)s: %(num)d extra minutes.",
        minutes,
        track=grant.track_name,
    )


@router.post("/admin/users/{user_id}/extra-time")
def grant_extra_time(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    grant = extra_time.grant_extra_time(session, principal=user, user_id=user_id, body=_body(form))
    request.session[FLASH_KEY] = saved_message(grant)
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
    request.session[FLASH_KEY] = _("Extra time removed; attempts already started keep theirs.")
    return RedirectResponse(f"/admin/users/{user_id}#extra-time", status_code=303)
