"""Moving group, and re-running a past day: each day keeps the groups and values it had.

An organisation that moves industry (or size band) has history in its old
group on its old days and in its new group from its move on; a group it was
not in shows nothing for a day. A re-run of a past day counts the
organisations it counted, in the groups they were in then, with the values
they had then: today's organisations, groups and active users cannot rewrite it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Assignment, Certificate, Organization, Role, User
from opsportal.models.base import utcnow
from tests.factories import (
    add_many,
    bearer,
    certify,
    create_track_with_quizzes,
    create_user,
    organizations,
)

TODAY = utc_today()
BEFORE = TODAY - timedelta(days=2)
API = "/api/v1/benchmarks"


class World:
    """Alpha and Beta, eleven organisations each; `mover` starts in Alpha."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        self.alpha = organizations(session, 11, sector="Alpha", employees=300)
        self.beta = organizations(session, 11, sector="Beta", employees=300)
        self.mover = self.alpha[0]
        rows = []
        for day in (BEFORE, TODAY):
            for i, org in enumerate(self.alpha):
                rows.append((org, "login_rate", 20.0 + 3 * i, day))
            for i, org in enumerate(self.beta):
                rows.append((org, "login_rate", 60.0 + 3 * i, day))
        add_many(session, rows)
        _, admin = create_user(session, role=Role.ADMIN)
        self.admin = bearer(admin)
        _, customer = create_user(session, role=Role.CUSTOMER, organization=self.mover)
        self.customer = bearer(customer)

    def calculate(self, day: Any) -> None:
        response = self.client.post(
            f"{API}/calculate", json={"calculatedFor": day.isoformat()}, headers=self.admin
        )
        assert response.status_code == 200, response.text

    def move_to_beta(self) -> None:
        response = self.client.patch(
            f"/api/v1/organizations/{self.mover.id}",
            json={"industrySector": "Beta"},
            headers=self.admin,
        )
        assert response.status_code == 200, response.text

    def history(self, headers: dict[str, str], sector: str) -> dict[str, dict[str, Any]]:
        response = self.client.get(
            f"{API}/organizations/{self.mover.id}/history",
            params={"metric": "login_rate", "industrySector": sector, "days": 10},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return {point["calculatedFor"]: point for point in response.json()}

    def peer_count(self, sector: str, day: Any) -> int | None:
        """Staff's count of a group on a day, through any of its members' history."""
        member = (self.alpha if sector == "Alpha" else self.beta)[1]
        response = self.client.get(
            f"{API}/organizations/{member.id}/history",
            params={"metric": "login_rate", "industrySector": sector, "days": 10},
            headers=self.admin,
        )
        points = {p["calculatedFor"]: p for p in response.json()}
        count: int | None = points[day.isoformat()]["peerCount"]
        return count


EMPTY = {"yourValue", "percentile", "p25", "median", "p75", "peerCount", "verdict"}


class TestHistoryAfterAMove:
    def test_each_day_shows_in_the_group_it_was_in(
        self, client: TestClient, session: Session
    ) -> None:
        world = World(client, session)
        world.calculate(BEFORE)
        world.move_to_beta()
        world.calculate(TODAY)

        # The customer, now in Beta: Beta's history starts at the move.
        beta = world.history(world.customer, "Beta")
        assert beta[BEFORE.isoformat()]["available"] is False
        assert all(beta[BEFORE.isoformat()][f] is None for f in EMPTY)
        now = beta[TODAY.isoformat()]
        assert now["available"] is True and now["peerCount"] == 12
        assert now["verdict"] == "BOTTOM_QUARTILE"  # 20 among Beta's 60 to 90

        # Staff see its Alpha days in Alpha, and nothing in Alpha after it left.
        alpha = world.history(world.admin, "Alpha")
        then = alpha[BEFORE.isoformat()]
        assert then["available"] is True and then["peerCount"] == 11
        assert then["percentile"] == round(100 * 0.5 / 11)  # the lowest of Alpha's eleven
        assert alpha[TODAY.isoformat()]["available"] is False
        # And in Beta, its day in Alpha is nobody's point either.
        assert world.history(world.admin, "Beta")[BEFORE.isoformat()]["available"] is False

        # All customers holds it on both days.
        everyone = world.history(world.customer, "")
        assert all(point["available"] for point in everyone.values())


class TestRerunningAPastDay:
    def test_counts_whom_it_counted_in_their_groups_of_then(
        self, client: TestClient, session: Session
    ) -> None:
        world = World(client, session)
        world.calculate(BEFORE)
        counts = {sector: world.peer_count(sector, BEFORE) for sector in ("Alpha", "Beta")}
        assert counts == {"Alpha": 11, "Beta": 11}
        world.move_to_beta()
        churned = world.beta[5]
        response = client.patch(
            f"/api/v1/organizations/{churned.id}", json={"status": "CHURNED"}, headers=world.admin
        )
        assert response.status_code == 200

        world.calculate(BEFORE)  # again, after the move and the churn
        assert {s: world.peer_count(s, BEFORE) for s in ("Alpha", "Beta")} == counts
        beta = world.history(world.customer, "Beta")
        assert beta[BEFORE.isoformat()]["available"] is False

        world.calculate(TODAY)  # today counts today's groups
        assert world.peer_count("Beta", TODAY) == 11  # 11 + the mover - the churned


class TestRerunningAPastDayKeepsItsComputedValues:
    def test_switching_users_today_does_not_rewrite_yesterday(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        staff_headers: dict[str, str],
    ) -> None:
        yesterday = TODAY - timedelta(days=1)
        track, quizzes = create_track_with_quizzes(session, courses=1)
        orgs = organizations(session, 6, sector="Gamma", employees=300)
        learners: dict[int, list[User]] = {}
        for i, org in enumerate(orgs):
            learners[org.id] = [create_user(session, organization=org)[0] for _ in range(4)]
            assign(client, staff_headers, track, org)
            for user in learners[org.id][: 1 + i % 4]:
                certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
        # Assigned and done three days ago, so yesterday's rates count them.
        earlier = utcnow() - timedelta(days=3)
        session.execute(update(Assignment).values(assigned_at=earlier))
        session.execute(update(Certificate).values(issued_at=earlier))
        ours = orgs[0]  # 1 of 4 done: 25 %
        _, admin_token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=ours)
        customer_admin = bearer(admin_token)
        _, staff_admin = create_user(session, role=Role.ADMIN)

        def run(day: Any) -> None:
            response = client.post(
                f"{API}/calculate",
                json={"calculatedFor": day.isoformat()},
                headers=bearer(staff_admin),
            )
            assert response.status_code == 200, response.text

        def value_on(day: Any) -> float | None:
            points = client.get(
                f"{API}/organizations/{ours.id}/history",
                params={"metric": "training_completion_rate", "days": 5},
                headers=customer_admin,
            ).json()
            found: float | None = {p["calculatedFor"]: p for p in points}[day.isoformat()][
                "yourValue"
            ]
            return found

        run(yesterday)
        assert value_on(yesterday) == 25.0
        # Today it switches off the three learners who have not finished: 100 %.
        for user in learners[ours.id][1:]:
            response = client.patch(
                f"/api/v1/users/{user.id}", json={"isActive": False}, headers=customer_admin
            )
            assert response.status_code == 200
        run(yesterday)
        assert value_on(yesterday) == 25.0
        run(TODAY)
        assert value_on(TODAY) == 100.0


def assign(client: TestClient, staff: dict[str, str], track: Any, org: Organization) -> None:
    response = client.post(
        "/api/v1/training/assignments",
        json={
            "trackId": track.id,
            "organizationId": org.id,
            "dueOn": (utcnow().date() + timedelta(days=30)).isoformat(),
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text
