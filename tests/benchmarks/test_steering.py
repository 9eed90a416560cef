"""The steering attacker: a customer_admin moves its own value run after run and reads its place.

The issue's attack: with a percentile computed from every peer's value, each
reading gives the attacker how many peers lie below its own value, so moving
that value and bisecting where the percentile steps locates every peer. Here a
customer_admin does it through the API, over 24 runs, in an industry of 9 and
one of 14, on each kind of metric:

- `training_completion_rate`, computed by each run: it switches its own users
  on and off (`PATCH /api/v1/users/{id}`), which sets its rate to a/(a + b);
- `login_rate` (percent, higher is better) and `case_resolution_time` (days,
  lower is better), reported by the main product: the value the attacker
  steers its product usage to, imported as the main product would.

It must locate no peer to within ±0.5. The same attacker, given the exact
percentile of the same peers (what was stored and shown before), locates
several: the attack has teeth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role, Track, User
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
API = "/api/v1/benchmarks/organizations"
RUNS = 24
# A jump of the attacker's reading by at least this many peers means a peer lies between.
JUMP = 0.4
# Each attacker org has this many learners who completed the track and this many who did not.
LEARNERS = 10
# Peers' training completion rates: k/m with m ≤ 12, none within 1.1 points of a
# multiple of 5 (where rounded quartiles, and so the estimated percentile, may step).
TRAINING_RATES = [(1, 3), (2, 3), (2, 7), (3, 7), (4, 7), (5, 7), (1, 6), (5, 6), (2, 9)]
TRAINING_RATES += [(7, 9), (1, 8), (3, 8), (5, 8), (7, 8), (3, 11), (4, 11), (7, 11), (8, 11)]
TRAINING_RATES += [(2, 11), (9, 11), (5, 12), (7, 12), (11, 12), (1, 12)]
METRICS = ("training_completion_rate", "login_rate", "case_resolution_time")


def nearest_between(
    low: float, high: float, choices: list[float] | None, *, decimals: int = 3
) -> float | None:
    """A value the attacker can give itself strictly between `low` and `high`, nearest middle."""
    middle = (low + high) / 2
    if choices is None:
        found = round(middle, decimals)
        return found if low < found < high else None
    inside = [c for c in choices if low < c < high]
    return min(inside, key=lambda c: abs(c - middle)) if inside else None


@dataclass
class Steerer:
    """Bisects its own value where its reading (peers it beats) jumps by a peer or more."""

    lowest: float
    highest: float
    higher_is_better: bool
    choices: list[float] | None  # None: any value with three decimals
    # The values a peer can have (a training rate is k/m with m ≤ 12), or None: any.
    grid: list[float] | None = None
    seen: dict[float, float | None] = field(default_factory=dict)

    def reading(self, percentile: int | None, peers: int | None) -> float | None:
        if percentile is None or peers is None:
            return None
        share = percentile if self.higher_is_better else 100 - percentile
        return share * peers / 100

    def _steps(self) -> list[tuple[float, float]]:
        """Neighbouring values whose readings differ by a peer or more."""
        read = sorted((v, r) for v, r in self.seen.items() if r is not None)
        return [
            (v1, v2) for (v1, r1), (v2, r2) in zip(read, read[1:], strict=False) if r2 - r1 >= JUMP
        ]

    def next_value(self) -> float:
        if self.lowest not in self.seen:
            return self.lowest
        if self.highest not in self.seen:
            return self.highest
        # Narrow the narrowest step first: one peer pinned beats many half-found.
        candidates = []
        for low, high in self._steps():
            value = nearest_between(low, high, self.choices)
            if high - low > 1.0 and value is not None and value not in self.seen:
                candidates.append((high - low, value))
        if candidates:
            return min(candidates)[1]
        known = sorted(self.seen)  # nothing to bisect: look where it has not looked yet
        for low, high in zip(known, known[1:], strict=False):
            value = nearest_between(low, high, self.choices)
            if value is not None and value not in self.seen:
                candidates.append((high - low, value))
        return max(candidates)[1] if candidates else self.lowest

    def located(self) -> list[float]:
        """Where it says a peer is: the middle of each step at most one unit wide, or on a
        grid, the one value a peer can have within a step."""
        found = []
        for low, high in self._steps():
            on_grid = [g for g in self.grid or () if low <= g <= high]
            if high - low <= 1.0:
                found.append((low + high) / 2)
            elif len(on_grid) == 1:
                found.append(on_grid[0])
        return found


def recovered(located: list[float], peers: list[float]) -> list[float]:
    """The peers' values it located to within ±0.5."""
    return [p for p in peers if any(abs(p - guess) <= 0.5 for guess in located)]


