"""Join/leave differencing on a metric whose values sit on a grid (k/m of a few people).

`training_completion_rate` is k/m for an organisation's m learners, so its
values lie on a grid: round(100k/m, 1) with m ≤ 12 has 46 points, up to 8.3
apart near 0 and 100. An attacker that narrows a leaver's value to an interval
holding one grid point has its exact value. The linear-programming attacker of
tests/benchmarks/attacks.py reads what a customer is shown of a group of 10 to
13 before and after one organisation leaves, snaps its interval to the grid,
and must get the exact value in at most 0.5 % of 600 trials. The rule shown
before (numpy's quartiles of every member, the attacker's own value among
them, rounded to whole units) gives it several times that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import NO_GROUP
from opsportal.benchmarks.privacy import customer_quartiles, customer_step
from opsportal.benchmarks.quartiles import leave_one_out_quartiles
from opsportal.metrics.service import utc_today
from opsportal.models import Role
from tests.benchmarks.attacks import harrell_davis_weights, leaver_interval, linear_weights
from tests.factories import add_many, bearer, create_user, organizations

TODAY = utc_today()
GRID = np.array(sorted({round(100 * k / m, 1) for m in range(1, 13) for k in range(m + 1)}))
TRIALS = 600


def grid_values(rng: np.random.Generator, count: int) -> list[float]:
    """`count` organisations' rates: m learners (1 to 12), k of them done (0 to m)."""
    learners = rng.integers(1, 13, size=count)
    return [round(100 * int(rng.integers(0, m + 1)) / int(m), 1) for m in learners]


def shown_to(own: int, group: Sequence[float]) -> list[float]:
    """What the member at sorted position `own` is shown of the others: the product's functions."""
    ordered = np.sort(np.asarray(group, dtype=np.float64))
    others = leave_one_out_quartiles(ordered, np.array([0]), np.array([len(ordered)]))
    shown = customer_quartiles(
        others[own][None, None, :],
        np.array([[0]]),
        shown=[True],
        steps=[customer_step("percent", len(ordered))],
    )
    return [float(q) for q in shown[0, 0]]


def snapped(interval: tuple[float, float] | None) -> list[float]:
    """The grid points the leaver's value may be, given the attacker's interval."""
    if interval is None:
        return list(GRID)
    low, high = interval
    return [float(g) for g in GRID if low - 1e-6 <= g <= high + 1e-6]


Attack = Callable[[list[float], int, int], tuple[float, float] | None]


def attack_now(group: list[float], own: int, leaver: int) -> tuple[float, float] | None:
    """The attacker against today's rule: the others' Harrell-Davis quartiles, rounded."""
    ordered = sorted(group)
    after = [v for i, v in enumerate(ordered) if i != leaver]
    own_after = own - (leaver < own)
    before_shown = shown_to(own, ordered)
    after_shown = shown_to(own_after, after)
    others = len(ordered) - 1
    step = max(customer_step("percent", len(ordered)), customer_step("percent", len(after)))
    return leaver_interval(
        size=others,
        weights=harrell_davis_weights,
        before=before_shown,
        after=after_shown,
        tolerance=step / 2 + 1e-9,
        candidates=range(others),  # it is not told on which side of it the leaver was
        bounds=[(0.0, 100.0)] * others,
    )


def attack_before(group: list[float], own: int, leaver: int) -> tuple[float, float] | None:
    """The same attacker against the rule before: every member's linear quartiles, whole units."""
    ordered = sorted(group)
    after = [v for i, v in enumerate(ordered) if i != leaver]
    shown = [
        [float(round(float(np.percentile(values, 100 * q)))) for q in (0.25, 0.5, 0.75)]
        for values in (ordered, after)
    ]
    bounds = [(0.0, 100.0)] * len(ordered)
    bounds[own] = (ordered[own], ordered[own])
    return leaver_interval(
        size=len(ordered),
        weights=linear_weights,
        before=shown[0],
        after=shown[1],
        tolerance=0.5 + 1e-9,
        candidates=[i for i in range(len(ordered)) if i != own],
        bounds=bounds,
    )


def exact_recoveries(attack: Attack, trials: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    exact = 0
    for _ in range(trials):
        group = sorted(grid_values(rng, int(rng.integers(10, 14))))
        own = int(rng.integers(0, len(group)))
        leaver = int(rng.choice([i for i in range(len(group)) if i != own]))
        found = snapped(attack(group, own, leaver))
        exact += found == [group[leaver]]
    return exact


@pytest.mark.slow  # some 20,000 small linear programs
class TestGridDifferencing:
    def test_the_leavers_exact_value_is_recovered_at_most_once_in_200(self) -> None:
        recovered = exact_recoveries(attack_now, TRIALS, seed=5)
        assert recovered <= TRIALS * 0.005, f"{recovered} of {TRIALS}"

    def test_the_attack_has_teeth_against_the_rule_before(self) -> None:
        trials = 300
        recovered = exact_recoveries(attack_before, trials, seed=5)
        assert recovered >= trials * 0.03, f"{recovered} of {trials}"


class TestWhatTheApiShows:
    def test_customers_are_shown_the_published_statistics_of_their_others(
        self, client: TestClient, session: Session
    ) -> None:
        """Through the API, before and after one leaves: what the attacker above modelled."""
        rng = np.random.default_rng(8)
        members = organizations(session, 12, sector="Grid", employees=300)
        values = dict(zip((o.id for o in members), grid_values(rng, 12), strict=True))
        add_many(session, [(o, "login_rate", values[o.id], TODAY) for o in members])
        _, admin_token = create_user(session, role=Role.ADMIN)
        admin = bearer(admin_token)
        me = members[5]
        _, token = create_user(session, role=Role.CUSTOMER, organization=me)

        def read() -> dict[str, Any]:
            calculated = client.post("/api/v1/benchmarks/calculate", json={}, headers=admin)
            assert calculated.status_code == 200, calculated.text
            body = client.get(
                f"/api/v1/benchmarks/organizations/{me.id}/metrics/login_rate",
                params={"industrySector": "Grid"},
                headers=bearer(token),
            ).json()
            assert body["available"] is True, body
            return body

        for leaver in (None, members[0], members[11]):
            if leaver is not None:
                response = client.patch(
                    f"/api/v1/organizations/{leaver.id}", json={"status": "CHURNED"}, headers=admin
                )
                assert response.status_code == 200
                del values[leaver.id]
            body = read()
            group = sorted(values.values())
            own = group.index(values[me.id])
            assert body["peerCount"] == len(group)
            assert [body["p25"], body["median"], body["p75"]] == shown_to(own, group)
            # The rounding the attacker assumed: multiples of 10 under 20 peers.
            assert all(q % 10 == 0 for q in (body["p25"], body["median"], body["p75"]))


def test_no_group_reads_as_nothing_shown() -> None:
    shown = customer_quartiles(
        np.array([[[40.0, 50.0, 60.0]]]), np.array([[NO_GROUP]]), shown=[True], steps=[10.0]
    )
    assert np.isnan(shown).all()
