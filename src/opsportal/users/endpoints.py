"""User, API token and password-link routes (admins; customer_admins for their organisation)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.exceptions import HTTPException

from opsportal.auth.deps import CurrentUser, UserManager
from opsportal.auth.schemas import TokenCreate, TokenIssued, TokenRead
from opsportal.deps import IdQuery, Limit, Offset, ResourceId, SessionDep, SettingsDep
from opsportal.schemas import Page, QueryText
from opsportal.users import password_links, service
from opsportal.users.roster import service as roster
from opsportal.users.schemas import (
    InvitationSent,
    PasswordLink,
    RosterImportResult,
    ScimTokenCreate,
    ScimTokenIssued,
    ScimTokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from opsportal.users.scim import tokens as scim_tokens

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.post("/users", status_code=201, response_model=UserRead)
def create_user(
    body: UserCreate, session: SessionDep, manager: UserManager, settings: SettingsDep
) -> UserRead:
    """Create a user (a customer_admin: a customer user of its own organisation).

    Without a password, the user is emailed an invitation: a one-time link to set
    one, valid for `OPSPORTAL_INVITATION_DAYS` (7 by default).
    """
    user = service.create_user(session, principal=manager, data=body, settings=settings)
    return UserRead.model_validate(user)


@router.get("/users", response_model=Page[UserRead])
def list_users(
    session: SessionDep,
    manager: UserManager,
    search: Annotated[
        QueryText | None, Query(max_length=200, description="Part of the name or email")
    ] = None,
    organization_id: Annotated[IdQuery | None, Query(alias="organizationId")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UserRead]:
    """Users by name; a customer_admin sees its own organisation's only."""
    users, total = service.list_users(
        session,
        principal=manager,
        search=search,
        organization_id=organization_id,
        limit=limit,
        offset=offset,
    )
    return Page[UserRead](
        items=[UserRead.model_validate(u) for u in users], total=total, limit=limit, offset=offset
    )


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: ResourceId, session: SessionDep, manager: UserManager) -> UserRead:
    """One user."""
    return UserRead.model_validate(service.get_user(session, principal=manager, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(
    user_id: ResourceId, body: UserUpdate, session: SessionDep, manager: UserManager
) -> UserRead:
    """Change a user's name, role, organisation or language (`locale`: a shipped locale, or
    null), or deactivate it (its tokens stop at once). An unknown locale: 422, nothing changed.
    """
    user = service.update_user(session, principal=manager, user_id=user_id, data=body)
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/tokens", status_code=201, response_model=TokenIssued)
def issue_token(
    user_id: ResourceId, body: TokenCreate, session: SessionDep, manager: UserManager
) -> TokenIssued:
    """Issue an API token for the user, optionally expiring; the token is shown this once."""
    row, token = service.issue_token(
        session,
        principal=manager,
        user_id=user_id,
        label=body.label,
        expires_in_days=body.expires_in_days,
    )
    return TokenIssued(id=row.id, token=token, label=row.label, expires_at=row.expires_at)


@router.get("/users/{user_id}/tokens", response_model=list[TokenRead])
def list_tokens(user_id: ResourceId, session: SessionDep, manager: UserManager) -> list[TokenRead]:
    """The user's API tokens, newest first, with their last use; never the tokens themselves."""
    tokens = service.list_tokens(session, principal=manager, user_id=user_id)
    return [TokenRead.model_validate(t) for t in tokens]


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def revoke_token(token_id: ResourceId, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke an API token at once: one's own, or one of a user one manages."""
    service.revoke_token(session, principal=user, token_id=token_id)
    return Response(status_code=204)


@router.post("/users/{user_id}/password-link", status_code=201, response_model=PasswordLink)
def issue_password_link(
    user_id: ResourceId, session: SessionDep, manager: UserManager, settings: SettingsDep
) -> PasswordLink:
    """A one-time link for the user to set a password (an invitation, or a reset).

    Shown this once; it replaces any unused earlier link and expires after
    `OPSPORTAL_PASSWORD_LINK_HOURS` (72 by default).
    """
    url, expires_at = password_links.issue_password_link(
        session, principal=manager, user_id=user_id, settings=settings
    )
    return PasswordLink(url=url, expires_at=expires_at)


@router.post("/users/{user_id}/invitation", status_code=202, response_model=InvitationSent)
def send_invitation(
    user_id: ResourceId, session: SessionDep, manager: UserManager, settings: SettingsDep
) -> InvitationSent:
    """Email the user a new invitation to set a password; the earlier link stops working.

    409 when the user is deactivated or has set a password already (send a
    password link instead). The link itself is never shown or logged.
    """
    expires_at = service.send_invitation(
        session, principal=manager, user_id=user_id, settings=settings
    )
    user = service.get_user(session, principal=manager, user_id=user_id)
    return InvitationSent(user_id=user.id, email=user.email, expires_at=expires_at)


# --- roster import ----------------------------------------------------------------------

CSV_TYPES = ("text/csv", "application/csv", "text/plain")


async def csv_body(request: Request) -> bytes:
    """The request body, when it is sent as CSV (415 otherwise)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise HTTPException(415, "Send the roster as `Content-Type: text/csv`.")
    return await request.body()


@router.post(
    "/organizations/{organization_id}/users/import",
    response_model=RosterImportResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "email,name,role,externalId\n"
                    "ada@example.com,Ada Lovelace,customer,E-1001\n",
                }
            },
        }
    },
    responses={
        415: {"description": "The body is not sent as `text/csv`"},
        422: {"description": "Bad lines: `errors` lists each line, column and why"},
    },
)
def import_users(
    organization_id: ResourceId,
    session: SessionDep,
    manager: UserManager,
    settings: SettingsDep,
    data: Annotated[bytes, Depends(csv_body)],
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    invite: Annotated[bool, Query(description="Email new users an invitation")] = True,
) -> RosterImportResult:
    """Import a roster of the organisation's users (CSV `email,name,role,externalId`), all or
    nothing: new emails become users (invited by email), known ones are brought up to date.

    With `dryRun=true` nothing is written. A bad line refuses the whole file:
    422 with `errors: [{line, column, message}]`.
    """
    summary = roster.import_roster(
        session,
        principal=manager,
        organization_id=organization_id,
        data=data,
        settings=settings,
        dry_run=dry_run,
        invite=invite,
    )
    return RosterImportResult(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        invited=summary.invited,
    )


# --- SCIM tokens --------------------------------------------------------------------------


@router.post(
    "/organizations/{organization_id}/scim-tokens",
    status_code=201,
    response_model=ScimTokenIssued,
)
def issue_scim_token(
    organization_id: ResourceId, body: ScimTokenCreate, session: SessionDep, manager: UserManager
) -> ScimTokenIssued:
    """Issue a SCIM token for the organisation's directory; the token is shown this once."""
    row, token = scim_tokens.issue_token(
        session, principal=manager, organization_id=organization_id, label=body.label
    )
    return ScimTokenIssued(id=row.id, token=token, label=row.label, created_at=row.created_at)


@router.get("/organizations/{organization_id}/scim-tokens", response_model=list[ScimTokenRead])
def list_scim_tokens(
    organization_id: ResourceId, session: SessionDep, manager: UserManager
) -> list[ScimTokenRead]:
    """The organisation's SCIM tokens, newest first, with their last use; never the tokens."""
    rows = scim_tokens.list_tokens(session, principal=manager, organization_id=organization_id)
    return [ScimTokenRead.model_validate(row) for row in rows]


@router.delete("/scim-tokens/{token_id}", status_code=204, response_class=Response)
def revoke_scim_token(token_id: ResourceId, session: SessionDep, manager: UserManager) -> Response:
    """Revoke a SCIM token at once: its directory can no longer provision."""
    scim_tokens.revoke_token(session, principal=manager, token_id=token_id)
    return Response(status_code=204)
