"""Demo data for `opsportal demo`: safe to load again and again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from opsportal.auth import repository as auth_repository
from opsportal.auth.service import create_user, issue_token
from opsportal.benchmarks.demo import recalculate_benchmark_demo, seed_benchmark_demo
from opsportal.config import Settings
from opsportal.models import ApiToken, Organization, Role
from opsportal.models.base import utcnow
from opsportal.tenants import repository as tenant_repository
from opsportal.training.demo import load_assignment_demo, load_training_demo

Say = Callable[[str], object]

DEMO_TOKEN_LABEL = "demo"
DEMO_CUSTOMER_ORG = {
    "external_id": "demo-northwind",
    "name": "Northwind Health",
    "industry_sector": "Healthcare",
    "employee_count": 340,
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    token: str


def _demo_organization(session: Session) -> Organization:
    organization = tenant_repository.get_by_external_id(session, DEMO_CUSTOMER_ORG["external_id"])  # type: ignore[arg-type]
    if organization is None:
        organization = Organization(**DEMO_CUSTOMER_ORG)
        session.add(organization)
        session.flush()
    return organization


def load_demo(session: Session, *, settings: Settings, say: Say) -> list[DemoLogin]:
    """The demo logins and all the demo data, in one transaction."""
    logins = load_demo_logins(session, settings=settings, say=say)
    load_demo_data(session, settings=settings, say=say)
    return logins


def load_demo_logins(session: Session, *, settings: Settings, say: Say) -> list[DemoLogin]:
    """The demo organisation and its people, each with a fresh API token: what the
    demo prints. Quick, so `opsportal demo` can serve while the rest loads."""
    organization = _demo_organization(session)
    people = [
        ("admin", "admin@opsportal.example", "Ada Admin", Role.ADMIN, None),
        ("internal", "ops@opsportal.example", "Omar Operations", Role.INTERNAL, None),
        (
            "customer",
            "customer@northwind.example",
            "Zoë Łukasz-Ångström",
            Role.CUSTOMER,
            organization.id,
        ),
        (
            "customer-admin",
            "manager@northwind.example",
            "Malik Manager",
            Role.CUSTOMER_ADMIN,
            organization.id,
        ),
    ]
    logins: list[DemoLogin] = []
    for password_word, email, name, role, org_id in people:
        password = f"{password_word}-demo-pass"
        user = auth_repository.get_user_by_email(session, email)
        if user is None:
            user = create_user(
                session,
                email=email,
                name=name,
                role=role,
                organization_id=org_id,
                password=password,
            )
        # A fresh token each run (older demo tokens revoked), since tokens are shown only once.
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.label == DEMO_TOKEN_LABEL)
            .where(ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        token = issue_token(session, user=user, label=DEMO_TOKEN_LABEL)
        logins.append(DemoLogin(role.value, email, password, token))
    say("demo users ready")
    return logins


def load_demo_data(session: Session, *, settings: Settings, say: Say) -> None:
    """Benchmarks, training tracks and assignments around the demo organisation."""
    organization = _demo_organization(session)
    seed_benchmark_demo(session, anchor=organization, settings=settings, say=say)
    load_training_demo(session, settings=settings, say=say)
    load_assignment_demo(session, settings=settings, say=say)
    # Training completion is computed from the assignments just loaded: the
    # benchmark days are calculated again so the scorecard shows it.
    recalculate_benchmark_demo(session, settings=settings)
