"""Staff quote the customer's own figures, labelled beside the exact ones; verdicts read in
each metric's direction, and their colour follows better or worse."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.benchmarks.verdicts import Verdict
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from tests.factories import add_many, bearer, create_user, organizations
from tests.pages import PASSWORD, log_in

# Twelve healthcare customers of 101-500 employees: enough for customers to see quartiles
# (smoothed over the other eleven, rounded), so their figures differ from the exact ones.
GROUP = {"industrySector": "Healthcare", "employeeMin": "101", "employeeMax": "500"}
PAGE_GROUP = "?industry=Healthcare&size=101-500"


@pytest.fixture
def twelve(session: Session, settings: Settings) -> list[Organization]:
    day = utc_today() - timedelta(days=1)
    found = organizations(session, 12, sector="Healthcare", employees=250)
    rows = []
    for i, org in enumerate(found):
        rows += [
            (org, "attestation_completion_rate", 52.0 + 3.7 * i, day),
            (org, "case_resolution_time", 6.0 + 1.3 * i, day),  # the last is the slowest
            (org, "login_rate", 31.0 + 4.1 * i, day),
        ]
    add_many(session, rows)
    calculate_benchmarks(session, settings=settings, calculated_for=day)
    return found


def customer_answer(client: TestClient, session: Session, org: Organization) -> list[Any]:
    _, token = create_user(session, role=Role.CUSTOMER, organization=org)
    response = client.get(
        f"/api/v1/benchmarks/organizations/{org.id}", params=GROUP, headers=bearer(token)
    )
    assert response.status_code == 200
    return list(response.json())


def section(html: str, metric: str) -> str:
    part = html.split(f'id="metric-{metric}"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<svg.*?</svg>", " ", part, flags=re.S))


def sign_in_staff(client: TestClient, session: Session) -> None:
    user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303


class TestStaffQuoteTheCustomer:
    def test_the_staff_api_carries_the_customers_own_answer(
        self,
        client: TestClient,
        session: Session,
        staff_headers: dict[str, str],
        twelve: list[Organization],
    ) -> None:
        ours = twelve[-1]
        theirs = customer_answer(client, session, ours)
        staff = client.get(
            f"/api/v1/benchmarks/organizations/{ours.id}", params=GROUP, headers=staff_headers
        ).json()
        assert [c["customerView"] for c in staff] == theirs
        resolution = next(c for c in staff if c["metric"] == "case_resolution_time")
        # The two figures differ here, which is why both are shown.
        assert resolution["medianGap"] != resolution["customerView"]["medianGap"]

    def test_the_page_labels_both_figures_as_the_customer_endpoint_gives_them(
        self, client: TestClient, session: Session, twelve: list[Organization]
    ) -> None:
        ours = twelve[-1]
        theirs = {c["metric"]: c for c in customer_answer(client, session, ours)}
        sign_in_staff(client, session)
        page = client.get(f"/benchmarks/organizations/{ours.id}{PAGE_GROUP}").text

        resolution = section(page, "case_resolution_time")
        customer_gap = theirs["case_resolution_time"]["medianGap"]
        assert customer_gap > 0
        assert (
            f'<dt>Customer sees</dt><dd class="customer-figure">{customer_gap:g} days slower '
            "than the peer median (smoothed)"
        ) in resolution
        assert f"better than about {theirs['case_resolution_time']['percentile']} % of peers" in (
            resolution
        )
        exact = re.search(
            r'<dt>Exact</dt><dd class="exact-figure">([\d.]+) days slower', resolution
        )
        assert exact is not None and float(exact.group(1)) != customer_gap

        attestation = section(page, "attestation_completion_rate")
        gap = theirs["attestation_completion_rate"]["medianGap"]
        assert f"{gap:g} points above the peer median (smoothed)" in attestation
        assert "<dt>Exact</dt>" in attestation

    def test_the_customer_view_page_shows_no_exact_figures(
        self, client: TestClient, session: Session, twelve: list[Organization]
    ) -> None:
        sign_in_staff(client, session)
        page = client.get(f"/benchmarks/organizations/{twelve[-1].id}/customer-view{PAGE_GROUP}")
        assert "Customer sees" not in page.text and "Exact" not in page.text

    def test_a_group_the_customer_sees_only_counted_says_so(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        day = utc_today() - timedelta(days=1)
        nine = organizations(session, 9, sector="Retail", employees=50)
        add_many(session, [(o, "login_rate", 30.0 + i, day) for i, o in enumerate(nine)])
        calculate_benchmarks(session, settings=settings, calculated_for=day)
        sign_in_staff(client, session)
        page = client.get(f"/benchmarks/organizations/{nine[0].id}?industry=Retail&size=1-100")
        login = section(page.text, "login_rate")
        assert 'Customer sees</dt><dd class="customer-figure">the number of peers only (9)' in (
            login
        )


class TestVerdictsReadInTheMetricsDirection:
    @pytest.mark.parametrize(
        ("position", "metric", "verdict", "words", "tone"),
        [
            (0, "case_resolution_time", Verdict.TOP_QUARTILE, "Among the fastest quarter", "best"),
            (-1, "case_resolution_time", Verdict.BOTTOM_QUARTILE, "Among the slowest quarter",
             "worst"),
            (0, "attestation_completion_rate", Verdict.BOTTOM_QUARTILE,
             "Among the lowest quarter", "worst"),
            (-1, "attestation_completion_rate", Verdict.TOP_QUARTILE,
             "Among the highest quarter", "best"),
            (4, "case_resolution_time", Verdict.ABOVE_MEDIAN, "Faster than the median", "better"),
            (7, "case_resolution_time", Verdict.BELOW_MEDIAN, "Slower than the median", "worse"),
            (4, "login_rate", Verdict.BELOW_MEDIAN, "Lower than the median", "worse"),
            (7, "login_rate", Verdict.ABOVE_MEDIAN, "Higher than the median", "better"),
        ],
    )  # fmt: skip
    def test_the_page_and_the_api_agree_in_plain_words(
        self,
        client: TestClient,
        session: Session,
        twelve: list[Organization],
        position: int,
        metric: str,
        verdict: Verdict,
        words: str,
        tone: str,
    ) -> None:
        ours = twelve[position]
        theirs = {c["metric"]: c for c in customer_answer(client, session, ours)}
        assert theirs[metric]["verdict"] == verdict.value  # the API keeps its four values
        user, _ = create_user(session, role=Role.CUSTOMER, organization=ours, password=PASSWORD)
        log_in(client, user.email)
        card = section(client.get(f"/benchmarks/organizations/{ours.id}{PAGE_GROUP}").text, metric)
        assert f'<span class="verdict verdict-{tone}">{words}</span>' in card
        for wrong in ("Above median", "Below median", "Top quartile", "Bottom quartile"):
            assert wrong not in card


class TestThePdf:
    def test_it_carries_the_pages_verdicts_group_and_peer_counts(
        self, client: TestClient, session: Session, twelve: list[Organization]
    ) -> None:
        ours = twelve[-1]
        user, _ = create_user(session, role=Role.CUSTOMER, organization=ours, password=PASSWORD)
        log_in(client, user.email)
        page = client.get(f"/benchmarks/organizations/{ours.id}{PAGE_GROUP}").text
        shown = {}
        for metric in ("attestation_completion_rate", "case_resolution_time", "login_rate"):
            found = re.search(r'class="verdict verdict-\w+">([^<]+)<', section(page, metric))
            assert found is not None
            shown[metric] = found.group(1)
        assert shown["case_resolution_time"] == "Among the slowest quarter"
        response = client.get(f"/benchmarks/organizations/{ours.id}/scorecard.pdf{PAGE_GROUP}")
        assert response.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        lines = " ".join(p.extract_text() for p in reader.pages).split("\n")
        text = " ".join(" ".join(lines).split())
        assert "Peer group: Healthcare, 101-500 employees" in text
        for metric, label in (
            ("attestation_completion_rate", "Attestation completion rate"),
            ("case_resolution_time", "Case resolution time (lower is better)"),
            ("login_rate", "Login rate"),
        ):
            # Metric, value, verdict in the page's words, percentile, quartiles, then 12 peers.
            row = re.search(re.escape(label) + r" (.*?) 12\b", text)
            assert row is not None, label
            assert shown[metric] in row.group(1)
        for wrong in ("Above median", "Below median", "Top quartile", "Bottom quartile"):
            assert wrong not in text
        # A chart per metric: the header's background and one band (a rectangle) each.
        contents = reader.pages[0].get_contents()
        assert contents is not None and contents.get_data().count(b" re") >= 1 + 3
