"""Where an organisation stands: peer groups, availability, and what each role may see."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy.stats.mstats import hdquantiles
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import (
    NOT_PUBLISHED,
    calculate_benchmarks,
    compare_organization,
)
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, OrganizationStatus, Role
from opsportal.principal import Principal
from tests.factories import add_many, bearer, create_user, organizations

TODAY = utc_today()
STAFF_ONLY = {"mean", "min", "max", "quantiles"}
CONTRACT_FIELDS = {
    "available",
    "metric",
    "yourValue",
    "percentile",
    "p25",
    "median",
    "p75",
    "peerCount",
    "filterDescription",
    "calculatedAt",
    "higherIsBetter",
}


def hd_quartiles(values: list[float]) -> list[float]:
    """Harrell-Davis p25, median and p75, by scipy's own implementation."""
    return [float(q) for q in hdquantiles(np.array(values), prob=[0.25, 0.5, 0.75])]


def estimate(value: float, quartiles: list[float], *, higher_is_better: bool) -> int:
    """The share of peers beaten, read off the shown quartiles on a 0-100 range."""
    share = float(np.interp(value, [0.0, *quartiles, 100.0], [0, 25, 50, 75, 100]))
    return int(np.floor((share if higher_is_better else 100 - share) + 0.5))


class World:
    """Six Healthcare organisations of 101-500 employees, one big Healthcare one,
    four small Retail ones, and an inactive one; login rate and resolution time each."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.mid = organizations(session, 6, sector="Healthcare", employees=300)
        self.big = organizations(session, 1, sector="Healthcare", employees=5000)
        self.retail = organizations(session, 4, sector="Retail", employees=50)
        self.inactive = organizations(
            session, 1, sector="Healthcare", employees=300, status=OrganizationStatus.INACTIVE
        )
        self.login = {}
        rows = []
        everyone = self.mid + self.big + self.retail + self.inactive
        for i, org in enumerate(everyone):
            login = 10.0 * (i + 1)  # 10, 20, ..., 120 capped below
            login = min(login, 100.0)
            self.login[org.id] = login
            rows.append((org, "login_rate", login, TODAY))
            rows.append((org, "case_resolution_time", float(i + 1), TODAY))
        add_many(session, rows)
        self.summary = calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        self.me = self.mid[2]  # login 30, resolution 3 days

    def customer(self, session: Session, org: Organization | None = None) -> dict[str, str]:
        _, token = create_user(session, role=Role.CUSTOMER, organization=org or self.me)
        return bearer(token)


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    return World(session, settings)


def url(org_id: int, metric: str | None = None) -> str:
    base = f"/api/v1/benchmarks/organizations/{org_id}"
    return f"{base}/metrics/{metric}" if metric else base


class TestCustomerView:
    def test_own_organization_against_all_customers(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        response = client.get(url(world.me.id, "login_rate"), headers=world.customer(session))
        assert response.status_code == 200, response.text
        body = response.json()
        assert CONTRACT_FIELDS <= set(body)
        assert not STAFF_ONLY & set(body)
        assert body["available"] is True
        assert body["yourValue"] == 30.0
        assert body["peerCount"] == 11  # the inactive organisation does not count
        assert body["filterDescription"] == "all customers (11 organizations)"
        # The quartiles of its 10 other peers (Harrell-Davis), rounded to 10 points
        # in a group under 20; its own 30 is not among them.
        others = sorted(min(10.0 * (i + 1), 100.0) for i in range(11) if i != 2)
        expected = [float(np.floor(q / 10 + 0.5) * 10) for q in hd_quartiles(others)]
        assert [body["p25"], body["median"], body["p75"]] == expected
        # Its percentile is estimated from what it is shown and its own value.
        assert body["percentileEstimated"] is True
        assert body["percentile"] == estimate(30.0, expected, higher_is_better=True)
        assert body["verdict"] == "BOTTOM_QUARTILE"
        assert body["higherIsBetter"] is True
        assert body["calculatedAt"]

    def test_lower_is_better_ranks_a_low_value_high(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        body = client.get(
            url(world.me.id, "case_resolution_time"), headers=world.customer(session)
        ).json()
        assert body["higherIsBetter"] is False
        assert body["yourValue"] == 3.0
        # Days are rounded to whole days; a low value ranks high.
        others = [float(i + 1) for i in range(11) if i != 2]
        expected = [float(np.floor(q + 0.5)) for q in hd_quartiles(others)]
        assert [body["p25"], body["median"], body["p75"]] == expected
        assert body["percentile"] == estimate(3.0, expected, higher_is_better=False)
        assert body["percentile"] > 75 and body["verdict"] == "TOP_QUARTILE"

    def test_staff_see_the_exact_percentile(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _, token = create_user(session, role=Role.INTERNAL)
        body = client.get(url(world.me.id, "case_resolution_time"), headers=bearer(token)).json()
        # 8 of 11 peers are slower: (8 + 0.5) / 11
        assert body["percentile"] == round(100 * 8.5 / 11)
        assert body["percentileEstimated"] is False
        assert body["median"] == 6.0

    def test_another_organization_is_404(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        headers = world.customer(session)
        for target in (world.mid[0].id, 2_000_000_000):
            for path in (url(target), url(target, "login_rate"), url(target, "nope")):
                response = client.get(path, headers=headers)
                assert response.status_code == 404, path
                assert response.headers["content-type"] == "application/problem+json"

    def test_every_metric_at_once(self, client: TestClient, session: Session, world: World) -> None:
        response = client.get(url(world.me.id), headers=world.customer(session))
        assert response.status_code == 200
        items = response.json()
        assert [i["metric"] for i in items] == [
            "attestation_completion_rate",
            "case_resolution_time",
            "case_on_time_rate",
            "login_rate",
            "feature_adoption_rate",
            "training_completion_rate",
        ]
        assert [i["available"] for i in items] == [False, True, False, True, False, False]
        for item in items:
            assert not STAFF_ONLY & set(item)
        assert "has no value for attestation completion rate" in items[0]["reason"]


class TestStaffView:
    @pytest.mark.parametrize("role", [Role.ADMIN, Role.INTERNAL])
    def test_staff_see_any_organization_with_extra_statistics(
        self, client: TestClient, session: Session, world: World, role: Role
    ) -> None:
        _, token = create_user(session, role=role)
        response = client.get(url(world.retail[0].id, "login_rate"), headers=bearer(token))
        assert response.status_code == 200
        body = response.json()
        assert CONTRACT_FIELDS | STAFF_ONLY <= set(body)
        assert (body["min"], body["max"]) == (10.0, 100.0)
        assert len(body["quantiles"]) == 101
        assert body["mean"] == pytest.approx(np.mean([10.0 * (i + 1) for i in range(10)] + [100.0]))

        listed = client.get(url(world.retail[0].id), headers=bearer(token)).json()
        assert all(STAFF_ONLY <= set(item) for item in listed)

    def test_service_returns_schema_objects(
        self, session: Session, world: World, settings: Settings
    ) -> None:
        staff = Principal(0, "ops@x", "Ops", Role.INTERNAL, None)
        items = compare_organization(
            session,
            principal=staff,
            organization_id=world.me.id,
            industry_sector="Healthcare",
            size_band="101-500",
            settings=settings,
        )
        login = next(i for i in items if i.metric == "login_rate")
        assert login.available and login.peer_count == 6


class TestPeerGroups:
    def headers(self, session: Session) -> dict[str, str]:
        _, token = create_user(session, role=Role.INTERNAL)
        return bearer(token)

    def test_industry(self, client: TestClient, session: Session, world: World) -> None:
        body = client.get(
            url(world.me.id, "login_rate"),
            params={"industrySector": "Healthcare"},
            headers=self.headers(session),
        ).json()
        assert body["filterDescription"] == "Healthcare (7 organizations)"
        assert body["peerCount"] == 7

    def test_industry_is_case_insensitive(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        body = client.get(
            url(world.me.id, "login_rate"),
            params={"industrySector": "healthcare"},
            headers=self.headers(session),
        ).json()
        assert body["filterDescription"] == "Healthcare (7 organizations)"

    def test_industry_and_size_band_withheld_from_customers(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        # Healthcare's row holds 6 (101-500) and 1 (2001+): the lone withheld cell
        # would follow from Healthcare's total minus 6, so the 6 are withheld too.
        params = {"industrySector": "Healthcare", "employeeMin": 101, "employeeMax": 500}
        staff = client.get(
            url(world.me.id, "login_rate"), params=params, headers=self.headers(session)
        ).json()
        assert staff["available"] is True and staff["withheldFromCustomers"] is True
        assert staff["filterDescription"] == "Healthcare, 101-500 employees (6 organizations)"
        # 10..60: below 2, equal 1 of 6
        assert staff["percentile"] == round(100 * 2.5 / 6)

        body = client.get(
            url(world.me.id, "login_rate"), params=params, headers=world.customer(session)
        ).json()
        assert body["available"] is False
        assert body["reason"] == NOT_PUBLISHED.format(group="Healthcare, 101-500 employees")
        assert body["percentile"] is None and body["peerCount"] is None

    def test_industry_withheld_when_the_other_industry_would_follow_by_subtraction(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        # All customers (11) minus Healthcare (7) would give Retail's withheld 4.
        params = {"industrySector": "Healthcare"}
        body = client.get(
            url(world.me.id, "login_rate"), params=params, headers=world.customer(session)
        ).json()
        assert body["available"] is False
        assert body["reason"] == NOT_PUBLISHED.format(group="Healthcare")
        staff = client.get(
            url(world.me.id, "login_rate"), params=params, headers=self.headers(session)
        ).json()
        assert staff["available"] is True and staff["withheldFromCustomers"] is True
        assert staff["peerCount"] == 7

    def test_open_ended_band(self, client: TestClient, session: Session, world: World) -> None:
        body = client.get(
            url(world.me.id, "login_rate"),
            params={"employeeMin": 2001},
            headers=self.headers(session),
        ).json()
        assert body["available"] is False
        assert body["filterDescription"] == "2001+ employees"
        assert "Fewer than 5" in body["reason"]

    @pytest.mark.parametrize(
        "params",
        [
            {"employeeMin": 100, "employeeMax": 500},
            {"employeeMin": 101},
            {"employeeMax": 500},
            {"employeeMin": 2001, "employeeMax": 3000},
            {"employeeMin": -1},
            {"employeeMin": 10**30},
            {"employeeMin": "many"},
        ],
    )
    def test_size_must_name_a_band(
        self, client: TestClient, session: Session, world: World, params: dict[str, object]
    ) -> None:
        for path in (url(world.me.id, "login_rate"), url(world.me.id)):
            response = client.get(path, params=params, headers=self.headers(session))
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["field"].startswith("employeeM")
        response = client.get(
            url(world.me.id),
            params={"employeeMin": 100, "employeeMax": 500},
            headers=self.headers(session),
        )
        assert "101-500" in response.json()["detail"] and "2001+" in response.json()["detail"]

    def test_too_few_peers(self, client: TestClient, session: Session, world: World) -> None:
        body = client.get(
            url(world.retail[0].id, "login_rate"),
            params={"industrySector": "Retail"},
            headers=world.customer(session, world.retail[0]),
        ).json()
        assert body["available"] is False
        assert body["reason"] == NOT_PUBLISHED.format(group="Retail")
        assert body["percentile"] is None and body["median"] is None
        assert body["filterDescription"] == "Retail"

    @pytest.mark.parametrize(
        "params",
        [{"industrySector": "Aerospace"}, {"employeeMin": 501, "employeeMax": 2000}],
    )
    def test_empty_group_reads_as_too_small_to_staff(
        self, client: TestClient, session: Session, world: World, params: dict[str, object]
    ) -> None:
        body = client.get(
            url(world.me.id, "login_rate"), params=params, headers=self.headers(session)
        ).json()
        assert body["available"] is False
        assert "Fewer than 5" in body["reason"]

    def test_peer_group_options_for_staff(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        body = client.get("/api/v1/benchmarks/peer-groups", headers=self.headers(session)).json()
        assert body["industrySectors"] == ["Healthcare", "Retail"]
        assert [b["label"] for b in body["sizeBands"]] == ["1-100", "101-500", "501-2000", "2001+"]
        assert body["sizeBands"][-1] == {"label": "2001+", "employeeMin": 2001, "employeeMax": None}

    def test_peer_group_options_for_a_customer_are_its_own(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        body = client.get("/api/v1/benchmarks/peer-groups", headers=world.customer(session)).json()
        assert body == {
            "industrySectors": ["Healthcare"],
            "sizeBands": [{"label": "101-500", "employeeMin": 101, "employeeMax": 500}],
        }


class TestUnavailable:
    def test_no_run_yet(self, client: TestClient, session: Session) -> None:
        (org,) = organizations(session, 1)
        add_many(session, [(org, "login_rate", 50.0, TODAY)])
        _, token = create_user(session, role=Role.CUSTOMER, organization=org)
        body = client.get(url(org.id, "login_rate"), headers=bearer(token)).json()
        assert body["available"] is False
        assert "not been calculated" in body["reason"]

    def test_own_value_too_old(
        self, client: TestClient, session: Session, world: World, settings: Settings
    ) -> None:
        (old,) = organizations(session, 1)
        add_many(session, [(old, "login_rate", 50.0, TODAY - timedelta(days=40))])
        body = client.get(url(old.id, "login_rate"), headers=world.customer(session, old)).json()
        assert body["available"] is False
        assert body["yourValue"] is None
        assert "35 days" in body["reason"]

    def test_unknown_metric_is_404(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        response = client.get(url(world.me.id, "nps"), headers=world.customer(session))
        assert response.status_code == 404
        assert "login_rate" in response.json()["detail"]

    def test_unknown_organization_is_404_for_staff(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _, token = create_user(session, role=Role.ADMIN)
        assert client.get(url(2_000_000_000), headers=bearer(token)).status_code == 404
        assert client.get(url(99999999999999999999), headers=bearer(token)).status_code == 422

    def test_needs_a_token(self, client: TestClient, world: World) -> None:
        assert client.get(url(world.me.id)).status_code == 401

    def test_long_industry_is_422(self, client: TestClient, session: Session, world: World) -> None:
        response = client.get(
            url(world.me.id), params={"industrySector": "x" * 500}, headers=world.customer(session)
        )
        assert response.status_code == 422
