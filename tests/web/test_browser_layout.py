"""In a real browser: the page frame every page shares (navigation, skip link, footer, icon)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_notification, create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
NAV_LINKS = "nav[aria-label=Main] li"


def link_tops(page: Page) -> list[float]:
    return page.eval_on_selector_all(NAV_LINKS, "items => items.map(i => i.offsetTop)")


@pytest.fixture
def admin_page(page: Page, committed_session_factory: SessionFactory) -> Page:
    """An admin with the longest navigation there is: every link, and unread notifications."""
    with session_scope(committed_session_factory) as session:
        admin, _ = create_user(
            session,
            role=Role.ADMIN,
            email="administrator@example.test",
            name="Maximiliane Oberhausen-Lindqvist",
            password=PASSWORD,
        )
        for _ in range(12):
            create_notification(session, user=admin)
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_log_in(page, "administrator@example.test", PASSWORD)
    return page


def test_the_admin_navigation_is_one_line_at_1280(admin_page: Page, screenshot_dir: Path) -> None:
    page = admin_page
    page.goto("/admin/users")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Benchmarks", "Training", "Certificates", "Admin", "Users", "Log out"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-nav-1280.png")
    tops = link_tops(page)
    assert len(tops) >= 10
    assert len(set(tops)) == 1, f"the navigation wraps at 1280 px: link tops {tops}"
    # Two rows in all: the brand with who is signed in, then the navigation.
    who, links = page.locator(".who").bounding_box(), nav.bounding_box()
    assert who is not None and links is not None
    assert who["y"] + who["height"] <= links["y"]
    # At a phone's width it wraps, but nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshot_dir / "admin-nav-375.png")


def test_keyboard_alone_skips_to_content_and_reaches_the_statement(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/users")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/admin/users#main")
    # The next Tab goes to the page's own first link, past the dozen of the navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link").first).to_be_focused()

    footer = page.get_by_role("contentinfo")
    statement = footer.get_by_role("link", name="Accessibility")
    statement.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/accessibility")
    expect(page.get_by_role("heading", name="Accessibility statement", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_the_statement_is_public_and_every_page_has_an_icon(page: Page, live_server: str) -> None:
    page.goto("/accessibility")
    expect(page.get_by_role("heading", name="Accessibility statement", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Extra time on timed quizzes")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    assert httpx.get(live_server + icon).headers["content-type"].startswith("image/svg+xml")
    favicon = httpx.get(f"{live_server}/favicon.ico")
    assert favicon.status_code == 200
    assert favicon.headers["content-type"] == "image/x-icon"
    page.goto("/login")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Accessibility")).to_be_visible()
