"""The privacy suite: a customer plays the attacker through the real API and must come away empty.

Each test reads only what a customer token can read, attacks it the way the
privacy issue describes (differencing, the percentile oracle, subtraction,
existence), and asserts that it learns no other organisation's number. Where
an attack is arithmetic, it is also run against the staff view of the same
data, to show the attack has teeth: it recovers values there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy.optimize import linprog
from sqlalchemy.orm import Session

from opsportal.benchmarks.privacy import customer_step
from opsportal.benchmarks.service import NOT_PUBLISHED
from opsportal.metrics.registry import IMPORTED_METRIC_NAMES
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from tests.benchmarks.attacks import harrell_davis_weights, leaver_interval, linear_weights
from tests.factories import add_many, bearer, create_user, organizations

TODAY = utc_today()
API = "/api/v1/benchmarks/organizations"
MID_BAND = {"employeeMin": 101, "employeeMax": 500}
ROUNDS = 3


def calculate(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/benchmarks/calculate", json={"calculatedFor": TODAY.isoformat()}, headers=admin
    )
    assert response.status_code == 200, response.text


def own_group_filters(org: Organization) -> list[dict[str, Any]]:
    """The four peer groups an organisation of 101-500 employees belongs to."""
    sector = {"industrySector": org.industry_sector}
    return [{}, sector, MID_BAND, {**sector, **MID_BAND}]


def read_everything(
    client: TestClient, org: Organization, headers: dict[str, str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every comparison of the organisation's own groups, keyed by (group, metric)."""
    seen = {}
    for params in own_group_filters(org):
        response = client.get(f"{API}/{org.id}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        for item in response.json():
            seen[(repr(sorted(params.items())), item["metric"])] = item
    return seen


# ---------------------------------------------------------------- the differencing attacker


@dataclass
class Cohort:
    """n organisations of one industry, all 101-500 employees; `me` is the attacker."""

    members: list[Organization]
    me: Organization
    values: dict[int, dict[str, float]]  # organisation id -> metric -> value


def build_cohorts(session: Session, sizes: Sequence[int], seed: int = 7) -> list[Cohort]:
    rng = np.random.default_rng(seed)
    cohorts, rows = [], []
    for size in sizes:
        members = organizations(session, size, sector=f"Industry {size:02d}", employees=300)
        values: dict[int, dict[str, float]] = {}
        for org in members:
            values[org.id] = {}
            for metric in IMPORTED_METRIC_NAMES:
                # Three decimals: no grid an attacker could snap an interval to.
                value = round(float(rng.uniform(1, 99)), 3)
                values[org.id][metric] = value
                rows.append((org, metric, value, TODAY))
        cohorts.append(Cohort(members, members[size // 2], values))
    add_many(session, rows)
    return cohorts


def differencing_attack(
    cohort: Cohort,
    leaver: Organization,
    before: dict[tuple[str, str], dict[str, Any]],
    after: dict[tuple[str, str], dict[str, Any]],
    *,
    staff: bool,
) -> list[tuple[float, float, float]]:
    """(true value, low, high) for every group × metric where the attacker learned an interval.

    It knows the publication rule. Staff are shown numpy's exact quartiles of
    every peer, its own value among them. Customers are shown the Harrell-Davis
    quartiles of the *other* peers, rounded to the group's step. Either way it
    is also told which side of its own value the leaver was (more than a
    customer is shown).
    """
    results = []
    for key, was in before.items():
        now = after[key]
        if not (was["available"] and now["available"]):
            continue
        if was["peerCount"] != now["peerCount"] + 1 or was["peerCount"] != len(cohort.members):
            continue  # only the industry groups lost exactly the leaver
        metric = key[1]
        peers = was["peerCount"]
        own_value = cohort.values[cohort.me.id][metric]
        everyone = sorted(v[metric] for v in cohort.values.values())
        own_rank = everyone.index(own_value)
        true_value = cohort.values[leaver.id][metric]
        below = true_value < own_value
        shown = [[item[q] for q in ("p25", "median", "p75")] for item in (was, now)]
        if staff:
            bounds = [(0.0, 100.0)] * peers
            bounds[own_rank] = (own_value, own_value)
            found = leaver_interval(
                size=peers,
                weights=linear_weights,
                before=shown[0],
                after=shown[1],
                tolerance=1e-9,
                candidates=[i for i in range(peers) if i != own_rank and (i < own_rank) == below],
                bounds=bounds,
            )
        else:
            others = peers - 1  # its own value is in none of what it is shown
            step = max(customer_step("percent", peers), customer_step("percent", peers - 1))
            found = leaver_interval(
                size=others,
                weights=harrell_davis_weights,
                before=shown[0],
                after=shown[1],
                tolerance=step / 2 + 1e-9,
                candidates=range(own_rank) if below else range(own_rank, others),
                bounds=[(0.0, own_value)] * own_rank + [(own_value, 100.0)] * (others - own_rank),
            )
        if found is not None:
            results.append((true_value, *found))
    return results


class TestDifferencing:
    @pytest.mark.slow  # a benchmark run per round, several seconds
    def test_join_leave_differencing_recovers_no_value(
        self, client: TestClient, session: Session
    ) -> None:
        sizes = list(range(5, 13 + ROUNDS - 1))
        cohorts = build_cohorts(session, sizes)
        _, admin_token = create_user(session, role=Role.ADMIN)
        admin = bearer(admin_token)
        customers = {}
        for cohort in cohorts:
            _, token = create_user(session, role=Role.CUSTOMER, organization=cohort.me)
            customers[cohort.me.id] = bearer(token)
        calculate(client, admin)

        customer_found: list[tuple[float, float, float]] = []
        staff_found: list[tuple[float, float, float]] = []
        for _ in range(ROUNDS):  # churn organisations of every cohort, one per run
            before = {c.me.id: read_everything(client, c.me, customers[c.me.id]) for c in cohorts}
            staff_before = {c.me.id: read_everything(client, c.me, admin) for c in cohorts}
            leavers = {}
            for cohort in cohorts:
                leaver = next(o for o in cohort.members if o.id != cohort.me.id)
                leavers[cohort.me.id] = leaver
                response = client.patch(
                    f"/api/v1/organizations/{leaver.id}", json={"status": "CHURNED"}, headers=admin
                )
                assert response.status_code == 200, response.text
            calculate(client, admin)
            for cohort in cohorts:
                leaver = leavers[cohort.me.id]
                after = read_everything(client, cohort.me, customers[cohort.me.id])
                staff_after = read_everything(client, cohort.me, admin)
                customer_found += differencing_attack(
                    cohort, leaver, before[cohort.me.id], after, staff=False
                )
                staff_found += differencing_attack(
                    cohort, leaver, staff_before[cohort.me.id], staff_after, staff=True
                )
                cohort.members.remove(leaver)
                del cohort.values[leaver.id]

        # The attack has teeth: on exact quartiles it pins some leavers' values.
        pinned = [(v, lo, hi) for v, lo, hi in staff_found if hi - lo < 1e-6]
        assert pinned, "the attacker should recover values from the staff view"
        assert all(abs(v - lo) < 1e-6 for v, lo, _ in pinned)
        # From what customers see, it never narrows a leaver's value below one unit.
        assert customer_found, "customers see quartiles of the larger groups"
        assert all(hi - lo >= 1.0 for _, lo, hi in customer_found)

    def test_small_groups_show_customers_the_peer_count_only(
        self, client: TestClient, session: Session
    ) -> None:
        (small, large) = build_cohorts(session, [9, 10])
        _, admin_token = create_user(session, role=Role.ADMIN)
        calculate(client, bearer(admin_token))
        for cohort, shown in ((small, False), (large, True)):
            _, token = create_user(session, role=Role.CUSTOMER, organization=cohort.me)
            body = client.get(
                f"{API}/{cohort.me.id}/metrics/login_rate",
                params={"industrySector": cohort.me.industry_sector},
                headers=bearer(token),
            ).json()
            assert body["available"] is True
            assert body["peerCount"] == len(cohort.members)
            placed = [body["p25"], body["median"], body["p75"], body["percentile"], body["verdict"]]
            assert all(q is not None for q in placed) is shown
            assert all(q is None for q in placed) is not shown
            assert body["percentileEstimated"] is (True if shown else None)
            if not shown:
                assert body["reason"].startswith("Fewer than 10 organizations")


# ---------------------------------------------------------------- the percentile oracle


class TestPercentileOracle:
    def test_a_new_value_or_another_group_teaches_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        (mine, other) = build_cohorts(session, [12, 30])
        _, admin_token = create_user(session, role=Role.ADMIN)
        admin = bearer(admin_token)
        _, token = create_user(session, role=Role.CUSTOMER, organization=mine.me)
        customer = bearer(token)
        calculate(client, admin)
        before = read_everything(client, mine.me, customer)
        assert any(item["available"] for item in before.values())

        # The customer's value moves after the run (here: steered to each extreme).
        for value in (0.0, 100.0, 50.0):
            response = client.post(
                "/api/v1/metrics/values",
                json={
                    "values": [
                        {
                            "organizationId": mine.me.id,
                            "metric": "login_rate",
                            "value": value,
                            "recordedOn": TODAY.isoformat(),
                        }
                    ]
                },
                headers=admin,
            )
            assert response.status_code == 200, response.text
            assert read_everything(client, mine.me, customer) == before

        # Groups it is not in: another industry, another size band, both.
        foreign = [
            {"industrySector": other.me.industry_sector},
            {"employeeMin": 2001},
            {"industrySector": other.me.industry_sector, "employeeMin": 1, "employeeMax": 100},
            {"industrySector": mine.me.industry_sector, "employeeMin": 501, "employeeMax": 2000},
        ]
        for params in foreign:
            for item in client.get(f"{API}/{mine.me.id}", params=params, headers=customer).json():
                assert item["available"] is False
                assert item["reason"] == NOT_PUBLISHED.format(group=item["filterDescription"])
                for field in ("percentile", "p25", "median", "p75", "peerCount"):
                    assert item[field] is None


# ---------------------------------------------------------------- subtraction


def _cells(client: TestClient, org: Organization, sectors: list[str], headers: dict[str, str]):
    """Staff's census of the industry × size table of one metric: counts, customer visibility."""
    bands = [
        ("1-100", 1, 100),
        ("101-500", 101, 500),
        ("501-2000", 501, 2000),
        ("2001+", 2001, None),
    ]
    table: dict[tuple[str, str], tuple[int, bool]] = {}
    for sector in ["", *sectors]:
        for label, low, high in [("", None, None), *bands]:
            params: dict[str, Any] = {}
            if sector:
                params["industrySector"] = sector
            if low is not None:
                params["employeeMin"] = low
                if high is not None:
                    params["employeeMax"] = high
            body = client.get(
                f"{API}/{org.id}/metrics/login_rate", params=params, headers=headers
            ).json()
            count = body["peerCount"] if body["available"] else 0
            visible = body["available"] and not body["withheldFromCustomers"]
            table[(sector, label)] = (count, visible)
    return table


class TestSubtraction:
    def test_no_withheld_cell_follows_from_published_totals(
        self, client: TestClient, session: Session
    ) -> None:
        # The Energy row (16, 6, 19 and a withheld 4), a column with one
        # small cell, and a sector whose only small cell sits beside large ones.
        layout = {
            "Energy": {"1-100": 16, "101-500": 6, "501-2000": 19, "2001+": 4},
            "Retail": {"1-100": 12, "101-500": 9, "501-2000": 7},
            "Finance": {"1-100": 11, "101-500": 3, "2001+": 8},
        }
        employees = {"1-100": 50, "101-500": 300, "501-2000": 1000, "2001+": 5000}
        rng = np.random.default_rng(3)
        rows = []
        first = None
        for sector, cells in layout.items():
            for band, count in cells.items():
                for org in organizations(session, count, sector=sector, employees=employees[band]):
                    first = first or org
                    rows.append((org, "login_rate", round(float(rng.uniform(0, 100)), 2), TODAY))
        add_many(session, rows)
        _, admin_token = create_user(session, role=Role.ADMIN)
        admin = bearer(admin_token)
        calculate(client, admin)
        assert first is not None
        table = _cells(client, first, list(layout), admin)

        # Colluding customers know every visible count. Each hidden cell is
        # unknown (≥ 0); every visible total is an equation over its line.
        hidden = [key for key, (_, visible) in table.items() if key[0] and key[1] and not visible]
        index = {key: i for i, key in enumerate(hidden)}
        equations, totals = [], []
        sectors, bands = list(layout), ["1-100", "101-500", "501-2000", "2001+"]
        lines = [((s, ""), [(s, b) for b in bands]) for s in sectors]
        lines += [(("", b), [(s, b) for s in sectors]) for b in bands]
        for total_key, members in lines:
            total, visible = table[total_key]
            if not visible:
                continue
            row = np.zeros(len(hidden))
            known = 0
            for member in members:
                if member in index:
                    row[index[member]] = 1
                else:
                    known += table[member][0]
            equations.append(row)
            totals.append(total - known)
        learned = {}
        for key, i in index.items():
            ends = []
            for sign in (1.0, -1.0):
                objective = np.zeros(len(hidden))
                objective[i] = sign
                solved = linprog(
                    objective,
                    A_eq=np.array(equations) if equations else None,
                    b_eq=np.array(totals) if totals else None,
                    bounds=[(0, None)] * len(hidden),
                    method="highs",
                )
                ends.append(sign * solved.fun if solved.status == 0 else None)
            learned[key] = ends
        for key, (low, high) in learned.items():
            true_count = layout[key[0]].get(key[1], 0)
            pinned = low is not None and high is not None and high - low < 1e-9
            assert not (pinned and true_count > 0), f"{key}: {true_count} follows by subtraction"
        # The suppression withheld more than the small cells, and said so to staff.
        assert table[("Energy", "2001+")][1] is False
        assert sum(1 for key in hidden if table[key][0] >= 5) >= 1


# ---------------------------------------------------------------- existence


class TestExistence:
    def test_a_new_organization_in_a_new_industry_is_invisible(
        self, client: TestClient, session: Session
    ) -> None:
        (mine,) = build_cohorts(session, [12])
        _, admin_token = create_user(session, role=Role.ADMIN)
        admin = bearer(admin_token)
        _, token = create_user(session, role=Role.CUSTOMER, organization=mine.me)
        customer = bearer(token)
        calculate(client, admin)

        def probe() -> list[Any]:
            answers = [client.get("/api/v1/benchmarks/peer-groups", headers=customer).json()]
            for sector in ("Aerospace", "aerospace", "No Such Industry"):
                items = client.get(
                    f"{API}/{mine.me.id}", params={"industrySector": sector}, headers=customer
                ).json()
                answers.append([(i["available"], i["reason"], i.get("peerCount")) for i in items])
            return answers

        nobody = probe()
        (newcomer,) = organizations(session, 1, sector="Aerospace", employees=3000)
        add_many(session, [(newcomer, "login_rate", 42.0, TODAY)])
        assert probe() == nobody
        calculate(client, admin)
        assert probe() == nobody
        # A real industry and a made-up one read alike, the name echoed back as typed.
        for answer, typed in zip(
            nobody[1:], ("Aerospace", "aerospace", "No Such Industry"), strict=True
        ):
            assert set(answer) == {(False, NOT_PUBLISHED.format(group=typed), None)}
