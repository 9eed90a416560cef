"""In a real browser: logging in, the navigation, the organisation list, a phone-width screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_organization, create_user

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"


def test_staff_login_navigation_and_search(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path
) -> None:
    with session_scope(committed_session_factory) as session:
        create_organization(session, name="Harbor Health")
        create_organization(session, name="Summit Energy", industry_sector="Energy")
        create_user(session, role=Role.INTERNAL, email="ops@example.test", password=PASSWORD)

    page.goto("/organizations")
    expect(page).to_have_url("/login?next=/organizations")
    page.screenshot(path=screenshot_dir / "login.png")
    page.get_by_label("Email").fill("ops@example.test")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Benchmarks", "Training", "Certificates", "Log out"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()

    page.get_by_label("Search by name").fill("harbor")
    page.get_by_label("Search by name").press("Enter")
    expect(page.get_by_role("link", name="Harbor Health")).to_be_visible()
    expect(page.get_by_text("Summit Energy")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "organizations.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=screenshot_dir / "organizations-phone.png", full_page=True)

    nav.get_by_role("link", name="Log out").click()
    expect(page).to_have_url("/login")
