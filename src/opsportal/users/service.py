"""Managing users and their API tokens and password links, as an admin or a customer_admin.

An admin manages everyone. A customer_admin manages its own organisation's
customer users only: anyone else is a 404 to it (never a confirmation that they
exist), and it can give no one a staff role (403). The other customer_admins of
its organisation it sees, but does not change or act for (403): no tokens or
password links for them, no demotion. Nobody changes their own role or
deactivates themselves, so an organisation or the platform always keeps an
administrator. Every change is audited in its own transaction.

A change of role, organisation, password or active flag ends every web session,
API token and password link the user was given before it
(`auth.sessions.end_credentials`): what a customer_admin minted for a customer
must not become a staff token on promotion, and nothing comes back on reactivation.

A customer_admin learns nothing about accounts outside its organisation, also
not whether an address has one. A user it creates (here, or by roster import)
is created, with the address as typed, whether or not the address is in use
elsewhere: 409 only when a user of its own organisation has it. The new user
starts unconfirmed: it cannot sign in with a password, and is sent no mail but
its invitation, until the owner of the address accepts the invitation emailed
to it (`invitations.invite`). When the address already belongs to another
account, that email says so instead of inviting, and the user stays
unconfirmed: no address ever signs in to two accounts. Whatever the address,
the customer_admin sees the same answers, the same user, the same follow-ups
(tokens, a password link refused, sign-in refused until accepted) and the same
work done. Admins (and the command line) create confirmed users, and are told
of any address in use.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.audit import changes, record
from opsportal.auth import repository as auth_repository
from opsportal.auth import service as auth_service
from opsportal.auth.service import check_role_and_organization
from opsportal.auth.sessions import end_credentials
from opsportal.config import Settings
from opsportal.errors import Conflict, Forbidden, InvalidInput, NotFound
from opsportal.messages import N_
from opsportal.models import ApiToken, Organization, Role, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.users import invitations, repository
from opsportal.users.invitations import PASSWORD_LINK_PATH
from opsportal.users.schemas import UserCreate, UserUpdate

__all__ = ["PASSWORD_LINK_PATH"]


def can_reach(principal: Principal, user: User) -> bool:
    """Whether `principal` may see `user` (and manage it, unless it is a peer: `can_manage`)."""
    if principal.is_admin:
        return True
    if principal.role is Role.CUSTOMER_ADMIN:
        return user.role.is_customer and user.organization_id == principal.organization_id
    return False


def _is_peer(principal: Principal, user: User) -> bool:
    """Another customer_admin of the principal's organisation, to a customer_admin."""
    return (
        principal.role is Role.CUSTOMER_ADMIN
        and user.role is Role.CUSTOMER_ADMIN
        and user.id != principal.user_id
    )


def can_manage(principal: Principal, user: User) -> bool:
    """Whether `principal` may change `user`, or issue it tokens and password links."""
    return can_reach(principal, user) and not _is_peer(principal, user)


PEER_ADMIN = N_(
    "A customer administrator cannot change another customer administrator, nor issue or "
    "see their tokens and password links; ask a platform administrator."
)


def _require_manager(principal: Principal) -> None:
    if not principal.manages_users:
        raise Forbidden(N_("Managing users needs the role admin or customer_admin."))


def _reachable_user(session: Session, principal: Principal, user_id: int) -> User:
    _require_manager(principal)
    user = auth_repository.get_user(session, user_id)
    if user is None or not can_reach(principal, user):
        raise NotFound(N_("User %(id)s not found.", id=user_id))
    return user


def managed_user(session: Session, principal: Principal, user_id: int) -> User:
    """A user `principal` may change: reachable (else 404) and not a peer (else 403)."""
    user = _reachable_user(session, principal, user_id)
    if _is_peer(principal, user):
        raise Forbidden(PEER_ADMIN)
    return user


def _check_grant(principal: Principal, role: Role, organization_id: int | None) -> None:
    """A customer_admin grants customer roles in its own organisation only."""
    if principal.is_admin:
        return
    if role.is_staff:
        raise Forbidden(N_("A customer administrator can give only the customer roles."))
    if organization_id is not None and organization_id != principal.organization_id:
        raise NotFound(N_("Organization %(id)s not found.", id=organization_id))


def _check_organization_exists(session: Session, organization_id: int | None) -> None:
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise InvalidInput(
            N_("Organization %(id)s does not exist.", id=organization_id), field="organizationId"
        )


def get_user(session: Session, *, principal: Principal, user_id: int) -> User:
    return _reachable_user(session, principal, user_id)


def list_users(
    session: Session,
    *,
    principal: Principal,
    search: str | None,
    organization_id: int | None,
    limit: int,
    offset: int,
    role: Role | None = None,
) -> tuple[list[User], int]:
    """Users by name; a customer_admin sees its own organisation's only."""
    _require_manager(principal)
    if not principal.is_admin:
        if organization_id is not None:
            principal.require_organization(organization_id)
        organization_id = principal.organization_id
    return repository.list_users(
        session,
        search=search,
        organization_id=organization_id,
        role=role,
        limit=limit,
        offset=offset,
    )


def organization_names(session: Session, users: list[User]) -> dict[int, str]:
    """The names of these users' organisations, by id."""
    ids = {user.organization_id for user in users if user.organization_id is not None}
    return repository.organization_names(session, ids)


def organization_choices(session: Session, *, principal: Principal) -> list[tuple[int, str]]:
    """The organisations a manager may filter users by: those with users (an admin's)."""
    _require_manager(principal)
    return repository.organizations_with_users(session) if principal.is_admin else []


