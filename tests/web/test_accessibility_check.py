"""The axe-core check every browser test runs (tests/accessibility.py) catches what it must:
on small made-up pages with known violations, at load, when the page is left at once, and
in a state the test brings about."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.accessibility import AxeChecks, Violation, check_accessibility, format_report

pytest_plugins = ["tests.browser_fixtures"]

ORIGIN = "http://a11y.test"
HEAD = '<!doctype html><html lang="en"><head><title>Made up</title></head><body><main>'
PAGES = {
    "/clean": HEAD + "<h1>All fine</h1><label>Name <input name=name></label></main>",
    # An input nobody can name, and light grey text on white (about 1.6:1).
    "/broken": HEAD
    + '<h1>Broken</h1><input name="q"><p style="color:#ccc">faint words</p>'
    + '<a href="/clean">on</a></main>',
    "/loading": HEAD
    + '<h1>Loading</h1><input name="q"><img src="/never.png" alt="">'
    + '<a href="/clean">on</a></main>',
}


def serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/never.png":
        return  # never answered: the page that shows it never finishes loading
    route.fulfill(content_type="text/html", body=PAGES.get(path, HEAD + "</main>"))


@pytest.fixture
def checks() -> AxeChecks:
    return AxeChecks(test_id="made-up pages", log_path=None)


@pytest.fixture
def context(browser: Browser, checks: AxeChecks) -> Iterator[BrowserContext]:
    context = browser.new_context()
    # Served before being watched: the check's handlers come first.
    context.route(f"{ORIGIN}/**", serve)
    checks.watch(context, origins=[ORIGIN])
    yield context
    context.close()


def rules(checks: AxeChecks, path: str) -> set[str]:
    return {v.rule for v in checks.violations if v.url == ORIGIN + path}


def test_a_page_is_checked_when_it_loads(context: BrowserContext, checks: AxeChecks) -> None:
    page = context.new_page()
    page.goto(f"{ORIGIN}/clean")
    page.goto(f"{ORIGIN}/broken")
    checks.settle(page)
    assert rules(checks, "/clean") == set()
    assert {"label", "color-contrast"} <= rules(checks, "/broken")
    with pytest.raises(AssertionError, match="label"):
        checks.finish()


def test_a_page_left_at_once_is_still_checked(context: BrowserContext, checks: AxeChecks) -> None:
    page = context.new_page()
    # The test follows the link before the page has finished loading, and so before the
    # check that starts at load: the page is checked before Playwright clicks.
    page.goto(f"{ORIGIN}/loading", wait_until="domcontentloaded")
    page.get_by_role("link", name="on").click()
    page.wait_for_url(f"{ORIGIN}/clean")
    assert "label" in rules(checks, "/loading")


def test_a_state_the_test_brings_about_is_checked(
    context: BrowserContext, checks: AxeChecks
) -> None:
    page: Page = context.new_page()
    page.goto(f"{ORIGIN}/clean")
    check_accessibility(page)  # clean: no error
    # A dialog with an unlabelled field opens, as a script would open it.
    page.evaluate(
        """() => {
        const dialog = document.createElement("dialog");
        dialog.innerHTML = '<input name="reason">';
        document.querySelector("main").append(dialog);
        dialog.showModal();
    }"""
    )
    with pytest.raises(AssertionError) as failure:
        check_accessibility(page)
    report = str(failure.value)
    assert "label (critical) on /clean" in report
    assert "Form elements must have labels" in report
    assert '- input[name="reason"]' in report


def test_the_report_names_rule_impact_page_elements_and_help() -> None:
    found = [
        Violation(
            rule="color-contrast",
            impact="serious",
            help="Elements must meet minimum color contrast ratio thresholds",
            help_url="https://dequeuniversity.com/rules/axe/4.12/color-contrast",
            url="http://127.0.0.1:8000/training?page=2",
            targets=tuple(f".badge:nth-child({n})" for n in range(1, 6)),
            summary="Element has insufficient color contrast of 4.49",
        )
    ]
    report = format_report(found)
    assert "color-contrast (serious) on /training: 5 element(s)" in report
    assert "- .badge:nth-child(3)" in report
    assert ".badge:nth-child(4)" not in report
    assert "… and 2 more" in report
    assert "https://dequeuniversity.com/rules/axe/4.12/color-contrast" in report
    assert "4.49" in report
