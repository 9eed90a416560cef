"""In a real browser: the language switcher (keyboard only, no script needed), right to left in
Arabic, a signed-in user's choice kept with the account, and Accept-Language.

axe-core checks every page these tests open (tests/browser_fixtures.py), the
right-to-left ones included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role, User
from tests.browser_fixtures import NewContext
from tests.factories import create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
# The switcher lists English, then the other locales by code: ar, de, es, fr.
ARABIC_STEPS = 1


def speaks(page: Page, lang: str, direction: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)


def tab_to(page: Page, element_id: str, *, limit: int = 40) -> None:
    """Press Tab from the top of the page until the element has the focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never got the focus with Tab")


def test_a_visitor_switches_to_arabic_with_the_keyboard_alone(
    page: Page, screenshot_dir: Path
) -> None:
    page.goto("/login")
    speaks(page, "en", "ltr")
    tab_to(page, "language-choice")
    for _ in range(ARABIC_STEPS):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#language-choice")).to_have_value("ar")
    page.keyboard.press("Tab")  # to "Change language"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    speaks(page, "ar", "rtl")
    expect(page).to_have_url("/login")
    expect(page.locator("#language-choice")).to_have_value("ar")
    # Each language is named in its own language, and says which one it is.
    arabic = page.locator('#language-choice option[value="ar"]')
    expect(arabic).to_have_text("العربية")
    expect(arabic).to_have_attribute("lang", "ar")
    expect(page.locator('#language-choice option[value="de"]')).to_have_text("Deutsch")

    # Mirrored: the brand starts the header on the right, the switcher ends it on the left.
    brand = page.locator(".brand").bounding_box()
    switcher = page.locator("form.language").bounding_box()
    assert brand is not None and switcher is not None
    assert brand["x"] > switcher["x"] + switcher["width"], (brand, switcher)
    # The email field stays left to right, as an address is written.
    assert page.locator("#email").evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.screenshot(path=screenshot_dir / "login-ar.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the Arabic page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=screenshot_dir / "login-ar-phone.png", full_page=True)

    # The choice stays with the browser (a cookie) on the next page.
    page.goto("/accessibility")
    speaks(page, "ar", "rtl")
    page.locator("#language-choice").select_option("de")
    page.locator("form.language button").click()
    speaks(page, "de", "ltr")
    expect(page).to_have_url("/accessibility")


def test_a_signed_in_users_choice_goes_with_the_account(
    new_context: NewContext, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        user, _ = create_user(
            session, role=Role.ADMIN, email="admin@example.test", password=PASSWORD
        )
        user_id = user.id

    first = new_context(locale="en-US").new_page()
    browser_log_in(first, "admin@example.test", PASSWORD)
    first.goto("/admin/users")
    speaks(first, "en", "ltr")
    first.locator("#language-choice").select_option("ar")
    first.locator("form.language button").click()
    speaks(first, "ar", "rtl")
    expect(first).to_have_url("/admin/users")
    with session_scope(committed_session_factory) as session:
        assert session.get(User, user_id).locale == "ar"  # type: ignore[union-attr]

    # Another browser, asking for German: signed in, the account's Arabic wins.
    second = new_context(locale="de-DE").new_page()
    second.goto("/login")
    speaks(second, "de", "ltr")
    second.locator("#email").fill("admin@example.test")
    second.locator("#password").fill(PASSWORD)
    second.locator("main button[type=submit]").click()
    second.wait_for_load_state()
    speaks(second, "ar", "rtl")
    second.goto("/admin/audit")
    speaks(second, "ar", "rtl")


def test_accept_language_de_de_picks_german(new_context: NewContext) -> None:
    page = new_context(locale="de-DE").new_page()
    page.goto("/login")
    speaks(page, "de", "ltr")
    expect(page.locator("#language-choice")).to_have_value("de")
