"""Exports and the portfolio: scorecard CSV, a peer group's organisations, who needs attention."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.registry import METRIC_NAMES
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from tests.factories import add_many, bearer, create_user, organizations
from tests.pages import PASSWORD, log_in

TODAY = utc_today()
API = "/api/v1/benchmarks"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def group(session: Session, settings: Settings) -> list[Organization]:
    """Twelve organisations of an industry named like a spreadsheet formula; the first lags."""
    orgs = organizations(session, 12, sector="=HYPERLINK(1)", employees=300)
    rows = []
    for i, org in enumerate(orgs):
        for metric in ("login_rate", "case_on_time_rate", "case_resolution_time"):
            good = 10.0 + 7 * i
            value = 5.0 if i == 0 else good
            if metric == "case_resolution_time":
                value = 90.0 if i == 0 else 100.0 - good  # lower is better: 90 days is the worst
            rows.append((org, metric, value, TODAY))
    add_many(session, rows)
    calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
    return orgs


class TestScorecardCsv:
    def test_a_customer_downloads_its_scorecard_with_cells_made_safe(
        self, client: TestClient, session: Session, group: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=group[0])
        response = client.get(
            f"{API}/organizations/{group[0].id}/scorecard.csv",
            params={"industrySector": "=HYPERLINK(1)"},
            headers=bearer(token),
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = rows_of(response.text)
        assert [r["metric"] for r in rows] == list(METRIC_NAMES)
        assert "mean" not in rows[0] and "min" not in rows[0]
        login = next(r for r in rows if r["metric"] == "login_rate")
        assert login["available"] == "true"
        assert login["verdict"] == "BOTTOM_QUARTILE"
        assert login["yourValue"] == "5.0"
        # The industry name reaches the file as text, never as a formula.
        assert login["filterDescription"].startswith("'=HYPERLINK(1)")
        assert all(not cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())

    def test_another_organization_is_404(
        self, client: TestClient, session: Session, group: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=group[0])
        response = client.get(
            f"{API}/organizations/{group[1].id}/scorecard.csv", headers=bearer(token)
        )
        assert response.status_code == 404

    def test_staff_get_the_extra_statistics(
        self, client: TestClient, group: list[Organization], staff_headers: dict[str, str]
    ) -> None:
        response = client.get(
            f"{API}/organizations/{group[0].id}/scorecard.csv", headers=staff_headers
        )
        rows = rows_of(response.text)
        assert {"mean", "min", "max", "withheldFromCustomers"} <= set(rows[0])

    def test_the_page_offers_the_same_download(
        self, client: TestClient, session: Session, group: list[Organization]
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, organization=group[0], password=PASSWORD)
        assert log_in(client, user.email).status_code == 303
        page = client.get(f"/benchmarks/organizations/{group[0].id}")
        assert "Download this scorecard (CSV)" in page.text
        download = client.get(f"/benchmarks/organizations/{group[0].id}/scorecard.csv")
        assert download.status_code == 200
        assert len(rows_of(download.text)) == len(METRIC_NAMES)


class TestPeerGroupExport:
    def test_staff_stream_every_organization_and_metric_of_a_group(
        self, client: TestClient, group: list[Organization], staff_headers: dict[str, str]
    ) -> None:
        response = client.get(
            f"{API}/peer-group.csv",
            params={"industrySector": "=HYPERLINK(1)", "employeeMin": 101, "employeeMax": 500},
            headers=staff_headers,
        )
        assert response.status_code == 200, response.text
        rows = rows_of(response.text)
        assert len(rows) == 12 * 3
        assert {r["organizationId"] for r in rows} == {str(o.id) for o in group}
        lagging = [r for r in rows if r["organizationId"] == str(group[0].id)]
        assert {r["verdict"] for r in lagging} == {"BOTTOM_QUARTILE"}
        assert all(r["industrySector"] == "'=HYPERLINK(1)" for r in rows)

    def test_one_metric_only(
        self, client: TestClient, group: list[Organization], staff_headers: dict[str, str]
    ) -> None:
        rows = rows_of(
            client.get(
                f"{API}/peer-group.csv", params={"metric": "login_rate"}, headers=staff_headers
            ).text
        )
        assert len(rows) == 12 and {r["metric"] for r in rows} == {"login_rate"}

    def test_customers_may_not(
        self, client: TestClient, session: Session, group: list[Organization]
    ) -> None:
        _, token = create_user(session, role=Role.CUSTOMER, organization=group[0])
        assert client.get(f"{API}/peer-group.csv", headers=bearer(token)).status_code == 403
        assert client.get(f"{API}/portfolio", headers=bearer(token)).status_code == 403


class TestPortfolio:
    def test_most_bottom_quartile_metrics_first(
        self, client: TestClient, group: list[Organization], staff_headers: dict[str, str]
    ) -> None:
        body = client.get(
            f"{API}/portfolio",
            params={"industrySector": "=HYPERLINK(1)"},
            headers=staff_headers,
        ).json()
        assert body["total"] == 12
        first = body["items"][0]
        assert first["organizationId"] == group[0].id
        assert (first["bottomQuartileMetrics"], first["metricsPlaced"]) == (3, 3)
        counts = [item["bottomQuartileMetrics"] for item in body["items"]]
        assert counts == sorted(counts, reverse=True)

    def test_the_page_lists_and_links(
        self, client: TestClient, session: Session, group: list[Organization]
    ) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        assert log_in(client, user.email).status_code == 303
        page = client.get("/benchmarks/portfolio", params={"metric": "login_rate"})
        assert page.status_code == 200
        assert f'href="/benchmarks/organizations/{group[0].id}"' in page.text
        assert "1 of 1 metric" in page.text
        download = client.get("/benchmarks/portfolio.csv", params={"metric": "login_rate"})
        assert len(rows_of(download.text)) == 12