def exact_percentile(value: float, peers: list[float], *, higher_is_better: bool) -> int:
    """The percentile as it was stored before: 100 × (below + ½·equal) / n, itself included."""
    everyone = [*peers, value]
    below = sum(v < value for v in everyone)
    equal = sum(v == value for v in everyone)
    share = 100 * (below + 0.5 * equal) / len(everyone)
    share = share if higher_is_better else 100 - share
    return int(np.floor(share + 0.5))


@dataclass
class Attacker:
    """A customer_admin in an industry of `size`, its learners and the peers' true values."""

    size: int
    organization: Organization
    headers: dict[str, str]
    completed: list[User]
    not_completed: list[User]
    peers: dict[str, list[float]]
    steerers: dict[str, Steerer] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)


def training_choices() -> list[float]:
    return sorted(
        {
            round(100 * a / (a + b), 1)
            for a in range(LEARNERS + 1)
            for b in range(LEARNERS + 1)
            if a + b
        }
    )


def peer_grid() -> list[float]:
    return sorted({grid_value(k, m) for m in range(1, 13) for k in range(m + 1)})


def grid_value(k: int, m: int) -> float:
    return round(100 * k / m, 1)


def away_from_round_numbers(rng: np.random.Generator, low: float, high: float) -> float:
    while True:
        value = round(float(rng.uniform(low, high)), 3)
        if abs(value - 5 * round(value / 5)) >= 1.1:
            return value


@dataclass
class World:
    admin: dict[str, str]
    attackers: list[Attacker]


def build(client: TestClient, session: Session, settings: Settings, staff: dict[str, str]) -> World:
    rng = np.random.default_rng(22)
    track, quizzes = create_track_with_quizzes(session, courses=1)
    _, admin_token = create_user(session, role=Role.ADMIN)
    rates = iter(TRAINING_RATES)
    attackers = []
    rows: list[tuple[Organization, str, float, Any]] = []
    for size in (9, 14):
        members = organizations(session, size, sector=f"Steered {size}", employees=300)
        me, peers = members[0], members[1:]
        truth: dict[str, list[float]] = {metric: [] for metric in METRICS}
        for org in peers:
            k, m = next(rates)
            learners = [create_user(session, organization=org)[0] for _ in range(m)]
            assign(client, staff, track, org, [u.id for u in learners])
            for user in learners[:k]:
                certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
            truth["training_completion_rate"].append(grid_value(k, m))
            login = away_from_round_numbers(rng, 1, 99)
            days = round(float(rng.uniform(1, 100)), 3)
            truth["login_rate"].append(login)
            truth["case_resolution_time"].append(days)
            rows += [(org, "login_rate", login, TODAY), (org, "case_resolution_time", days, TODAY)]
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=me)
        completed = [create_user(session, organization=me)[0] for _ in range(LEARNERS)]
        not_completed = [create_user(session, organization=me)[0] for _ in range(LEARNERS)]
        assign(client, staff, track, me, [u.id for u in completed + not_completed])
        for user in completed:
            certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
        attacker = Attacker(
            size, me, bearer(token), completed, not_completed, truth,
            active={u.id for u in completed + not_completed},
        )  # fmt: skip
        attacker.steerers = {
            "training_completion_rate": Steerer(
                0.0, 100.0, True, training_choices(), grid=peer_grid()
            ),
            "login_rate": Steerer(0.0, 100.0, True, None),
            "case_resolution_time": Steerer(0.0, 120.0, False, None),
        }
        attackers.append(attacker)
    add_many(session, rows)
    return World(bearer(admin_token), attackers)


