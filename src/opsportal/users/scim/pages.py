"""The SCIM provisioning page: the SCIM address, and issuing and revoking SCIM tokens.

For admins (any organisation, chosen by id) and customer_admins (their own). A
new token is shown once, in the answer to the form post that made it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.deps import IdQuery, ResourceId, SessionDep, SettingsDep
from opsportal.errors import DomainError
from opsportal.principal import Principal
from opsportal.users.scim import tokens
from opsportal.users.scim.endpoints import PREFIX
from opsportal.web.i18n import N_, _
from opsportal.web.session import CheckedForm, PageUserManager
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

FLASH_KEY = "flash"


def _page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Principal,
    organization_id: int | None,
    *,
    new_token: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if not user.is_admin:
        organization_id = user.organization_id
    listed = (
        tokens.list_tokens(session, principal=user, organization_id=organization_id)
        if organization_id is not None
        else []
    )
    return render(
        request,
        "users/scim_tokens.html",
        user=user,
        organization_id=organization_id,
        tokens=listed,
        scim_url=settings.public_base_url + PREFIX,
        new_token=new_token,
        error=_(error) if error else None,
        message=request.session.pop(FLASH_KEY, None),
        status_code=status_code,
    )


@router.get("/admin/scim")
def scim_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUserManager,
    organization_id: Annotated[IdQuery | None, Query(alias="organizationId")] = None,
) -> Response:
    return _page(request, session, settings, user, organization_id)


@router.post("/admin/scim/tokens")
def issue_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    raw = form.get("organization_id")
    organization_id = (
        int(raw)
        if user.is_admin and isinstance(raw, str) and raw.isdigit() and len(raw) < 10
        else user.organization_id
    )
    label = form.get("label")
    label = label.strip()[:100] if isinstance(label, str) else ""
    if organization_id is None or not label:
        return _page(
            request, session, settings, user, organization_id,
            error=N_("Give the organization's id and a label."), status_code=422,
        )  # fmt: skip
    try:
        row, token = tokens.issue_token(
            session, principal=user, organization_id=organization_id, label=label
        )
    except DomainError as exc:
        return _page(
            request, session, settings, user, None, error=exc.detail, status_code=exc.status_code
        )
    new_token = {"token": token, "label": row.label}
    return _page(request, session, settings, user, organization_id, new_token=new_token)


@router.post("/admin/scim/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: ResourceId, session: SessionDep, user: PageUserManager,
    form: CheckedForm,
) -> Response:  # fmt: skip
    row = tokens.revoke_token(session, principal=user, token_id=token_id)
    request.session[FLASH_KEY] = _(
        "SCIM token “%(label)s” revoked: its directory is shut out.", label=row.label
    )
    return RedirectResponse(f"/admin/scim?organizationId={row.organization_id}", status_code=303)
