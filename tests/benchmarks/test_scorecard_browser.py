"""In Chromium, on the demo data: the scorecard at a glance, and the customer review pack.

A compliance manager lands in its own most specific peer group that places it
(its industry: its industry × size band has 9 members, which show customers the
peer count only); a staff member opens the Customer view, follows it to the
group that places the customer, downloads its PDF, prints it, and lists the
organisations with a metric in the bottom quartile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.demo import load_demo
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(committed_session_factory: SessionFactory, settings: Settings) -> None:
    with session_scope(committed_session_factory) as session:
        load_demo(session, settings=settings, say=lambda _: None)


# The smallest on-screen size of any chart label, in CSS pixels.
SMALLEST_CHART_LABEL = """() => Math.min(
  ...[...document.querySelectorAll('section.metric svg text')]
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""


@pytest.mark.usefixtures("demo")
def test_compliance_manager_sees_its_own_group_at_a_glance(
    page: Page, screenshot_dir: Path
) -> None:
    browser_log_in(page, "customer@northwind.example", "customer-demo-pass")
    expect(page.get_by_role("heading", name="Northwind Health")).to_be_visible()
    expect(page.get_by_role("heading", name="Compared with Healthcare", exact=True)).to_be_visible()
    industry, size = page.get_by_label("Industry"), page.get_by_label("Company size")
    expect(industry.locator("option:checked")).to_have_text("Healthcare (yours)")
    expect(size.locator("option:checked")).to_have_text("All sizes")
    # Of the 5 demo metrics (6 once the demo reports training completion).
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"\d of [5-6] metrics worse than your peers' median")
    )
    expect(page.get_by_label("How to read the charts")).to_contain_text("Peers' median")
    assert page.evaluate(SMALLEST_CHART_LABEL) >= 12
    page.screenshot(path=screenshot_dir / "scorecard-own-group.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(SMALLEST_CHART_LABEL) >= 12


@pytest.mark.usefixtures("demo")
def test_staff_prepare_a_customer_review(page: Page, screenshot_dir: Path) -> None:
    browser_log_in(page, "ops@opsportal.example", "internal-demo-pass")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Benchmarks").click()
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()

    nav.get_by_role("link", name="Organizations").click()
    page.get_by_label("Industry").select_option("Healthcare")
    page.get_by_label("Any metric in the bottom quartile").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("with a metric in the bottom quartile")).to_be_visible()
    assert "bottom=1" in page.url and "industry=Healthcare" in page.url
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Healthcare")
    page.screenshot(path=screenshot_dir / "organizations-bottom-quartile.png", full_page=True)

    page.get_by_label("Search by name").fill("Northwind")
    page.get_by_label("Any metric in the bottom quartile").uncheck()
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Northwind Health").click()
    expect(page.get_by_text("Staff only: mean").first).to_be_visible()

    page.get_by_role("link", name="Customer view").click()
    expect(page.get_by_role("note").filter(has_text="Customer view")).to_be_visible()
    expect(page.get_by_text("Staff only")).to_have_count(0)
    # Staff's group (Healthcare, 101-500: 9 members) shows customers the peer count only.
    expect(page.get_by_text("Only the number of peers is shown for Healthcare")).to_be_visible()
    page.get_by_role("link", name="Compare with Healthcare instead").click()
    expect(page.get_by_role("status")).to_contain_text("worse than your peers' median")
    page.screenshot(path=screenshot_dir / "customer-view.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    text = "".join(p.extract_text() for p in PdfReader(download_info.value.path()).pages)
    assert "Northwind Health" in text and "worse than your peers' median" in text
    assert "min" not in text and "max" not in text and "Staff" not in text

    # Printed: the cards only, never the navigation or a form, no card split across pages.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_label("Peer group")).to_be_hidden()
    expect(page.get_by_role("link", name="Download PDF")).to_be_hidden()
    expect(page.get_by_role("heading", name="Attestation completion rate")).to_be_visible()
    breaks = page.locator("section.metric").first.evaluate("s => getComputedStyle(s).breakInside")
    assert breaks == "avoid"