def assign(
    client: TestClient, staff: dict[str, str], track: Track, org: Organization, users: list[int]
) -> None:
    response = client.post(
        "/api/v1/training/assignments",
        json={
            "trackId": track.id,
            "organizationId": org.id,
            "userIds": users,
            "dueOn": (utcnow().date() + timedelta(days=30)).isoformat(),
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text


def set_training_rate(client: TestClient, attacker: Attacker, value: float) -> None:
    """Switch its own learners on and off so that a of the completed and b others count."""
    a, b = next(
        (a, b)
        for a in range(LEARNERS + 1)
        for b in range(LEARNERS + 1)
        if a + b and round(100 * a / (a + b), 1) == value
    )
    wanted = {u.id for u in attacker.completed[:a] + attacker.not_completed[:b]}
    for user in attacker.completed + attacker.not_completed:
        if (user.id in wanted) != (user.id in attacker.active):
            response = client.patch(
                f"/api/v1/users/{user.id}",
                json={"isActive": user.id in wanted},
                headers=attacker.headers,
            )
            assert response.status_code == 200, response.text
    attacker.active = wanted


def report(
    client: TestClient, admin: dict[str, str], attacker: Attacker, metric: str, value: float
) -> None:
    """The main product reports the value the attacker steered its usage to."""
    item = {
        "organizationId": attacker.organization.id,
        "metric": metric,
        "value": value,
        "recordedOn": TODAY.isoformat(),
    }
    response = client.post("/api/v1/metrics/values", json={"values": [item]}, headers=admin)
    assert response.status_code == 200, response.text


@pytest.mark.slow  # 24 benchmark runs with a few hundred users
class TestSteering:
    def test_steering_its_own_value_locates_no_peer(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        staff_headers: dict[str, str],
    ) -> None:
        world = build(client, session, settings, staff_headers)
        shown_of_peers: dict[tuple[int, str], set[tuple[Any, ...]]] = {}
        for _ in range(RUNS):
            probes: dict[tuple[int, str], float] = {}
            for attacker in world.attackers:
                for metric, steerer in attacker.steerers.items():
                    value = steerer.next_value()
                    probes[(attacker.size, metric)] = value
                    if metric == "training_completion_rate":
                        set_training_rate(client, attacker, value)
                    else:
                        report(client, world.admin, attacker, metric, value)
            run = client.post(
                "/api/v1/benchmarks/calculate",
                json={"calculatedFor": TODAY.isoformat()},
                headers=world.admin,
            )
            assert run.status_code == 200, run.text
            for attacker in world.attackers:
                items = client.get(
                    f"{API}/{attacker.organization.id}",
                    params={"industrySector": f"Steered {attacker.size}"},
                    headers=attacker.headers,
                ).json()
                for item in items:
                    metric = item["metric"]
                    if metric not in attacker.steerers:
                        continue
                    value = probes[(attacker.size, metric)]
                    assert item["yourValue"] == pytest.approx(value)
                    steerer = attacker.steerers[metric]
                    steerer.seen[value] = steerer.reading(item["percentile"], item["peerCount"])
                    shown = tuple(item[f] for f in ("p25", "median", "p75", "peerCount"))
                    shown_of_peers.setdefault((attacker.size, metric), set()).add(shown)

        for attacker in world.attackers:
            for metric, steerer in attacker.steerers.items():
                peers = attacker.peers[metric]
                # What it is shown of its peers never moved while its own value did.
                assert len(shown_of_peers[(attacker.size, metric)]) == 1, (attacker.size, metric)
                assert len(steerer.seen) >= RUNS // 2
                found = recovered(steerer.located(), peers)
                assert found == [], (attacker.size, metric, found)

                # The attack has teeth: fed the exact percentile of the same peers
                # (what was stored and shown before), the same attacker locates peers.
                exact = Steerer(steerer.lowest, steerer.highest, steerer.higher_is_better,
                                steerer.choices, steerer.grid)  # fmt: skip
                for _ in range(RUNS):
                    value = exact.next_value()
                    percentile = exact_percentile(
                        value, peers, higher_is_better=steerer.higher_is_better
                    )
                    exact.seen[value] = exact.reading(percentile, len(peers) + 1)
                assert recovered(exact.located(), peers), (attacker.size, metric)
