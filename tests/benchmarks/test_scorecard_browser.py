"""In Chromium, on the demo data: the scorecard at a glance, the customer review pack, the
staff's side-by-side figures, the printout and the run page.

A compliance manager lands in its own most specific peer group that places it
(its industry: its industry × size band has 9 members, which show customers the
peer count only); a staff member opens the Customer view, follows it to the
group that places the customer, downloads its PDF, prints it, and lists the
organisations with a metric in the bottom quartile.
"""

from __future__ import annotations

import io
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
def demo(committed_session_factory: SessionFactory, settings: Settings) -> dict[str, str]:
    """The demo data; the demo users' API tokens by role."""
    with session_scope(committed_session_factory) as session:
        logins = load_demo(session, settings=settings, say=lambda _: None)
    return {login.role: login.token for login in logins}


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


NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_quote_the_customers_figures(
    page: Page, demo: dict[str, str], screenshot_dir: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    browser_log_in(page, "ops@opsportal.example", "internal-demo-pass")
    page.goto("/organizations")
    page.get_by_label("Search by name").fill("Northwind")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Northwind Health").click()
    org_path = page.url.split("?")[0].split("/benchmarks/organizations/")[1]
    # The customers' own group (Healthcare: its 101-500 band has 9 members).
    page.get_by_label("Industry").select_option("Healthcare")
    page.get_by_label("Company size").select_option("")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Compared with Healthcare", exact=True)).to_be_visible()
    card = page.locator("section.metric").filter(
        has=page.get_by_role("heading", name="Case resolution time")
    )
    customer = card.locator("dd.customer-figure")
    expect(card.get_by_text("Customer sees", exact=True)).to_be_visible()
    expect(card.get_by_text("Exact", exact=True)).to_be_visible()

    # What the customer endpoint returns is what staff read, word for word.
    answer = page.request.get(
        f"/api/v1/benchmarks/organizations/{org_path}/metrics/case_resolution_time",
        params={"industrySector": "Healthcare"},
        headers={"Authorization": f"Bearer {demo['customer']}"},
    ).json()
    gap = answer["medianGap"]
    slower_or_faster = "slower" if gap > 0 else "faster"
    expect(customer).to_contain_text(
        f"{abs(gap):g} days {slower_or_faster} than the peer median (smoothed)"
    )
    expect(customer).to_contain_text(f"better than about {answer['percentile']} % of peers")
    verdict = card.locator(".verdict")
    expect(verdict).to_have_text(re.compile(r"(Faster|Slower) than the median|Among the"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=screenshot_dir / f"scorecard-staff-{width}.png", full_page=True)


@pytest.mark.usefixtures("demo")
def test_the_printout_is_compact(page: Page) -> None:
    browser_log_in(page, "customer@northwind.example", "customer-demo-pass")
    expect(page.get_by_role("heading", name="Northwind Health")).to_be_visible()
    page.emulate_media(media="print")
    largest = page.evaluate("""() => Math.max(
      ...[...document.querySelectorAll('section.metric svg text')]
        .filter(t => t.getClientRects().length)
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))""")
    assert largest <= 16  # chart labels print near body size, not at 50 px
    printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert len(printed.pages) <= 2
    text = "".join(p.extract_text() for p in printed.pages)
    assert "Case resolution time" in text and "Training completion rate" in text


@pytest.mark.usefixtures("demo")
def test_a_run_opens_from_the_history(page: Page) -> None:
    browser_log_in(page, "ops@opsportal.example", "internal-demo-pass")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    page.get_by_role("link", name=re.compile(r"^Run \d+$")).first.click()
    expect(page.get_by_role("heading", name="What it computed")).to_be_visible()
    expect(page.get_by_text("Organizations counted")).to_be_visible()
    # The demo calculates each day twice (before and after its training data): the later
    # run says why it counted more.
    expect(page.get_by_text("Why its counts differ from run")).to_be_visible()
    expect(page.get_by_text("Training completion rate: not counted in run")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
