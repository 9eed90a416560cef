"""Users, their API tokens and the headers that carry them."""

from __future__ import annotations

import itertools
from typing import NamedTuple

from sqlalchemy.orm import Session

from opsportal.auth.service import create_user as service_create_user
from opsportal.auth.service import issue_token
from opsportal.models import Organization, Role, User
from tests.factories.tenants import create_organization

_sequence = itertools.count(1)


def create_user(
    session: Session,
    *,
    role: Role = Role.CUSTOMER,
    organization: Organization | None = None,
    email: str | None = None,
    name: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """A user and a fresh API token for it; customers get an organisation when none is given."""
    n = next(_sequence)
    if role.is_customer and organization is None:
        organization = create_organization(session)
    user = service_create_user(
        session,
        email=email or f"user{n}@example.test",
        name=name or f"User {n}",
        role=role,
        organization_id=organization.id if organization else None,
        password=password,
    )
    token = issue_token(session, user=user)
    return user, token


class Customer(NamedTuple):
    user: User
    organization: Organization
    headers: dict[str, str]


def create_customer(session: Session, *, organization: Organization | None = None) -> Customer:
    """A customer user of `organization` (a new one when none is given), with its API headers."""
    organization = organization or create_organization(session)
    user, token = create_user(session, role=Role.CUSTOMER, organization=organization)
    return Customer(user, organization, bearer(token))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
