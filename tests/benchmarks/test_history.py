"""History and verdicts: one point per calculated day, under each day's privacy rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.benchmarks.verdicts import describe_gap
from opsportal.config import Settings
from opsportal.metrics.registry import get_metric
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from tests.factories import add_many, bearer, create_user, organizations

TODAY = utc_today()
DAYS = [TODAY - timedelta(days=d) for d in (20, 10, 0)]
HISTORY_FIELDS = {
    "calculatedFor",
    "available",
    "yourValue",
    "percentile",
    "percentileEstimated",
    "p25",
    "median",
    "p75",
    "peerCount",
    "verdict",
}


def url(org: Organization) -> str:
    return f"/api/v1/benchmarks/organizations/{org.id}/history"


@pytest.fixture
def world(session: Session, settings: Settings) -> list[Organization]:
    """Twelve Healthcare organisations over three calculated days; the first slips each time."""
    orgs = organizations(session, 12, sector="Healthcare", employees=300)
    rows = []
    for day_index, day in enumerate(DAYS):
        for i, org in enumerate(orgs):
            value = 8.0 * (i + 1)
            if i == 0:
                value = (95.0, 70.0, 12.5)[day_index]  # top, then middle, then near the bottom
            rows.append((org, "login_rate", value, day))
    add_many(session, rows)
    for day in DAYS:
        calculate_benchmarks(session, settings=settings, calculated_for=day)
    return orgs


class TestHistory:
    def test_one_point_per_calculated_day_oldest_first(
        self, client: TestClient, session: Session, world: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=world[0])
        points = client.get(
            url(world[0]), params={"metric": "login_rate"}, headers=bearer(token)
        ).json()
        assert [p["calculatedFor"] for p in points] == [d.isoformat() for d in DAYS]
        assert all(set(p) == HISTORY_FIELDS for p in points)
        assert [p["yourValue"] for p in points] == [95.0, 70.0, 12.5]
        assert [p["verdict"] for p in points] == ["TOP_QUARTILE", "ABOVE_MEDIAN", "BOTTOM_QUARTILE"]
        assert all(p["peerCount"] == 12 and p["median"] is not None for p in points)

    def test_days_limits_how_far_back(
        self, client: TestClient, session: Session, world: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=world[0])
        points = client.get(
            url(world[0]), params={"metric": "login_rate", "days": 15}, headers=bearer(token)
        ).json()
        assert [p["calculatedFor"] for p in points] == [d.isoformat() for d in DAYS[1:]]

    def test_a_customer_sees_no_history_of_a_group_it_is_not_in(
        self, client: TestClient, session: Session, world: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=world[0])
        points = client.get(
            url(world[0]),
            params={"metric": "login_rate", "industrySector": "Retail"},
            headers=bearer(token),
        ).json()
        assert len(points) == 3
        for point in points:
            assert point["available"] is False
            assert all(point[f] is None for f in HISTORY_FIELDS - {"calculatedFor", "available"})

    def test_another_organization_is_404_and_bad_input_422(
        self, client: TestClient, session: Session, world: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=world[0])
        headers = bearer(token)
        assert (
            client.get(url(world[1]), params={"metric": "login_rate"}, headers=headers).status_code
            == 404
        )
        for params in (
            {},
            {"metric": "login_rate", "days": 0},
            {"metric": "login_rate", "days": 732},
        ):
            response = client.get(url(world[0]), params=params, headers=headers)
            assert response.status_code == 422, response.text
        assert (
            client.get(url(world[0]), params={"metric": "nps"}, headers=headers).status_code == 404
        )


class TestVerdictAndGap:
    def test_comparison_says_where_it_stands_in_words_and_numbers(
        self, client: TestClient, session: Session, world: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=world[0])
        body = client.get(
            f"/api/v1/benchmarks/organizations/{world[0].id}/metrics/login_rate",
            headers=bearer(token),
        ).json()
        assert body["verdict"] == "BOTTOM_QUARTILE"
        # Customers see their other peers' median, rounded; the gap is to what they see.
        assert body["medianGap"] == pytest.approx(12.5 - body["median"])
        assert body["summary"] == describe_gap(get_metric("login_rate"), body["medianGap"])  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("metric", "gap", "words"),
        [
            ("case_resolution_time", 2.1, "2.1 days slower than the median"),
            ("case_resolution_time", -1.0, "1 day faster than the median"),
            ("login_rate", 6.0, "6 points above the median"),
            ("login_rate", -0.5, "0.5 points below the median"),
            ("login_rate", 0.0, "at the median"),
        ],
    )
    def test_gap_in_words(self, metric: str, gap: float, words: str) -> None:
        found = get_metric(metric)
        assert found is not None
        assert describe_gap(found, gap) == words