def create_user(
    session: Session, *, principal: Principal, data: UserCreate, settings: Settings
) -> User:
    """Create a user; one without a password, or any a customer_admin creates, is emailed an
    invitation (see the module)."""
    _require_manager(principal)
    organization_id = data.organization_id
    if principal.role is Role.CUSTOMER_ADMIN and organization_id is None:
        organization_id = principal.organization_id
    _check_grant(principal, data.role, organization_id)
    check_role_and_organization(data.role, organization_id)
    _check_organization_exists(session, organization_id)
    by_customer_admin = not principal.is_admin
    if by_customer_admin:
        assert organization_id is not None  # _check_grant: a customer role of its own
        email = data.email.strip()
        if auth_repository.get_organization_user_by_email(
            session, organization_id=organization_id, email=email
        ):
            raise Conflict(
                N_("A user with email %(email)s already exists in your organization.", email=email)
            )
    user = auth_service.create_user(
        session,
        email=data.email,
        name=data.name,
        role=data.role,
        organization_id=organization_id,
        password=data.password,
        actor=principal,
        email_confirmed=not by_customer_admin,
    )
    # Before the invitation: it is written in the user's language.
    user.locale = data.locale
    if user.password_hash is None or not user.email_confirmed:
        invitations.invite(session, user=user, settings=settings, actor=principal)
    return user


def send_invitation(
    session: Session, *, principal: Principal, user_id: int, settings: Settings
) -> datetime:
    """Email the user a new invitation, replacing the old link; returns when it expires."""
    user = _reachable_user(session, principal, user_id)
    return invitations.invite(session, user=user, settings=settings, actor=principal)


def _snapshot(user: User) -> dict[str, object]:
    return {
        "name": user.name,
        "role": user.role,
        "organizationId": user.organization_id,
        "isActive": user.is_active,
        "locale": user.locale,
    }


def update_user(session: Session, *, principal: Principal, user_id: int, data: UserUpdate) -> User:
    """Change a user's name, role, organisation, language or whether it is active (audited).

    A change of role, organisation or active flag ends what the user was given before it.
    """
    user = managed_user(session, principal, user_id)
    wanted = data.model_dump(exclude_unset=True)
    if user.erased_at is not None and wanted:
        # Its person is gone: reactivated, the row would be an account of no one.
        raise Conflict(
            N_("User %(id)s was erased; it cannot be changed or reactivated.", id=user.id)
        )
    for field in ("name", "role", "is_active"):
        if field in wanted and wanted[field] is None:
            raise InvalidInput(N_("%(field)s cannot be null.", field=field), field=_camel(field))
    role: Role = wanted.get("role", user.role)
    organization_id: int | None = wanted.get("organization_id", user.organization_id)
    if user.id == principal.user_id and (
        role is not user.role
        or organization_id != user.organization_id
        or wanted.get("is_active") is False
    ):
        raise Conflict(
            N_(
                "You cannot change your own role or organization, or deactivate yourself; "
                "ask another administrator."
            )
        )
    _check_grant(principal, role, organization_id)
    check_role_and_organization(role, organization_id)
    if organization_id != user.organization_id:
        _check_organization_exists(session, organization_id)
    before = _snapshot(user)
    user.name = wanted.get("name", user.name)
    user.role = role
    user.organization_id = organization_id
    user.is_active = wanted.get("is_active", user.is_active)
    user.locale = wanted.get("locale", user.locale)
    if user.is_active:
        # Reactivated by an administrator: no longer deleted by its directory.
        user.deleted_at = None
    session.flush()
    changed = changes(before, _snapshot(user))
    if {"role", "organizationId", "isActive"} & set(changed):
        end_credentials(session, user=user)
    if changed:
        record(
            session,
            actor=principal,
            action="user.update",
            target_type="user",
            target_id=user.id,
            detail=changed,
        )
    return user


def set_own_locale(session: Session, *, principal: Principal, locale: str | None) -> None:
    """The signed-in user's own choice of language (the switcher): anyone may make it.

    Not audited: the audit trail records what staff and administrators change.
    """
    user = auth_repository.get_user(session, principal.user_id)
    if user is None:
        raise NotFound(N_("User %(id)s not found.", id=principal.user_id))
    user.locale = locale
    session.flush()


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


# --- API tokens ----------------------------------------------------------------


def issue_token(
    session: Session,
    *,
    principal: Principal,
    user_id: int,
    label: str,
    expires_in_days: int | None,
) -> tuple[ApiToken, str]:
    """A new token for the user: (its row, the plain token, shown once)."""
    user = managed_user(session, principal, user_id)
    if not user.is_active:
        raise Conflict(N_("User %(id)s is deactivated; reactivate it first.", id=user.id))
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    return auth_service.issue_api_token(
        session, user=user, label=label, expires_at=expires_at, actor=principal
    )


def list_tokens(session: Session, *, principal: Principal, user_id: int) -> list[ApiToken]:
    user = managed_user(session, principal, user_id)
    return auth_repository.list_tokens(session, user.id)


def revoke_token(session: Session, *, principal: Principal, token_id: int) -> ApiToken:
    """Revoke a token: its owner may, and whoever manages the owner (else 404)."""
    token = auth_repository.get_token(session, token_id)
    owner = auth_repository.get_user(session, token.user_id) if token is not None else None
    if (
        token is None
        or owner is None
        or not (
            owner.id == principal.user_id
            or (principal.manages_users and can_manage(principal, owner))
        )
    ):
        raise NotFound(N_("Token %(id)s not found.", id=token_id))
    auth_service.revoke_api_token(session, token=token, actor=principal)
    return token
