"""A benchmark run's own page: what it computed, who started it, and why two successful runs
of one day publish different counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Role
from tests.factories import add_many, create_user, organizations
from tests.pages import PASSWORD, log_in, post_form

DAY = utc_today()


def text_of(html: str) -> str:
    main = html.split('<main id="main">', 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'")


@pytest.fixture
def two_runs(session: Session, settings: Settings) -> tuple[int, int]:
    """Run 1 counts twelve organisations' login rates; then attestation values of eight
    arrive, and three more organisations' login rates; run 2 of the same day counts them."""
    twelve = organizations(session, 12)
    add_many(session, [(o, "login_rate", 30.0 + i, DAY) for i, o in enumerate(twelve)])
    first = calculate_benchmarks(session, settings=settings, calculated_for=DAY, trigger="cli")
    three = organizations(session, 3)
    add_many(session, [(o, "login_rate", 50.0 + i, DAY) for i, o in enumerate(three)])
    add_many(
        session,
        [(o, "attestation_completion_rate", 70.0 + i, DAY) for i, o in enumerate(twelve[:8])],
    )
    second = calculate_benchmarks(
        session, settings=settings, calculated_for=DAY, trigger="schedule"
    )
    return first.run_id, second.run_id


def sign_in(client: TestClient, session: Session, role: Role = Role.INTERNAL) -> None:
    user, _ = create_user(session, role=role, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303


class TestRunPage:
    def test_the_history_links_each_run(
        self, client: TestClient, session: Session, two_runs: tuple[int, int]
    ) -> None:
        sign_in(client, session)
        history = client.get("/benchmarks/runs").text
        for run_id in two_runs:
            assert f'<a href="/benchmarks/runs/{run_id}">Run {run_id}</a>' in history

    def test_what_a_run_computed(
        self, client: TestClient, session: Session, two_runs: tuple[int, int]
    ) -> None:
        sign_in(client, session)
        first, _ = two_runs
        text = text_of(client.get(f"/benchmarks/runs/{first}").text)
        assert f"For day {DAY.isoformat()}" in text
        assert "Started by by hand, from the command line" in text
        assert "Organizations counted 12" in text  # every active organisation then
        assert "Login rate 12 " in text  # twelve values counted
        assert re.search(r"Duration [\d,]+ ms", text)
        assert f"replaced by run {two_runs[1]}" in text

    def test_why_two_runs_of_a_day_differ(
        self, client: TestClient, session: Session, two_runs: tuple[int, int]
    ) -> None:
        sign_in(client, session)
        first, second = two_runs
        text = text_of(client.get(f"/benchmarks/runs/{second}").text)
        assert "Started by the nightly schedule" in text
        assert "its results are the ones published for this day" in text
        assert f"Why its counts differ from run {first}" in text
        assert f"Organizations counted: 12 in run {first}, 15 in this run (+3)" in text
        assert "Login rate: 12 values" in text and "15 values" in text
        assert "Attestation completion rate: not counted in run" in text
        assert "counted 8 organizations' values" in text

    def test_a_run_started_from_the_page_names_who(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        twelve = organizations(session, 12)
        add_many(
            session,
            [(o, "login_rate", 30.0 + i, DAY - timedelta(days=1)) for i, o in enumerate(twelve)],
        )
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        post_form(client, "/benchmarks/runs", from_page="/benchmarks/runs")
        run_id = re.search(r'href="/benchmarks/runs/(\d+)"', client.get("/benchmarks/runs").text)
        assert run_id is not None
        text = text_of(client.get(f"/benchmarks/runs/{run_id.group(1)}").text)
        assert f"Started by by hand, from the Runs page ({admin.email})" in text

    def test_an_unknown_run_is_404_and_customers_may_not_look(
        self, client: TestClient, session: Session, two_runs: tuple[int, int]
    ) -> None:
        sign_in(client, session)
        assert client.get("/benchmarks/runs/999999").status_code == 404
        assert client.get("/benchmarks/runs/abc").status_code in (404, 422)
        client.cookies.clear()
        sign_in(client, session, Role.CUSTOMER)
        assert client.get(f"/benchmarks/runs/{two_runs[0]}").status_code == 403
