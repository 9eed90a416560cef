"""Benchmark pages over HTTP: the scorecard, the peer-group chooser, run history and "run now"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from tests.factories import add_many, create_user, organizations
from tests.pages import PASSWORD, log_in, post_form


@pytest.fixture
def day() -> date:
    return utc_today() - timedelta(days=1)


@pytest.fixture
def peers(session: Session, day: date, settings: Settings) -> list[Organization]:
    """Eight healthcare organisations with every metric; the first is "ours"."""
    orgs = organizations(session, 8, sector="Healthcare", employees=250)
    orgs += organizations(session, 2, sector="Energy", employees=3000)
    rows = []
    for i, org in enumerate(orgs):
        rows += [
            (org, "attestation_completion_rate", 50.0 + i * 5, day),
            (org, "case_resolution_time", 10.0 + i, day),
            (org, "case_on_time_rate", 60.0 + i, day),
            (org, "login_rate", 30.0 + i * 2, day),
            (org, "feature_adoption_rate", 20.0 + i * 3, day),
        ]
    add_many(session, rows)
    calculate_benchmarks(session, settings=settings, calculated_for=day)
    return orgs


def customer_of(client: TestClient, session: Session, org: Organization) -> None:
    user, _ = create_user(session, role=Role.CUSTOMER, organization=org, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303


class TestScorecard:
    def test_customer_lands_on_own_scorecard(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        ours = peers[9]
        customer_of(client, session, ours)
        page = client.get("/benchmarks")
        assert page.url.path == f"/benchmarks/organizations/{ours.id}"
        assert page.text.count('<svg class="band"') == 5
        # attestation 95 % is the best of ten; the other nine's quartiles are shown
        # rounded (60, 70, 80), and its percentile is estimated from them.
        assert "Better than about 94 % of peers, estimated from the quartiles shown" in page.text
        assert "Among the highest quarter" in page.text
        assert "10 peers" in page.text
        assert "all customers (10 organizations)" in page.text
        assert "Staff only" not in page.text

    def test_lower_is_better_is_read_the_right_way(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        customer_of(client, session, peers[0])
        page = client.get(f"/benchmarks/organizations/{peers[0].id}")
        resolution = page.text.split('id="metric-case_resolution_time"')[1].split("</section>")[0]
        assert "Among the fastest quarter" in resolution  # 10 days is the fastest
        assert "verdict-best" in resolution  # coloured as better, not as "above"
        assert "lower is better" in resolution

    def test_another_organization_is_404(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        customer_of(client, session, peers[0])
        page = client.get(f"/benchmarks/organizations/{peers[1].id}")
        assert page.status_code == 404
        assert "text/html" in page.headers["content-type"]

    def test_small_peer_group_is_explained(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        customer_of(client, session, peers[8])
        page = client.get(f"/benchmarks/organizations/{peers[8].id}?industry=Energy")
        assert page.status_code == 200
        assert "No benchmark is published for Energy" in page.text
        assert '<svg class="band"' not in page.text

    def test_chooser_filters_by_industry_and_size(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        customer_of(client, session, peers[0])
        page = client.get(
            f"/benchmarks/organizations/{peers[0].id}?industry=Healthcare&size=101-500"
        )
        assert "Healthcare, 101-500 employees (8 organizations)" in page.text
        assert re.search(r'<option value="Healthcare"\s+selected>', page.text)

    def test_unknown_size_band_is_an_html_422(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        customer_of(client, session, peers[0])
        page = client.get(f"/benchmarks/organizations/{peers[0].id}?size=7-9")
        assert page.status_code == 422
        assert "Unknown size band" in page.text

    def test_staff_see_extra_statistics(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)
        page = client.get(f"/benchmarks/organizations/{peers[3].id}")
        assert "Staff only: mean" in page.text


class TestRuns:
    def test_admin_runs_now_and_sees_the_run(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        response = post_form(client, "/benchmarks/runs", from_page="/benchmarks/runs")
        assert response.status_code == 303
        page = client.get("/benchmarks/runs")
        assert re.search(r"Run \d+ for \d{4}-\d{2}-\d{2} finished in \d+ ms", page.text)
        assert page.text.count("SUCCEEDED") == 2  # the fixture's run and this one

    def test_internal_sees_history_without_run_button(
        self, client: TestClient, session: Session, peers: list[Organization]
    ) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)
        page = client.get("/benchmarks/runs")
        assert page.status_code == 200
        assert "Run now" not in page.text
        response = client.post("/benchmarks/runs", data={"csrf_token": "x"})
        assert response.status_code == 403

    def test_customer_cannot_see_runs(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        log_in(client, user.email)
        assert client.get("/benchmarks/runs").status_code == 403
