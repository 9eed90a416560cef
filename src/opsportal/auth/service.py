"""Creating users, issuing and revoking tokens, checking credentials."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.addresses import email_problem, name_problem
from opsportal.audit import record
from opsportal.auth import repository
from opsportal.auth.secrets import hash_password, hash_token, new_api_token
from opsportal.errors import Conflict, InvalidInput, NotFound, Unauthorized
from opsportal.messages import N_
from opsportal.models import ApiToken, Organization, Role, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal

MIN_PASSWORD_LENGTH = 8
# A token's last use is written at most this often, so that using a token is
# not a database write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def check_role_and_organization(
    role: Role, organization_id: int | None, *, field: str = "organizationId"
) -> None:
    """Customer roles belong to exactly one organisation; staff to none."""
    if role.is_customer and organization_id is None:
        raise InvalidInput(
            N_("A %(role)s user belongs to exactly one organization.", role=role.value), field=field
        )
    if role.is_staff and organization_id is not None:
        raise InvalidInput(
            N_(
                "An %(role)s user belongs to no organization; only customer users do.",
                role=role.value,
            ),
            field=field,
        )


def check_password(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("Password must be at least %(min)s characters.", min=MIN_PASSWORD_LENGTH),
            field=field,
        )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    organization_id: int | None = None,
    password: str | None = None,
    actor: Principal | None = None,
    email_confirmed: bool = True,
) -> User:
    """Create a user (audited as `actor`; None: the command line).

    A confirmed address must be nobody else's; an unconfirmed one (a user a
    customer_admin creates, see users/service.py) may be, and is checked by the caller.
    """
    email = email.strip()
    # Every way of creating a user (API, pages, command line, demo) passes here:
    # the address and name end up in mail headers.
    problem = email_problem(email)
    if problem is not None:
        raise InvalidInput(problem, field="email")
    if not name.strip():
        raise InvalidInput(N_("Name must not be empty."), field="name")
    problem = name_problem(name.strip())
    if problem is not None:
        raise InvalidInput(problem, field="name")
    check_role_and_organization(role, organization_id, field="org")
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise InvalidInput(
            N_("Organization %(id)s does not exist.", id=organization_id), field="org"
        )
    if password is not None:
        check_password(password)
    if email_confirmed and repository.get_user_by_email(session, email) is not None:
        raise Conflict(N_("A user with email %(email)s already exists.", email=email))
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organization_id=organization_id,
        password_hash=hash_password(password) if password else None,
        email_confirmed=email_confirmed,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        target_type="user",
        target_id=user.id,
        detail={
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "organizationId": user.organization_id,
            "withPassword": password is not None,
            **({} if email_confirmed else {"emailConfirmed": False}),
        },
    )
    for hook in _user_created_hooks.values():
        hook(session, user, actor)
    return user


# What other domains do when a user is created, in the same transaction (training
# assigns its required tracks to a new customer user). Registered by name when the
# app or the command line starts, so auth imports none of them.
UserCreatedHook = Callable[[Session, User, "Principal | None"], None]
_user_created_hooks: dict[str, UserCreatedHook] = {}


def on_user_created(name: str, hook: UserCreatedHook) -> None:
    """Run `hook(session, user, actor)` after every user created; registering again replaces it."""
    _user_created_hooks[name] = hook


def issue_api_token(
    session: Session,
    *,
    user: User,
    label: str = "cli",
    expires_at: datetime | None = None,
    actor: Principal | None = None,
    epoch: int | None = None,
) -> tuple[ApiToken, str]:
    """Create an API token: (its row, the plain token), the plain token returned once only.

    `epoch`: the user's credentials epoch when what entitles it to the token was
    checked (a password, at login), if that was before `user` was read.
    """
    token = new_api_token()
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        label=label,
        expires_at=expires_at,
        # Good until the user's next change of role, organisation, password or active flag.
        credentials_epoch=user.credentials_epoch if epoch is None else epoch,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.issue",
        target_type="token",
        target_id=row.id,
        detail={"userId": user.id, "label": label, "expiresAt": expires_at},
    )
    return row, token


def issue_token(
    session: Session,
    *,
    user: User,
    label: str = "cli",
    expires_at: datetime | None = None,
    actor: Principal | None = None,
) -> str:
    """Create an API token; the plain token is returned once and never stored."""
    return issue_api_token(session, user=user, label=label, expires_at=expires_at, actor=actor)[1]


def revoke_api_token(session: Session, *, token: ApiToken, actor: Principal | None) -> None:
    """Revoke a token at once (a second revocation changes nothing and records nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="token.revoke",
        target_type="token",
        target_id=token.id,
        detail={"userId": token.user_id, "label": token.label},
    )


def revoke_token(session: Session, *, token: str, actor: Principal | None = None) -> None:
    found = repository.get_active_token(session, hash_token(token))
    if found is None:
        raise NotFound("No active token matches.")
    revoke_api_token(session, token=found[0], actor=actor)


@dataclass(frozen=True)
class TokenCheck:
    """A valid token's user, and whether its `last_used_at` is due to be written."""

    principal: Principal
    token_id: int
    last_used_is_stale: bool


def check_token(session: Session, *, token: str, now: datetime | None = None) -> TokenCheck:
    """The user of a valid token: not revoked, not expired, its user active (else 401)."""
    now = now or utcnow()
    holder = repository.find_token_holder(session, hash_token(token))
    if holder is None:
        raise Unauthorized("The API token is missing, invalid or revoked.")
    if holder.expires_at is not None and holder.expires_at <= now:
        raise Unauthorized("The API token has expired.")
    if not holder.user_is_active:
        raise Unauthorized("The API token is missing, invalid or revoked.")
    principal = Principal(
        holder.user_id,
        holder.email,
        holder.name,
        holder.role,
        holder.organization_id,
        holder.locale,
    )
    stale = holder.last_used_at is None or holder.last_used_at <= now - LAST_USED_PRECISION
    return TokenCheck(principal, holder.token_id, stale)


def authenticate_token(session: Session, *, token: str) -> Principal:
    return check_token(session, token=token).principal


def record_token_use(session: Session, *, token_id: int, now: datetime | None = None) -> None:
    """Write a token's last use, unless it was written within the last minute."""
    now = now or utcnow()
    repository.touch_token(
        session, token_id=token_id, now=now, stale_before=now - LAST_USED_PRECISION
    )


def principal_for_user_id(session: Session, user_id: int) -> Principal | None:
    user = repository.get_user(session, user_id)
    if user is None or not user.is_active:
        return None
    return Principal.of(user)
