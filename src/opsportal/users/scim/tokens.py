"""SCIM tokens: bearer tokens, one organisation each, that its directory provisions users with.

Issued and revoked by admins and by the organisation's customer_admins; random,
shown once, stored as SHA-256 like API tokens. A SCIM token acts for its
organisation only and opens nothing but /scim/v2.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth.secrets import hash_token
from opsportal.errors import Forbidden, NotFound, Unauthorized
from opsportal.messages import N_
from opsportal.models import Organization, ScimToken
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.users.scim import repository

SCIM_TOKEN_PREFIX = "scim_"
# A token's last use is written at most this often.
LAST_USED_PRECISION = timedelta(minutes=1)


def _organization(session: Session, principal: Principal, organization_id: int) -> Organization:
    """Admins: any organisation; a customer_admin: its own (another is a 404)."""
    if not principal.is_admin:
        if not principal.is_customer_admin:
            raise Forbidden(N_("SCIM tokens need the role admin or customer_admin."))
        if principal.organization_id != organization_id:
            raise NotFound(N_("Organization %(id)s not found.", id=organization_id))
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(N_("Organization %(id)s not found.", id=organization_id))
    return organization


def issue_token(
    session: Session, *, principal: Principal, organization_id: int, label: str
) -> tuple[ScimToken, str]:
    """A new SCIM token for the organisation: (its row, the token, shown this once)."""
    organization = _organization(session, principal, organization_id)
    token = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ScimToken(
        organization_id=organization.id,
        token_hash=hash_token(token),
        label=label,
        created_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=principal,
        action="scim_token.issue",
        target_type="scim_token",
        target_id=row.id,
        detail={"organizationId": organization.id, "label": label},
    )
    return row, token


def list_tokens(session: Session, *, principal: Principal, organization_id: int) -> list[ScimToken]:
    organization = _organization(session, principal, organization_id)
    return repository.list_tokens(session, organization.id)


def revoke_token(session: Session, *, principal: Principal, token_id: int) -> ScimToken:
    """Revoke at once; another organisation's token is a 404 to a customer_admin."""
    row = repository.get_token(session, token_id)
    if row is None or not (
        principal.is_admin
        or (principal.is_customer_admin and principal.organization_id == row.organization_id)
    ):
        if not principal.manages_users:
            raise Forbidden(N_("SCIM tokens need the role admin or customer_admin."))
        raise NotFound(N_("SCIM token %(id)s not found.", id=token_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(
            session,
            actor=principal,
            action="scim_token.revoke",
            target_type="scim_token",
            target_id=row.id,
            detail={"organizationId": row.organization_id, "label": row.label},
        )
    return row


@dataclass(frozen=True)
class ScimClient:
    """Who a SCIM request comes from: a directory acting for one organisation."""

    token_id: int
    organization_id: int
    label: str
    last_used_is_stale: bool


def authenticate(session: Session, *, token: str, now: datetime | None = None) -> ScimClient:
    """The organisation of a valid, unrevoked SCIM token (401 otherwise)."""
    now = now or utcnow()
    if not token.startswith(SCIM_TOKEN_PREFIX) or len(token) > 200:
        raise Unauthorized("The SCIM token is missing, invalid or revoked.")
    row = repository.active_token(session, hash_token(token))
    if row is None:
        raise Unauthorized("The SCIM token is missing, invalid or revoked.")
    stale = row.last_used_at is None or row.last_used_at <= now - LAST_USED_PRECISION
    return ScimClient(row.id, row.organization_id, row.label, stale)


def record_use(session: Session, *, token_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    repository.touch_token(
        session, token_id=token_id, now=now, stale_before=now - LAST_USED_PRECISION
    )
