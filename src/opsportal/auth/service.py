"""Creating users, issuing and revoking tokens, checking credentials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from opsportal.auth import repository
from opsportal.auth.secrets import hash_password, hash_token, new_api_token, verify_password
from opsportal.errors import Conflict, InvalidInput, NotFound, Unauthorized
from opsportal.models import ApiToken, Organization, Role, User
from opsportal.models.base import utcnow

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user's id, role and (for customers) organisation."""

    user_id: int
    email: str
    name: str
    role: Role
    organization_id: int | None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.email, user.name, user.role, user.organization_id)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.INTERNAL)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def can_see_organization(self, organization_id: int) -> bool:
        return self.is_staff or self.organization_id == organization_id

    def require_organization(self, organization_id: int) -> None:
        """Customers outside their tenant get a 404, never a confirmation that it exists."""
        if not self.can_see_organization(organization_id):
            raise NotFound(f"Organization {organization_id} not found.")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    organization_id: int | None = None,
    password: str | None = None,
) -> User:
    email = email.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput("Not an email address.", field="email")
    if not name.strip():
        raise InvalidInput("Name must not be empty.", field="name")
    if role is Role.CUSTOMER and organization_id is None:
        raise InvalidInput("A customer user belongs to exactly one organization.", field="org")
    if role is not Role.CUSTOMER and organization_id is not None:
        raise InvalidInput("Only customer users belong to an organization.", field="org")
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise InvalidInput(f"Organization {organization_id} does not exist.", field="org")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if repository.get_user_by_email(session, email) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organization_id=organization_id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, *, user: User, label: str = "cli") -> str:
    """Create an API token; the plain token is returned once and never stored."""
    token = new_api_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label))
    session.flush()
    return token


def revoke_token(session: Session, *, token: str) -> None:
    found = repository.get_active_token(session, hash_token(token))
    if found is None:
        raise NotFound("No active token matches.")
    found[0].revoked_at = utcnow()
    session.flush()


def authenticate_token(session: Session, *, token: str) -> Principal:
    found = repository.get_active_token(session, hash_token(token))
    if found is None or not found[1].is_active:
        raise Unauthorized("The API token is missing, invalid or revoked.")
    return Principal.of(found[1])


def authenticate_password(session: Session, *, email: str, password: str) -> Principal:
    user = repository.get_user_by_email(session, email.strip())
    # Verify against a dummy hash when the user is unknown, so timing does not
    # reveal which email addresses have accounts.
    stored = user.password_hash if user else _DUMMY_HASH
    if not verify_password(stored, password) or user is None or not user.is_active:
        raise Unauthorized("Email or password is wrong.")
    return Principal.of(user)


def principal_for_user_id(session: Session, user_id: int) -> Principal | None:
    user = repository.get_user(session, user_id)
    if user is None or not user.is_active:
        return None
    return Principal.of(user)


_DUMMY_HASH = hash_password("not-a-real-password")
