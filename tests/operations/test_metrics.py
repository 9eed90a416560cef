"""`GET /metrics`: Prometheus text a real parser reads, counting what the issue lists, behind
the metrics token or the allowed addresses when they are set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.kit import elected
from opsportal.kit.elected import ElectedJob, claim_firing, run_elected
from opsportal.models import Role
from opsportal.notifications.schedule import send_outbox
from tests.factories import create_user, queue_mail

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    found: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    template = "/api/v1/users/{user_id}"
    before = scrape(client)
    for user_id in (999_001, 999_002, 999_003):  # three paths, one template
        assert client.get(f"/api/v1/users/{user_id}", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/users/1").status_code == 401
    assert client.get("/no/such/page/4711").status_code == 404
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("opsportal_http_requests_total", route=template, method="GET", status="404") == 3
    assert grew("opsportal_http_requests_total", route=template, method="GET", status="401") == 1
    assert grew("opsportal_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert grew("opsportal_http_request_duration_seconds_count", route=template, method="GET") == 4
    # No raw path becomes a label value.
    assert not any("999001" in str(labels) or "4711" in str(labels) for _, labels in after)
    assert ("opsportal_db_pool_connections_in_use", frozenset()) in after
    assert ("opsportal_db_pool_waiting_requests", frozenset()) in after


def test_outbox_depth_and_age_come_from_the_database(client: TestClient, session: Session) -> None:
    message = queue_mail(session)
    message.created_at = datetime.now(UTC) - timedelta(hours=2)
    failed = queue_mail(session)
    failed.status = failed.status.FAILED
    session.flush()
    samples = scrape(client)
    assert value(samples, "opsportal_database_up") == 1
    assert value(samples, "opsportal_outbox_messages", status="queued") >= 1
    assert value(samples, "opsportal_outbox_messages", status="failed") >= 1
    assert value(samples, "opsportal_outbox_oldest_queued_age_seconds") >= 2 * 3600


def test_login_failures_and_throttling(client: TestClient, session: Session) -> None:
    user, _ = create_user(session, role=Role.INTERNAL, password="the right password")
    before = scrape(client)
    wrong = {"email": user.email, "password": "not the password"}
    statuses = [client.post("/api/v1/login", json=wrong).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    after = scrape(client)
    failures = "opsportal_login_failures_total"
    throttled = "opsportal_logins_throttled_total"
    assert value(after, failures) - value(before, failures) == 10
    assert value(after, throttled) - value(before, throttled) == 1


class TestScheduledJobs:
    FIRE_TIME = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def job(self, job_id: str, run: object) -> ElectedJob[object]:
        return ElectedJob(
            id=job_id,
            name=job_id,
            trigger=CronTrigger.from_crontab("* * * * *", timezone="UTC"),
            misfire_grace=timedelta(minutes=5),
            run=run,  # type: ignore[arg-type]
        )

    def test_runs_are_counted_by_outcome(
        self,
        settings: Settings,
        committed_session_factory: SessionFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        app = create_app(settings, session_factory=committed_session_factory)
        client = TestClient(app)
        moment = self.FIRE_TIME.replace(second=30)
        monkeypatch.setattr(elected, "utcnow", lambda: moment)

        def broken() -> None:
            raise RuntimeError("the job broke")

        before = scrape(client)
        assert run_elected(self.job("metrics-test-ok", lambda: 7), committed_session_factory) == 7
        run_elected(self.job("metrics-test-broken", broken), committed_session_factory)
        claim_firing(committed_session_factory, job="metrics-test-taken", fire_time=self.FIRE_TIME)
        run_elected(self.job("metrics-test-taken", lambda: 1), committed_session_factory)
        send_outbox(settings, committed_session_factory)  # every process's mail sender pass
        after = scrape(client)
        runs = "opsportal_scheduled_job_runs_total"
        for job, outcome in (
            ("outbox-sender", "success"),
            ("metrics-test-ok", "success"),
            ("metrics-test-broken", "failure"),
            ("metrics-test-taken", "skipped"),
        ):
            grew = value(after, runs, job=job, outcome=outcome) - value(
                before, runs, job=job, outcome=outcome
            )
            assert grew == 1, (job, outcome)


class TestWhoMayScrape:
    def test_the_token_when_set(self, settings: Settings, session_factory: SessionFactory) -> None:
        guarded = settings.model_copy(update={"metrics_token": "scrape-secret-1234"})
        app = create_app(guarded, session_factory=session_factory)
        with TestClient(app, raise_server_exceptions=False) as client:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
                refused = client.get("/metrics", headers=headers)
                assert refused.status_code == 401
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert "opsportal_http_requests" not in refused.text
            assert scrape(client, Authorization="Bearer scrape-secret-1234")

    def test_the_addresses_when_set(
        self, settings: Settings, session_factory: SessionFactory
    ) -> None:
        # The test client's address is "testclient": not in 10.0.0.0/8, nor an address at all.
        fenced = settings.model_copy(update={"metrics_allowed_addresses": "10.0.0.0/8"})
        app = create_app(fenced, session_factory=session_factory)
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/metrics").status_code == 403
        local = settings.model_copy(update={"metrics_allowed_addresses": "10.0.0.0/8, 127.0.0.1"})
        app = create_app(local, session_factory=session_factory)
        with TestClient(app, client=("127.0.0.1", 5000), raise_server_exceptions=False) as client:
            assert scrape(client)

    def test_a_bad_address_setting_fails_at_start(self) -> None:
        with pytest.raises(ValueError, match="not an IP address"):
            Settings(metrics_allowed_addresses="10.0.0.0/8, intranet")
