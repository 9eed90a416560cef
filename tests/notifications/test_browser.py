"""In a real browser: the unread count in the navigation, reading and marking notifications."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_notification, create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"


def test_the_count_and_marking_read(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path
) -> None:
    with session_scope(committed_session_factory) as session:
        user, _ = create_user(
            session, role=Role.CUSTOMER, email="reader@example.test", password=PASSWORD
        )
        create_notification(session, user=user, title="Login rate: now “Below median”")
        create_notification(session, user=user, title="Case resolution time: now “Bottom quartile”")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))

    browser_log_in(page, "reader@example.test", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications (2) unread")).to_be_visible()
    nav.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    page.screenshot(path=screenshot_dir / "notifications.png", full_page=True)

    page.get_by_role("button", name="Mark as read – Login rate: now “Below median”").click()
    expect(nav.get_by_role("link", name="Notifications (1) unread")).to_be_visible()
    page.get_by_role("button", name="Mark all as read").click()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)

    page.set_viewport_size({"width": 375, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    # Nothing broke the Content-Security-Policy (no inline script or style).
    assert not [e for e in errors if "Content Security Policy" in e], errors
