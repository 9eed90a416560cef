"""`GET /api/v1/training/assignments?status=…` pages in the database.

An assignment's status is derived when read (`status.derive_status`); the
database applies the same rule to page a filtered list, and these tests hold the
two to agreeing on assignments in every state, due before and after today.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Assignment, Role, Track, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.compliance import assignments
from opsportal.training.compliance.status import AssignmentStatus
from tests.factories import create_user
from tests.queries import recorded
from tests.training.admin.test_learner_list_paging import learners_in_every_state


def _assigned(session: Session, *, count: int) -> tuple[Track, list[User]]:
    """Learners in every state (`learners_in_every_state`), each assigned the track: every
    third one due three days ago, the rest in ten days."""
    track, users = learners_in_every_state(session, count=count)
    today = utcnow().date()
    session.add_all(
        Assignment(
            track_id=track.id,
            user_id=user.id,
            organization_id=user.organization_id,
            due_on=today + timedelta(days=10 if n % 3 else -3),
        )
        for n, user in enumerate(users)
    )
    session.flush()
    return track, users


def _staff(session: Session) -> Principal:
    user, _ = create_user(session, role=Role.ADMIN)
    return Principal.of(user)


@pytest.mark.parametrize("status", list(AssignmentStatus))
def test_page_two_of_a_status_is_the_derived_status_s_page_two(
    client: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    status: AssignmentStatus,
) -> None:
    _, users = _assigned(session, count=12 * 25)  # 300 assignments
    organization_id = users[0].organization_id
    everything = assignments.list_assignments(
        session, principal=_staff(session), organization_id=organization_id, limit=1000
    ).items
    expected = [a.id for a in everything if a.status is status]
    assert 40 <= len(expected) < len(everything)
    page = client.get(
        "/api/v1/training/assignments",
        params={"organizationId": organization_id, "status": status, "limit": 20, "offset": 20},
        headers=admin_headers,
    )
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == len(expected)
    assert [item["id"] for item in body["items"]] == expected[20:40]
    assert {item["status"] for item in body["items"]} == {status.value}


def test_a_page_costs_the_same_queries_whatever_the_total(session: Session) -> None:
    staff = _staff(session)
    small = _assigned(session, count=12 * 20)[1][0].organization_id
    large = _assigned(session, count=12 * 40)[1][0].organization_id
    for status in (None, *AssignmentStatus):
        pages = []
        for organization_id in (small, large):
            with recorded(session) as queries:
                found = assignments.list_assignments(
                    session,
                    principal=staff,
                    organization_id=organization_id,
                    status=status,
                    limit=20,
                    offset=20,
                )
            assert len(found.items) == 20
            pages.append(queries)
        assert pages[0] == pages[1], status
