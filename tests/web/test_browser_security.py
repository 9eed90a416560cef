"""In Chromium: the CSP holds without breaking a page, /docs works offline, framing is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_track_with_quizzes, create_user, pass_quiz
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-security-pass"


def csp_violations(page: Page) -> list[str]:
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


def test_docs_work_offline_under_their_csp(page: Page, live_server: str) -> None:
    local = urlsplit(live_server).netloc
    outside: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:  # no internet: anything fetched from elsewhere fails, and is recorded
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    violations = csp_violations(page)
    page.goto("/docs")
    expect(page.get_by_role("heading", name="opsportal")).to_be_visible()
    expect(page.get_by_text("/api/v1/me", exact=True).first).to_be_visible()
    page.get_by_text("/api/v1/me", exact=True).first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    assert outside == []
    assert violations == []


def test_another_site_cannot_frame_the_login_page(page: Page, live_server: str) -> None:
    page.route(
        "http://attacker.invalid/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<h1>Win a prize</h1>"
                f'<iframe name="opsportal" src="{live_server}/login"></iframe>'
                # The control: a page that allows framing does load in the same place.
                '<iframe name="control" src="http://attacker.invalid/frameable"></iframe>'
            ),
        ),
    )
    page.goto("http://attacker.invalid/")
    expect(page.get_by_role("heading", name="Win a prize")).to_be_visible()
    page.wait_for_load_state("load")
    frames = {frame.name: frame for frame in page.frames if frame.name}
    assert frames["control"].url == "http://attacker.invalid/frameable"
    # Chromium refuses the frame (frame-ancestors 'none', X-Frame-Options: DENY)
    # and shows its error page in its place: nothing of the login form is there.
    assert frames["opsportal"].url.startswith("chrome-error://")
    expect(page.frame_locator("iframe[name=opsportal]").get_by_label("Password")).to_have_count(0)


def test_pages_render_under_the_csp(
    page: Page, committed_session_factory: SessionFactory, settings: Settings
) -> None:
    with session_scope(committed_session_factory) as session:
        user, _ = create_user(
            session, role=Role.INTERNAL, email="csp@example.test", password=PASSWORD
        )
        _, quizzes = create_track_with_quizzes(
            session, settings=settings, name="Speak-up essentials", courses=2
        )
        pass_quiz(session, user=user, quiz=quizzes[0])
    violations = csp_violations(page)
    browser_log_in(page, "csp@example.test", PASSWORD)
    for path in ("/training", "/certificates", "/organizations", "/benchmarks/runs", "/logout"):
        page.goto(path)
        page.wait_for_load_state()
    page.goto("/training")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "50")
    # Styled by the stylesheet alone: the bar has its width and a filled half.
    assert bar.bounding_box() is not None and bar.bounding_box()["width"] > 100  # type: ignore[index]
    assert violations == []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log out").click()
    expect(page).to_have_url("/login")
    page.goto("/training")
    expect(page).to_have_url("/login?next=/training")
