"""The browser tests' fixtures: Debian's Chromium, driven through Playwright.

A plugin, not part of tests/conftest.py, so that only the test modules that
drive a browser import Playwright; each names it:

    pytest_plugins = ["tests.browser_fixtures"]

A test using `browser` (or `page`) is marked `browser` by tests/conftest.py.

Every context these fixtures make is watched by axe-core (tests/accessibility.py):
each page of the live server a test visits is checked against WCAG 2.2 AA, and
the test fails on any violation. A test that needs a second browser context (a
second person) asks `new_context` for it, never `browser.new_context`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.accessibility import AxeChecks, format_report

# Chromium as root in a closed network: no sandbox, and none of its background
# calls home (they would be refused, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    candidates = [
        os.environ.get("OPSPORTAL_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


# Generous waits: on a loaded 2-core CI machine a page can take seconds; a
# wait ends as soon as its condition holds, so this costs nothing when fast.
PAGE_TIMEOUT_MS = 30_000
expect.set_options(timeout=PAGE_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium); .ci/run installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = Path(os.environ.get("OPSPORTAL_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def axe_checks(request: pytest.FixtureRequest) -> AxeChecks:
    """What axe-core found in this test's pages; `pytest_runtest_call` below fails on it."""
    return AxeChecks(test_id=request.node.nodeid)


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, live_server: str, axe_checks: AxeChecks) -> Iterator[NewContext]:
    """Browser contexts on the live server, watched by axe-core, closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options = {"base_url": live_server, "viewport": {"width": 1200, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        made.append(context)
        return axe_checks.watch(context, origins=[live_server])

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After a browser test passes, check its open pages once more, and fail it on any
    accessibility violation found while it ran."""
    checks = getattr(item, "funcargs", {}).get("axe_checks")
    try:
        result = yield
    except BaseException:
        if isinstance(checks, AxeChecks) and checks.violations:
            item.add_report_section("call", "accessibility", format_report(checks.violations))
        raise
    if isinstance(checks, AxeChecks):
        checks.finish()
    return result
