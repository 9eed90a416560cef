"""In Chromium, the scorecard read right to left: under `<html dir="rtl">` its charts run from
right to left and every label stays inside its chart (axe-core checks the page as it ends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.metrics.service import utc_today
from opsportal.models import Role
from tests.factories import add_many, create_user, organizations
from tests.pages import PASSWORD

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser


@pytest.fixture
def customer(committed_session_factory: SessionFactory, settings: Settings) -> tuple[str, int]:
    """Twelve healthcare customers with half a year of values; one customer user's login."""
    today = utc_today()
    with session_scope(committed_session_factory) as session:
        found = organizations(session, 12, sector="Healthcare", employees=250)
        rows = []
        for back in (150, 90, 30, 1):
            day = today - timedelta(days=back)
            for i, org in enumerate(found):
                rows += [
                    (org, "attestation_completion_rate", 52.0 + 3.7 * i - back / 10, day),
                    (org, "case_resolution_time", 6.0 + 1.3 * i + back / 30, day),
                ]
        add_many(session, rows)
        for back in (150, 90, 30, 1):
            calculate_benchmarks(
                session, settings=settings, calculated_for=today - timedelta(days=back)
            )
        user, _ = create_user(
            session, role=Role.CUSTOMER, organization=found[10], password=PASSWORD
        )
        user.locale = "ar"  # the customer reads opsportal in Arabic
        return user.email, found[10].id


def log_in(page: Page, email: str) -> None:
    """By the form's field names: its labels are in the page's language."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


# For each chart: its box, each label's box, and where its first and last months are drawn.
CHARTS = """() => [...document.querySelectorAll('section.metric svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right};
  });
  return {kind: svg.getAttribute('class'), left: box.left, right: box.right, texts};
})"""


def test_the_charts_read_right_to_left(
    page: Page, customer: tuple[str, int], screenshot_dir: object
) -> None:
    email, organization_id = customer
    log_in(page, email)
    page.goto(f"/benchmarks/organizations/{organization_id}?industry=Healthcare&size=101-500")
    # The page's direction comes from its locale (the shared layout's <html dir>); set here as
    # it will be, so the charts are checked in the document they are drawn for.
    page.evaluate("document.documentElement.dir = 'rtl'")
    charts = page.evaluate(CHARTS)
    kinds = [chart["kind"] for chart in charts]
    assert "band" in kinds and "trend" in kinds
    for chart in charts:
        for text in chart["texts"]:
            # Every label inside its chart: none pushed off its edge by the direction.
            assert chart["left"] - 1 <= text["left"] and text["right"] <= chart["right"] + 1, (
                chart["kind"],
                text,
            )
    for trend in (chart for chart in charts if chart["kind"] == "trend"):
        first, last = trend["texts"][0], trend["texts"][1]
        assert first["left"] > last["right"]  # time runs from right to left
        assert any("ي" in t["text"] or "و" in t["text"] for t in (first, last))  # Arabic months
    assert page.locator("svg.band[direction=rtl]").count() >= 1
