"""The demo assignments: a realistic mix of statuses across the demo organisations, loaded once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Assignment, Role
from opsportal.models.base import utcnow
from opsportal.training.compliance import repository
from opsportal.training.compliance.assignments import assignment_reads
from opsportal.training.compliance.metric import completion_rates
from opsportal.training.demo import load_assignment_demo, load_training_demo
from tests.factories import create_organization, create_user


def test_mix_of_statuses_loaded_once(session: Session, settings: Settings) -> None:
    anchor = create_organization(session, external_id="demo-northwind", name="Northwind")
    zoe, _ = create_user(session, organization=anchor, email="customer@northwind.example")
    for i in range(1, 9):
        create_organization(session, external_id=f"demo-org-{i:03d}")
    load_training_demo(session, settings=settings, say=lambda _: None)
    messages: list[str] = []
    load_assignment_demo(session, settings=settings, say=messages.append)
    total = session.scalar(select(func.count()).select_from(Assignment))
    load_assignment_demo(session, settings=settings, say=messages.append)
    assert session.scalar(select(func.count()).select_from(Assignment)) == total
    assert len(messages) == 1  # the second load found everything in place

    rows, _ = repository.list_assignments(session)
    statuses = Counter(r.status.value for r in assignment_reads(session, rows))
    assert {"COMPLETED", "OVERDUE", "NOT_STARTED", "IN_PROGRESS"} <= set(statuses)
    # The demo customer login has the track due soon, for its "My training".
    mine, _ = repository.list_assignments(session, user_id=zoe.id)
    assert len(mine) == 1
    # Every organisation has a completion rate for the benchmarks.
    rates = completion_rates(session, utcnow().date())
    assert len(rates) == 9
    assert len(set(rates.values())) > 3
    assert zoe.role is Role.CUSTOMER
