"""Demo assignments: the demo customer track assigned across the demo organisations.

Each organisation gets a handful of learners and a realistic mix — completed
(some certificates about to expire), in progress, not started and overdue — at
a completion level of its own, so the compliance pages have something to show
and `training_completion_rate` has peer groups of at least five. Assignment and
issue times lie in the past, so the benchmark history has a training trend.
Loaded once per organisation (its first learner's email marks it).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.auth import repository as auth_repository
from opsportal.auth.service import create_user
from opsportal.config import Settings
from opsportal.models import (
    Assignment,
    Organization,
    OrganizationStatus,
    QuizAttempt,
    Role,
    Track,
)
from opsportal.models.base import utcnow
from opsportal.training import repository
from opsportal.training.certification.service import new_certificate
from opsportal.training.compliance import repository as compliance_repository

Say = Callable[[str], object]

DEMO_TRACK_SLUG = "speak-up-culture-foundations"
ANCHOR_EXTERNAL_ID = "demo-northwind"
# Besides the anchor's own industry: this many more organisations, for the size bands.
OTHER_ORGANIZATIONS = 30
SEED = 23
_FIRST = (
    "Alex",
    "Sam",
    "Noor",
    "Jonas",
    "Mei",
    "Ravi",
    "Lena",
    "Tomás",
    "Aiko",
    "Femi",
    "Ines",
    "Piotr",
    "Hana",
    "Omar",
    "Sofia",
    "Yusuf",
)
_LAST = (
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Laurent",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
)


@dataclass(frozen=True)
class Plan:
    """What one demo learner has done: the dates that make its status."""

    assigned_at: datetime
    due_in_days: int
    issued_at: datetime | None = None
    started: bool = False


def _plan(rng: random.Random, *, completion: float, now: datetime) -> Plan:
    assigned_at = now - timedelta(days=rng.randint(20, 90), hours=rng.randint(0, 23))
    roll = rng.random()
    if roll < completion:
        if rng.random() < 0.25:
            # Certified long ago: the certificate expires within the next 90 days.
            issued_at = now - timedelta(days=730 - rng.randint(5, 90))
            assigned_at = issued_at - timedelta(days=rng.randint(5, 20))
        else:
            issued_at = assigned_at + timedelta(days=rng.randint(2, 18))
        return Plan(assigned_at, rng.randint(-10, 30), issued_at=issued_at)
    if roll < completion + (1 - completion) * 0.4:
        return Plan(assigned_at, -rng.randint(1, 25), started=rng.random() < 0.5)
    return Plan(assigned_at, rng.randint(3, 45), started=rng.random() < 0.5)


def _organizations(session: Session) -> list[Organization]:
    anchor = session.scalars(
        select(Organization).where(Organization.external_id == ANCHOR_EXTERNAL_ID)
    ).first()
    if anchor is None:
        return []
    demo = list(
        session.scalars(
            select(Organization)
            .where(
                Organization.external_id.like("demo-org-%"),
                Organization.status == OrganizationStatus.ACTIVE,
            )
            .order_by(Organization.external_id)
        )
    )
    same_industry = [o for o in demo if o.industry_sector == anchor.industry_sector]
    others = [o for o in demo if o.industry_sector != anchor.industry_sector]
    return [anchor, *same_industry, *others[:OTHER_ORGANIZATIONS]]


def _assign(
    session: Session, *, track: Track, organization_id: int, user_id: int, plan: Plan, now: datetime
) -> None:
    due_on = now.date() + timedelta(days=plan.due_in_days)
    values: dict[str, Any] = {"due_on": due_on, "assigned_at": plan.assigned_at, "updated_at": now}
    # A required track may already be assigned by the new-user hook: then its dates move.
    compliance_repository.insert_assignments(
        session,
        [{"track_id": track.id, "user_id": user_id, "organization_id": organization_id, **values}],
    )
    session.execute(
        update(Assignment)
        .where(Assignment.user_id == user_id, Assignment.track_id == track.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _load_organization(
    session: Session,
    *,
    organization: Organization,
    track: Track,
    quiz: Any,
    rng: random.Random,
    now: datetime,
) -> int:
    """The organisation's learners, their assignments and progress; returns how many."""
    completion = rng.uniform(0.25, 0.95)
    learners = rng.randint(4, 8)
    for number in range(1, learners + 1):
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        user = create_user(
            session,
            email=f"learner{number:02d}.{organization.external_id}@demo.example",
            name=name,
            role=Role.CUSTOMER,
            organization_id=organization.id,
        )
        plan = _plan(rng, completion=completion, now=now)
        _assign(
            session,
            track=track,
            organization_id=organization.id,
            user_id=user.id,
            plan=plan,
            now=now,
        )
        if plan.issued_at is not None:
            new_certificate(
                session, track=track, user_id=user.id, recipient_name=name, issued_at=plan.issued_at
            )
        elif plan.started and quiz is not None:
            session.add(
                QuizAttempt(
                    quiz_id=quiz.id,
                    user_id=user.id,
                    questions=quiz.questions,
                    pass_threshold=quiz.pass_threshold,
                    started_at=plan.assigned_at + timedelta(days=1),
                )
            )
    return learners


def load_assignment_demo(session: Session, *, settings: Settings, say: Say) -> None:
    """Assign the demo customer track across the demo organisations; already loaded: nothing."""
    found = repository.get_track_by_slug(session, DEMO_TRACK_SLUG)
    track = repository.get_track_with_courses(session, found.id) if found else None
    if track is None:
        return
    quiz = next((c.quiz for c in track.courses if c.quiz is not None), None)
    now = utcnow()
    organizations = _organizations(session)
    loaded, learners = 0, 0
    for index, organization in enumerate(organizations):
        marker = f"learner01.{organization.external_id}@demo.example"
        if auth_repository.get_user_by_email(session, marker) is not None:
            continue
        rng = random.Random(SEED + index)
        learners += _load_organization(
            session, organization=organization, track=track, quiz=quiz, rng=rng, now=now
        )
        loaded += 1
    if organizations:
        # The anchor's own people (the demo customer logins) have the track due soon.
        anchor = organizations[0]
        for user in compliance_repository.customer_users(session, organization_id=anchor.id):
            if not user.email.endswith("@demo.example"):
                plan = Plan(assigned_at=now - timedelta(days=3), due_in_days=12)
                compliance_repository.insert_assignments(
                    session,
                    [
                        {
                            "track_id": track.id,
                            "user_id": user.id,
                            "organization_id": anchor.id,
                            "due_on": now.date() + timedelta(days=plan.due_in_days),
                            "assigned_at": plan.assigned_at,
                            "updated_at": now,
                        }
                    ],
                )
    session.flush()
    if loaded:
        say(f"demo training assignments ready: {learners} learners in {loaded} organizations")
