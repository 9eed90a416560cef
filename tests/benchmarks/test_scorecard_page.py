"""The scorecard at a glance: its default peer group, summary, "At median", the withheld banner,
the staff's Customer view and its PDF, a churned organisation, and where Benchmarks leads staff."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opsportal.benchmarks.pages.scorecard import verdict_label
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.benchmarks.verdicts import Verdict
from opsportal.config import Settings
from opsportal.metrics.registry import METRICS, Metric
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, OrganizationStatus, Role
from tests.factories import add_many, create_user, organizations
from tests.pages import PASSWORD, log_in

BASE = {
    "attestation_completion_rate": 50.0,
    "case_resolution_time": 10.0,
    "case_on_time_rate": 60.0,
    "login_rate": 30.0,
    "feature_adoption_rate": 20.0,
}


@pytest.fixture
def population(session: Session, settings: Settings) -> dict[str, list[Organization]]:
    """8 healthcare (101-500), 5 retail (1-100), 2 energy (2001+): every metric, one day."""
    day = utc_today() - timedelta(days=1)
    groups = {
        "healthcare": organizations(session, 8, sector="Healthcare", employees=250),
        "retail": organizations(session, 5, sector="Retail", employees=50),
        "energy": organizations(session, 2, sector="Energy", employees=3000),
    }
    rows = []
    for group in groups.values():
        for i, org in enumerate(group):
            rows += [(org, metric, value + i * 5, day) for metric, value in BASE.items()]
    # Retail's login rates are 30, 35, 40, 45, 50: the third sits exactly at the median.
    add_many(session, rows)
    calculate_benchmarks(session, settings=settings, calculated_for=day)
    return groups


def sign_in(client: TestClient, session: Session, *, org: Organization | None = None) -> None:
    role = Role.INTERNAL if org is None else Role.CUSTOMER
    user, _ = create_user(session, role=role, organization=org, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303


def text_of(html: str) -> str:
    main = html.split('<main id="main">', 1)[1]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


class TestDefaultPeerGroup:
    def test_customer_lands_on_its_most_specific_published_group(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["healthcare"][0]
        sign_in(client, session, org=ours)
        page = client.get("/benchmarks")
        assert page.url.path == f"/benchmarks/organizations/{ours.id}"
        text = text_of(page.text)
        # Its industry × size band, its industry and its size band have 8 members
        # each: customers see their peer count only, so the page opens on the
        # most specific group that places it: all customers (15).
        assert "Compared with all customers" in text
        assert "all customers (15 organizations)" in text
        assert re.search(r"\d of 5 metrics worse than your peers' median", text)
        chosen = client.get(f"/benchmarks/organizations/{ours.id}?industry=Healthcare&size=101-500")
        assert re.search(r'<option value="Healthcare"\s+selected>Healthcare \(yours\)', chosen.text)
        assert re.search(
            r'<option value="101-500"\s+selected>101-500 employees \(yours\)', chosen.text
        )
        assert "Healthcare, 101-500 employees (8 organizations)" in text_of(chosen.text)

    def test_an_unpublished_group_falls_back_to_a_wider_one(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["energy"][0]  # Energy and 2001+ have two members: never published
        sign_in(client, session, org=ours)
        text = text_of(client.get(f"/benchmarks/organizations/{ours.id}").text)
        assert "Compared with all customers" in text
        assert "all customers (15 organizations)" in text

    def test_choosing_all_customers_is_kept(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["healthcare"][0]
        sign_in(client, session, org=ours)
        page = client.get(f"/benchmarks/organizations/{ours.id}?industry=&size=")
        assert "Compared with all customers" in text_of(page.text)

    def test_the_api_still_compares_with_all_customers_by_default(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["healthcare"][0]
        _, token = create_user(session, role=Role.CUSTOMER, organization=ours)
        found = client.get(
            f"/api/v1/benchmarks/organizations/{ours.id}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        placed = {c["filterDescription"] for c in found if c["available"]}
        assert placed == {"all customers (15 organizations)"}


class TestGlance:
    def test_a_value_at_the_median_reads_at_median(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session)
        middle = population["retail"][2]
        page = client.get(f"/benchmarks/organizations/{middle.id}?industry=Retail&size=")
        login = page.text.split('id="metric-login_rate"')[1].split("</section>")[0]
        assert '<span class="verdict verdict-at">At the median</span>' in login
        assert "Higher than the median" not in login

    def test_the_json_verdict_keeps_the_specs_four_values(self) -> None:
        at = BenchmarkComparison(
            available=True,
            metric="login_rate",
            label="Login rate",
            unit="percent",
            higher_is_better=True,
            your_value=40.0,
            percentile=50,
            median=40.0,
            median_gap=0.0,
            verdict=Verdict.ABOVE_MEDIAN,
            filter_description="all customers",
        )
        assert at.verdict is Verdict.ABOVE_MEDIAN
        label = verdict_label(at)
        assert label is not None and label.text == "At the median"
        above = at.model_copy(update={"median_gap": 0.1})
        label = verdict_label(above)
        assert label is not None and label.text == "Higher than the median"

    def test_withheld_metrics_are_named_once_with_a_wider_group(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["energy"][0]
        sign_in(client, session, org=ours)
        page = client.get(f"/benchmarks/organizations/{ours.id}?industry=Energy&size=")
        text = text_of(page.text)
        assert text.count("No benchmark is published for Energy") == 1
        assert text.count("Not published for this peer group (see above)") == len(BASE)
        assert "Not published for Energy: Attestation completion rate, Case resolution time" in text
        assert 'href="?industry=&amp;size=&amp;months=6">Compare with all customers instead' in (
            page.text
        )

    def test_the_legend_explains_the_chart(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session, org=population["healthcare"][0])
        text = text_of(client.get("/benchmarks").text)
        assert "Your value" in text
        assert "Peers' middle half (25th to 75th percentile)" in text
        assert "Peers' median" in text

    @pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
    def test_every_metric_reads_right_in_the_small_group_reason(
        self,
        client: TestClient,
        session: Session,
        population: dict[str, list[Organization]],
        metric: Metric,
    ) -> None:
        sign_in(client, session)
        ours = population["energy"][0]
        found = client.get(
            f"/benchmarks/organizations/{ours.id}/scorecard.csv?industry=Energy"
        ).text
        rows = csv.reader(io.StringIO(found))
        row = ",".join(next((cells for cells in rows if cells[0] == metric.name), []))
        if metric.name in BASE:
            assert f"had a recent value for {metric.label.lower()} on" in row
        assert "a recent cases" not in found


class TestCustomerView:
    def test_staff_see_what_the_customer_sees(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session)
        ours = population["healthcare"][0]
        staff = client.get(f"/benchmarks/organizations/{ours.id}")
        assert "Staff only: mean" in staff.text
        assert f'href="/benchmarks/organizations/{ours.id}/customer-view?' in staff.text
        view = client.get(f"/benchmarks/organizations/{ours.id}/customer-view")
        text = text_of(view.text)
        assert "Customer view" in text
        assert "Staff only" not in text
        assert "worse than your peers' median" in text  # all customers (15) places it
        # In a group of 8, a customer sees the peer count only: no quartiles, no percentile.
        small = text_of(
            client.get(
                f"/benchmarks/organizations/{ours.id}/customer-view?industry=Healthcare&size="
            ).text
        )
        assert "8 peers. Fewer than 10 organizations" in small
        assert "Better than" not in small
        # Only its own groups are offered, as to the customer.
        assert "Retail" not in view.text.split('aria-label="Peer group"')[1].split("</form>")[0]

    def test_a_group_withheld_from_customers_stays_withheld(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session)
        ours = population["healthcare"][0]
        query = "?industry=Retail&size="
        staff = client.get(f"/benchmarks/organizations/{ours.id}{query}")
        assert "Retail (5 organizations)" in staff.text
        view = client.get(f"/benchmarks/organizations/{ours.id}/customer-view{query}")
        text = text_of(view.text)
        assert "No benchmark is published for Retail" in text
        assert "Retail (5 organizations)" not in text

    def test_customers_cannot_open_a_customer_view(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["healthcare"][0]
        sign_in(client, session, org=ours)
        assert client.get(f"/benchmarks/organizations/{ours.id}/customer-view").status_code == 403

    def test_the_pdf_is_the_customer_view(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["healthcare"][0]
        _, token = create_user(session, role=Role.CUSTOMER, organization=ours)
        as_customer = client.get(
            f"/api/v1/benchmarks/organizations/{ours.id}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        sign_in(client, session)
        response = client.get(f"/benchmarks/organizations/{ours.id}/scorecard.pdf?industry=&size=")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert ours.name in pdf
        assert "Peer group: all customers" in pdf
        assert "worse than your peers' median" in pdf
        for staff_word in ("Staff only", "mean", "min", "max"):
            assert staff_word not in pdf
        # Every number in it is one the customer's own API answer holds (or a date, a heading,
        # the summary's count of metrics).
        allowed = {"25", "75"} | set(re.findall(r"\d+", as_customer[0]["calculatedFor"]))
        allowed |= {str(n) for n in range(len(METRICS) + 1)}
        for c in as_customer:
            for key in ("yourValue", "percentile", "p25", "median", "p75", "peerCount"):
                if c.get(key) is not None:
                    allowed.add(f"{c[key]:,.1f}".rstrip("0").rstrip("."))
        numbers = set(re.findall(r"\d+(?:\.\d+)?", pdf.replace(ours.name, "")))
        assert numbers <= allowed

    def test_a_pdf_of_another_organization_is_404_to_a_customer(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session, org=population["healthcare"][0])
        other = population["healthcare"][1]
        assert client.get(f"/benchmarks/organizations/{other.id}/scorecard.pdf").status_code == 404


class TestStatusAndNavigation:
    def test_a_churned_organization_says_so(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        ours = population["retail"][4]
        ours.status = OrganizationStatus.CHURNED
        session.flush()
        sign_in(client, session)
        text = text_of(client.get(f"/benchmarks/organizations/{ours.id}").text)
        assert "Churned: this organization is no longer an active customer" in text

    def test_benchmarks_leads_staff_to_the_portfolio(
        self, client: TestClient, session: Session, population: dict[str, list[Organization]]
    ) -> None:
        sign_in(client, session)
        page = client.get("/benchmarks")
        assert page.url.path == "/benchmarks/portfolio"
        assert "Latest benchmark run: Succeeded for" in text_of(page.text)
        assert 'href="/organizations?bottom=1"' in page.text
