"""SCIM User operations for one organisation's directory: create, read, replace, patch,
delete, list.

A SCIM client acts for the organisation of its token and sees only that
organisation's customer users: anyone else is a 404, never a confirmation that
they exist, nor is whether an address has an account elsewhere (a customer_admin
issues SCIM tokens). Users it creates are `customer` users of that
organisation, made by `auth.service.create_user` (so they get their required
tracks), unconfirmed until the address's owner accepts the invitation emailed
when they are active, or signs in through the organisation's identity provider;
a new address it gives a user is unconfirmed the same way (users/service.py).
`active: false` deactivates the user and ends its sessions,
API tokens and unused password links at once.

DELETE keeps the row: the user is deactivated (as above), marked deleted and
gone from SCIM (404 from then on). Its certificates carry a user id that must
keep pointing somewhere, and so do the audit entries of what it did; they stay
as they were, verifiable and whole. A directory that creates the same userName
again gets that account back, history included. Removing the person's data is
the administrators' erase, not a directory's DELETE.

Every change is audited (actor: none; detail: `scimClient`, the SCIM token's id, and its label).
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    InvalidValueException,
    NotFoundException,
    PatchOp,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from sqlalchemy.orm import Session

from opsportal.audit import changes, record
from opsportal.auth import repository as auth_repository
from opsportal.auth import service as auth_service
from opsportal.auth.sessions import end_credentials
from opsportal.config import Settings
from opsportal.models import Role
from opsportal.models import User as UserRow
from opsportal.models.base import utcnow
from opsportal.users import invitations
from opsportal.users.emails import email_problem
from opsportal.users.scim import repository
from opsportal.users.scim.resources import (
    MAX_RESULTS,
    MAX_STORED_BYTES,
    ScimUser,
    person_name,
    stored_attributes,
    stored_size,
    to_resource,
)
from opsportal.users.scim.tokens import ScimClient

MAX_NAME_LENGTH = 200
MAX_EXTERNAL_ID_LENGTH = 200


def _not_found(user_id: str) -> NotFoundException:
    return NotFoundException(detail=f"User {user_id[:50]} not found.")


def get_user(session: Session, *, client: ScimClient, user_id: str) -> UserRow:
    """One of the client's organisation's users (404 for anyone else's, or a deleted one)."""
    if not user_id.isdigit() or len(user_id) > 10:
        raise _not_found(user_id)
    user = repository.get_user(
        session, organization_id=client.organization_id, user_id=int(user_id)
    )
    if user is None:
        raise _not_found(user_id)
    return user


def list_users(
    session: Session, *, client: ScimClient, search: SearchRequest[ScimUser], base_url: str
) -> tuple[list[ScimUser], int]:
    """A page of the organisation's users matching the filter, and how many match in all."""
    start = search.start_index_0 or 0
    count = MAX_RESULTS if search.count is None else min(search.count, MAX_RESULTS)
    criteria = _sql_criteria(search)
    if criteria is not None:
        rows, total = repository.find_users(
            session,
            organization_id=client.organization_id,
            offset=start,
            limit=count,
            **criteria,
        )
        return [to_resource(row, base_url=base_url) for row in rows], total
    # Any other filter: evaluated here, over the organisation's users.
    rows, _ = repository.find_users(session, organization_id=client.organization_id)
    resources = [to_resource(row, base_url=base_url) for row in rows]
    if search.filter is not None:
        scim_filter = search.filter
        resources = [resource for resource in resources if scim_filter.match(resource)]
    return resources[start : start + count], len(resources)


def _sql_criteria(search: SearchRequest[ScimUser]) -> dict[str, Any] | None:
    """`userName eq`, `externalId eq` and `id eq` filters, as one indexed query; None otherwise."""
    if search.filter is None:
        return {}
    node = search.filter.ast
    if not (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and isinstance(node.value, str)
        and node.attr_path.sub_attr is None
    ):
        return None
    attribute = node.attr_path.attr.lower()
    if attribute == "username":
        return {"email": node.value}
    if attribute == "externalid":
        return {"external_id": node.value}
    if attribute == "id":
        # An id that is no number matches nobody (ids start at 1).
        valid = node.value.isdigit() and len(node.value) < 10
        return {"user_id": int(node.value) if valid else 0}
    return None


def _audit(session: Session, client: ScimClient, action: str, user: UserRow, **detail: Any) -> None:
    record(
        session,
        actor=None,
        action=action,
        target_type="user",
        target_id=user.id,
        detail={
            "via": "scim",
            "scimClient": client.token_id,
            "scimClientLabel": client.label,
            **detail,
        },
    )


def _checked_email(resource: ScimUser) -> str:
    email = (resource.user_name or "").strip()
    problem = email_problem(email)
    if problem is not None:
        raise InvalidValueException(detail=f"userName must be an email address: it {problem}.")
    return email


def _checked_external_id(
    session: Session, client: ScimClient, resource: ScimUser, own_id: int | None
) -> str | None:
    external_id = resource.external_id
    if external_id is None:
        return None
    if len(external_id) > MAX_EXTERNAL_ID_LENGTH or any(ord(ch) < 0x20 for ch in external_id):
        raise InvalidValueException(
            detail=f"externalId must be at most {MAX_EXTERNAL_ID_LENGTH} characters, "
            "without control characters."
        )
    holder = repository.user_by_external_id(
        session, organization_id=client.organization_id, external_id=external_id
    )
    if holder is not None and holder.id != own_id:
        raise UniquenessException(detail="externalId is taken by another user.")
    return external_id


def _checked_attributes(resource: ScimUser, email: str) -> tuple[str, dict[str, Any]]:
    name = person_name(resource, email=email)
    if len(name) > MAX_NAME_LENGTH or any(ord(ch) < 0x20 for ch in name):
        raise InvalidValueException(
            detail=f"displayName and name must be at most {MAX_NAME_LENGTH} characters, "
            "without control characters."
        )
    stored = stored_attributes(resource)
    if stored_size(stored) > MAX_STORED_BYTES:
        raise InvalidValueException(
            detail=f"name, displayName and emails together exceed {MAX_STORED_BYTES} bytes."
        )
    return name, stored


def create_user(
    session: Session, *, client: ScimClient, resource: ScimUser, settings: Settings
) -> UserRow:
    """A new `customer` user of the client's organisation (or a deleted one, back)."""
    email = _checked_email(resource)
    name, stored = _checked_attributes(resource, email)
    existing = repository.user_by_email(
        session, organization_id=client.organization_id, email=email
    )
    if existing is not None and existing.deleted_at is None:
        raise UniquenessException(detail="userName is taken.")
    external_id = _checked_external_id(
        session, client, resource, existing.id if existing is not None else None
    )
    active = resource.active is not False
    if existing is not None:
        user = existing
        user.deleted_at = None
        user.email, user.name, user.external_id = email, name, external_id
        user.scim_attributes = stored
        user.is_active = active
        session.flush()
        _audit(session, client, "scim.user.create", user, email=email, restored=True)
    else:
        user = auth_service.create_user(
            session,
            email=email,
            name=name,
            role=Role.CUSTOMER,
            organization_id=client.organization_id,
            email_confirmed=False,
        )
        user.external_id, user.scim_attributes = external_id, stored
        if not active:
            user.is_active = False
        session.flush()
        _audit(session, client, "scim.user.create", user, email=email, active=active)
    if user.is_active and (user.password_hash is None or not user.email_confirmed):
        invitations.invite(session, user=user, settings=settings, actor=None)
    return user


def replace_user(
    session: Session, *, client: ScimClient, user_id: str, resource: ScimUser, settings: Settings
) -> UserRow:
    """PUT: the user becomes what the resource says (an `active` left out stays as it was)."""
    user = get_user(session, client=client, user_id=user_id)
    _write(session, client, user, resource, settings)
    return user


def patch_user(
    session: Session,
    *,
    client: ScimClient,
    user_id: str,
    patch: PatchOp[ScimUser],
    base_url: str,
    settings: Settings,
) -> UserRow:
    """PATCH: add, replace and remove operations applied to the user as SCIM sees it."""
    user = get_user(session, client=client, user_id=user_id)
    resource = to_resource(user, base_url=base_url)
    patch.patch(resource)
    if resource.user_name is None or resource.active is None:
        raise InvalidValueException(detail="userName and active cannot be removed.")
    _write(session, client, user, resource, settings)
    return user


def _write(
    session: Session, client: ScimClient, user: UserRow, resource: ScimUser, settings: Settings
) -> None:
    email = _checked_email(resource)
    moved = email.lower() != user.email.lower()
    if moved:
        taken = repository.user_by_email(
            session, organization_id=client.organization_id, email=email
        )
        if taken is not None and taken.id != user.id:
            raise UniquenessException(detail="userName is taken.")
    external_id = _checked_external_id(session, client, resource, user.id)
    name, stored = _checked_attributes(resource, email)
    before = _snapshot(user)
    user.email, user.name, user.external_id = email, name, external_id
    user.scim_attributes = stored
    if resource.active is False and user.is_active:
        _deactivate(session, user)
    elif resource.active is True and not user.is_active:
        user.is_active = True
    if moved:
        # A new address is the user's once its owner accepts the invitation sent to it.
        user.email_confirmed = False
    session.flush()
    if moved and user.is_active:
        invitations.invite(session, user=user, settings=settings, actor=None)
    changed = changes(before, _snapshot(user))
    if changed:
        _audit(session, client, "scim.user.update", user, **changed)


def _snapshot(user: UserRow) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "externalId": user.external_id,
        "isActive": user.is_active,
    }


def _deactivate(session: Session, user: UserRow) -> None:
    """Inactive at once: every web session ends, API tokens are revoked, links spent."""
    user.is_active = False
    for token in auth_repository.list_tokens(session, user.id):
        auth_service.revoke_api_token(session, token=token, actor=None)
    # As for any change of the active flag: and nothing issued before comes back.
    end_credentials(session, user=user)


def delete_user(session: Session, *, client: ScimClient, user_id: str) -> None:
    """Deactivate the user and remove it from SCIM; the row stays (see the module's docstring)."""
    user = get_user(session, client=client, user_id=user_id)
    if user.is_active:
        _deactivate(session, user)
    user.deleted_at = utcnow()
    # Free for the directory to use again for someone else.
    user.external_id = None
    session.flush()
    _audit(session, client, "scim.user.delete", user, email=user.email)
