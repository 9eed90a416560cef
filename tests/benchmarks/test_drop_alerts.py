"""Benchmark drop alerts: after a run, a worse verdict in the scorecard's group is told once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from opsportal.auth.service import issue_token
from opsportal.benchmarks.alerts import benchmark_drops
from opsportal.benchmarks.repository import alerts as alert_queries
from opsportal.benchmarks.repository import positions_of
from opsportal.benchmarks.service import calculate_benchmarks, run_benchmarks
from opsportal.benchmarks.verdicts import Verdict, verdict_for
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.metrics.service import utc_today
from opsportal.models import (
    BenchmarkResult,
    CustomerView,
    Notification,
    Organization,
    OutboxMessage,
    Role,
    User,
)
from tests.factories import add_many, bearer, create_user, organizations
from tests.pages import PASSWORD, log_in

TODAY = utc_today()
DAY1 = TODAY - timedelta(days=1)
DAY2 = TODAY
# Nine peers at 10, 20, ..., 90 per cent, and "ours" placed among them.
PEERS = [10.0 * (i + 1) for i in range(9)]


class World:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.ours, *self.peers = organizations(session, 10)
        self.users = [
            create_user(session, role=Role.CUSTOMER, organization=self.ours)[0] for _ in range(2)
        ]
        self.peer_user = create_user(session, role=Role.CUSTOMER, organization=self.peers[0])[0]
        self.staff = create_user(session, role=Role.INTERNAL)[0]

    def day(self, day: date, ours: dict[str, float], *, peers: bool = True) -> None:
        """Record our values (and, the first time, the peers') on `day`."""
        rows = [(self.ours, metric, value, day) for metric, value in ours.items()]
        if peers:
            rows += [
                (org, metric, value, day)
                for metric in ours
                for org, value in zip(self.peers, PEERS, strict=True)
            ]
        add_many(self.session, rows)

    def run(self, day: date) -> None:
        calculate_benchmarks(self.session, settings=self.settings, calculated_for=day)

    def verdict(self, day: date, metric: str) -> Verdict:
        position = positions_of(self.session, day=day, organization_id=self.ours.id)[metric]
        assert position.percentile_all is not None
        return verdict_for(position.percentile_all)

    def notifications(self, user: User | None = None) -> list[Notification]:
        self.session.expire_all()
        query = select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return list(self.session.scalars(query))

    def emails(self) -> list[OutboxMessage]:
        return list(self.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    return World(session, settings)


class TestADropIsTold:
    def test_above_median_to_below_median(self, world: World) -> None:
        world.day(DAY1, {"login_rate": 65.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 45.0}, peers=False)
        world.run(DAY2)
        assert world.verdict(DAY1, "login_rate") is Verdict.ABOVE_MEDIAN
        assert world.verdict(DAY2, "login_rate") is Verdict.BELOW_MEDIAN

        for user in world.users:
            [notification] = world.notifications(user)
            assert notification.kind == "benchmark_drop"
            assert notification.title == "Login rate: now lower than the median"
            assert "login rate" in notification.body
            assert "“higher than the median” to “lower than the median”" in notification.body
            assert notification.link == f"/benchmarks/organizations/{world.ours.id}"
            assert notification.read_at is None
        # Only our organisation's customer users: not the peers', not staff.
        assert world.notifications(world.peer_user) == []
        assert world.notifications(world.staff) == []

        emails = world.emails()
        assert sorted(e.recipient for e in emails) == sorted(u.email for u in world.users)
        assert {e.subject for e in emails} == {"opsportal: Login rate now lower than the median"}
        assert all(
            f"http://testserver/benchmarks/organizations/{world.ours.id}" in e.body for e in emails
        )

    def test_into_the_bottom_quartile_for_a_lower_is_better_metric(self, world: World) -> None:
        # Case resolution time: lower is better, so 95 days is the worst of the group.
        world.day(DAY1, {"case_resolution_time": 15.0})
        world.run(DAY1)
        world.day(DAY2, {"case_resolution_time": 95.0}, peers=False)
        world.run(DAY2)
        assert world.verdict(DAY1, "case_resolution_time") is Verdict.TOP_QUARTILE
        assert world.verdict(DAY2, "case_resolution_time") is Verdict.BOTTOM_QUARTILE
        titles = {n.title for n in world.notifications(world.users[0])}
        assert titles == {"Case resolution time: now among the slowest quarter"}

    def test_only_the_metric_that_dropped(self, world: World) -> None:
        world.day(DAY1, {"login_rate": 65.0, "case_on_time_rate": 15.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 45.0, "case_on_time_rate": 95.0}, peers=False)
        world.run(DAY2)
        assert [n.title for n in world.notifications(world.users[0])] == [
            "Login rate: now lower than the median"
        ]

    def test_seen_through_the_api(self, world: World, client: TestClient) -> None:
        world.day(DAY1, {"login_rate": 95.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        world.run(DAY2)
        _, token = create_user(world.session, role=Role.CUSTOMER, organization=world.ours)
        # A user who joined after the run was not told.
        assert client.get("/api/v1/notifications", headers=bearer(token)).json() == []
        mine = client.get(
            "/api/v1/notifications", headers=bearer(issue_token(world.session, user=world.users[0]))
        ).json()
        assert [n["kind"] for n in mine] == ["benchmark_drop"]


class TestNothingToTell:
    def test_a_rise(self, world: World) -> None:
        world.day(DAY1, {"login_rate": 5.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 95.0}, peers=False)
        world.run(DAY2)
        assert world.notifications() == []
        assert world.emails() == []

    def test_the_same_verdict(self, world: World) -> None:
        world.day(DAY1, {"login_rate": 48.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 42.0}, peers=False)
        world.run(DAY2)
        assert world.verdict(DAY1, "login_rate") is world.verdict(DAY2, "login_rate")
        assert world.notifications() == []

    def test_the_first_day(self, world: World) -> None:
        world.day(DAY2, {"login_rate": 5.0})
        world.run(DAY2)
        assert world.notifications() == []

    def test_a_re_run_of_the_same_day_tells_once(self, world: World) -> None:
        world.day(DAY1, {"login_rate": 95.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        world.run(DAY2)
        world.run(DAY2)
        world.run(DAY2)
        assert len(world.notifications()) == 2
        assert len(world.emails()) == 2

    def test_a_back_dated_run_tells_nobody(self, world: World) -> None:
        older = DAY1 - timedelta(days=1)
        world.day(older, {"login_rate": 95.0})
        world.run(older)
        world.day(DAY2, {"login_rate": 95.0}, peers=False)
        world.run(DAY2)
        # A drop on DAY1, calculated after DAY2 already was: old news.
        world.day(DAY1, {"login_rate": 5.0}, peers=False)
        world.run(DAY1)
        assert world.verdict(DAY1, "login_rate") is Verdict.BOTTOM_QUARTILE
        assert world.notifications() == []

    def test_a_group_too_small_to_publish(self, session: Session, settings: Settings) -> None:
        ours, *peers = organizations(session, 4)
        user, _ = create_user(session, role=Role.CUSTOMER, organization=ours)
        add_many(
            session, [(o, "login_rate", 90.0 - 10 * i, DAY1) for i, o in enumerate([ours, *peers])]
        )
        calculate_benchmarks(session, settings=settings, calculated_for=DAY1)
        add_many(session, [(ours, "login_rate", 1.0, DAY2)])
        calculate_benchmarks(session, settings=settings, calculated_for=DAY2)
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


class TestPrivacy:
    @pytest.fixture
    def dropped(self, world: World) -> World:
        world.day(DAY1, {"login_rate": 95.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        world.run(DAY2)
        assert len(world.notifications()) == 2
        return world

    def forget_alerts(self, session: Session) -> None:
        session.execute(delete(Notification))
        session.execute(delete(OutboxMessage))

    def withhold(self, session: Session, day: date) -> None:
        """Every group of the metric that day (a wider one would stand in for one withheld)."""
        session.execute(
            update(BenchmarkResult)
            .where(BenchmarkResult.calculated_for == day, BenchmarkResult.metric == "login_rate")
            .values(customer_view=CustomerView.WITHHELD)
        )

    def test_control_the_same_drop_is_told_again_once_forgotten(
        self, dropped: World, settings: Settings
    ) -> None:
        self.forget_alerts(dropped.session)
        assert benchmark_drops(dropped.session, day=DAY2, settings=settings) == 2

    @pytest.mark.parametrize("withheld_on", [DAY1, DAY2])
    def test_no_alert_from_a_group_withheld_from_customers(
        self, dropped: World, settings: Settings, withheld_on: date
    ) -> None:
        self.forget_alerts(dropped.session)
        self.withhold(dropped.session, withheld_on)
        assert benchmark_drops(dropped.session, day=DAY2, settings=settings) == 0
        assert dropped.notifications() == []

    def test_the_alert_says_no_more_than_the_verdicts(self, dropped: World) -> None:
        [notification] = dropped.notifications(dropped.users[0])
        [email, _] = dropped.emails()
        link = f"http://testserver/benchmarks/organizations/{dropped.ours.id}"
        for text in (notification.title, notification.body, email.subject, email.body):
            # The metric, the two verdicts, the group, the day and the scorecard's address;
            # no value, no percentile, nothing of any peer.
            rest = text.replace(link, "").replace(DAY2.isoformat(), "").replace("101-500", "")
            assert not any(character.isdigit() for character in rest), text
            assert not any(p.name in text for p in dropped.peers)

    def test_inactive_users_are_not_told(self, world: World) -> None:
        world.users[1].is_active = False
        world.session.flush()
        world.day(DAY1, {"login_rate": 95.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        world.run(DAY2)
        assert [n.user_id for n in world.notifications()] == [world.users[0].id]


class TestTheRunStaysPublished:
    def test_an_alert_failure_does_not_fail_the_run(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("alerts are broken")

        world.day(DAY1, {"login_rate": 95.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        monkeypatch.setattr(alert_queries, "position_pairs", broken)
        world.run(DAY2)
        assert world.verdict(DAY2, "login_rate") is Verdict.BOTTOM_QUARTILE
        assert world.notifications() == []

    def test_a_recorded_run_tells_in_its_own_transaction(
        self, committed_session_factory: SessionFactory, settings: Settings
    ) -> None:
        with session_scope(committed_session_factory) as session:
            ours, *peers = organizations(session, 10)
            user, _ = create_user(session, role=Role.CUSTOMER, organization=ours)
            add_many(
                session,
                [(ours, "login_rate", 95.0, DAY1)]
                + [(o, "login_rate", v, DAY1) for o, v in zip(peers, PEERS, strict=True)],
            )
        run_benchmarks(committed_session_factory, settings=settings, calculated_for=DAY1)
        with session_scope(committed_session_factory) as session:
            organization = session.get(Organization, ours.id)
            assert organization is not None
            add_many(session, [(organization, "login_rate", 5.0, DAY2)])
        run_benchmarks(committed_session_factory, settings=settings, calculated_for=DAY2)
        run_benchmarks(committed_session_factory, settings=settings, calculated_for=DAY2)
        with session_scope(committed_session_factory) as session:
            told = list(session.scalars(select(Notification)))
            assert [(n.user_id, n.kind) for n in told] == [(user.id, "benchmark_drop")]
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


class ThroughTheApi:
    """The world above, driven through the API: values imported, days calculated, alerts read."""

    def __init__(self, world: World, client: TestClient) -> None:
        self.world, self.client = world, client
        self.admin = bearer(create_user(world.session, role=Role.ADMIN)[1])
        self.customer = bearer(issue_token(world.session, user=world.users[0]))

    def report(self, day: date, value: float) -> None:
        item = {
            "organizationId": self.world.ours.id,
            "metric": "login_rate",
            "value": value,
            "recordedOn": day.isoformat(),
        }
        response = self.client.post(
            "/api/v1/metrics/values", json={"values": [item]}, headers=self.admin
        )
        assert response.status_code == 200, response.text

    def run(self, day: date) -> None:
        response = self.client.post(
            "/api/v1/benchmarks/calculate",
            json={"calculatedFor": day.isoformat()},
            headers=self.admin,
        )
        assert response.status_code == 200, response.text

    def titles(self) -> list[str]:
        response = self.client.get("/api/v1/notifications", headers=self.customer)
        return [n["title"] for n in response.json()]

    def verdict(self, day: date) -> str | None:
        history = self.client.get(
            f"/api/v1/benchmarks/organizations/{self.world.ours.id}/history",
            params={"metric": "login_rate", "days": 5},
            headers=self.customer,
        ).json()
        found: str | None = {p["calculatedFor"]: p for p in history}[day.isoformat()]["verdict"]
        return found


class TestAlertsFollowThePublishedRun:
    def test_a_re_run_that_no_longer_drops_takes_the_alert_back(
        self, world: World, client: TestClient
    ) -> None:
        api = ThroughTheApi(world, client)
        world.day(DAY1, {"login_rate": 95.0})
        api.run(DAY1)
        world.day(DAY2, {"login_rate": 5.0}, peers=False)
        api.run(DAY2)
        assert api.titles() == ["Login rate: now among the lowest quarter"]
        # The day's value is corrected and the day run again: no drop any more.
        api.report(DAY2, 95.0)
        api.run(DAY2)
        assert api.verdict(DAY2) == "TOP_QUARTILE"
        assert api.titles() == []
        assert world.notifications() == []
        # Its emails, not sent yet, will not be: withdrawn, kept on record.
        emails = world.emails()
        assert len(emails) == 2
        assert {(e.status.value, e.last_error) for e in emails} == {
            ("FAILED", "Withdrawn before it was sent.")
        }

    def test_a_re_run_with_another_drop_replaces_it(self, world: World, client: TestClient) -> None:
        api = ThroughTheApi(world, client)
        world.day(DAY1, {"login_rate": 95.0})
        api.run(DAY1)
        world.day(DAY2, {"login_rate": 65.0}, peers=False)
        api.run(DAY2)
        assert api.titles() == ["Login rate: now higher than the median"]
        api.report(DAY2, 45.0)
        api.run(DAY2)
        assert api.titles() == ["Login rate: now lower than the median"]
        api.run(DAY2)  # the same again: still told once
        assert api.titles() == ["Login rate: now lower than the median"]
        assert [e.status.value for e in world.emails()] == ["FAILED", "FAILED", "QUEUED", "QUEUED"]


class TestAlertsTellWhatCustomersAreShown:
    def test_no_alert_when_the_verdict_customers_see_holds(
        self, world: World, client: TestClient
    ) -> None:
        api = ThroughTheApi(world, client)
        world.day(DAY1, {"login_rate": 65.0})
        api.run(DAY1)
        world.day(DAY2, {"login_rate": 49.9}, peers=False)
        api.run(DAY2)
        # Exactly, 49.9 is below the median of the ten (staff see it so); from the
        # quartiles customers see of the other nine (30, 50, 70), it rounds to the median.
        assert world.verdict(DAY2, "login_rate") is Verdict.BELOW_MEDIAN
        assert api.verdict(DAY1) == api.verdict(DAY2) == "ABOVE_MEDIAN"
        assert api.titles() == []


class TestTheScorecardsGroupAndWords:
    """An alert judges where the customer's scorecard opens (its most specific group that
    places it), in the scorecard's words, and says which group that is."""

    @pytest.fixture
    def mixed(self, world: World) -> World:
        # Ten retail customers far ahead: among all customers, ours is at the bottom both days.
        retail = organizations(world.session, 10, sector="Retail")
        for day in (DAY1, DAY2):
            add_many(world.session, [(o, "login_rate", 99.0, day) for o in retail])
        world.day(DAY1, {"login_rate": 65.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 45.0}, peers=False)
        world.run(DAY2)
        return world

    def verdicts(self, client: TestClient, world: World, **group: str) -> str:
        headers = bearer(issue_token(world.session, user=world.users[0]))
        path = f"/api/v1/benchmarks/organizations/{world.ours.id}/metrics/login_rate"
        body = client.get(path, params=group, headers=headers).json()
        return str(body["verdict"])

    def test_the_alert_is_the_scorecards_verdict(self, mixed: World, client: TestClient) -> None:
        own = {"industrySector": "Healthcare", "employeeMin": "101", "employeeMax": "500"}
        assert self.verdicts(client, mixed, **own) == "BELOW_MEDIAN"
        # Among all customers the verdict reads otherwise: the alert must not follow it.
        assert self.verdicts(client, mixed) == "BOTTOM_QUARTILE"
        [notification] = mixed.notifications(mixed.users[0])
        assert notification.title == "Login rate: now lower than the median"
        assert "Healthcare, 101-500 employees" in notification.body

        reader, _ = create_user(
            mixed.session, role=Role.CUSTOMER, organization=mixed.ours, password=PASSWORD
        )
        log_in(client, reader.email)
        page = client.get(f"/benchmarks/organizations/{mixed.ours.id}")
        assert "Compared with Healthcare, 101-500 employees" in page.text
        assert "Lower than the median" in page.text

    def test_a_lower_is_better_metric_speaks_of_speed(self, world: World) -> None:
        world.day(DAY1, {"case_resolution_time": 35.0})
        world.run(DAY1)
        world.day(DAY2, {"case_resolution_time": 65.0}, peers=False)
        world.run(DAY2)
        [notification] = world.notifications(world.users[0])
        assert notification.title == "Case resolution time: now slower than the median"
        assert "“faster than the median” to “slower than the median”" in notification.body


class TestOldNews:
    def test_a_drop_before_yesterday_is_listed_read_without_an_email(self, world: World) -> None:
        week_ago, days_ago = TODAY - timedelta(days=7), TODAY - timedelta(days=3)
        world.day(week_ago, {"login_rate": 65.0})
        world.run(week_ago)
        world.day(days_ago, {"login_rate": 45.0}, peers=False)
        world.run(days_ago)
        told = world.notifications(world.users[0])
        assert [n.title for n in told] == ["Login rate: now lower than the median"]
        assert told[0].read_at is not None  # history, not "New"
        assert world.emails() == []

    def test_yesterdays_drop_is_news(self, world: World) -> None:
        world.day(DAY1 - timedelta(days=1), {"login_rate": 65.0})
        world.run(DAY1 - timedelta(days=1))
        world.day(DAY1, {"login_rate": 45.0}, peers=False)
        world.run(DAY1)
        [notification] = world.notifications(world.users[0])
        assert notification.read_at is None
        assert len(world.emails()) == 2
