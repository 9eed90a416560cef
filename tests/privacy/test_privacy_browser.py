"""In a real browser: a learner downloads their data; an admin erases them from the user page;
a verifier then sees the name withheld and checks a name."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import certify, create_track_with_quizzes, create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
NAME = "Greta Browserwind"


def test_download_erase_and_verify(
    page: Page,
    committed_session_factory: SessionFactory,
    settings: Settings,
    screenshot_dir: Path,
) -> None:
    with session_scope(committed_session_factory) as session:
        learner, _ = create_user(
            session, role=Role.CUSTOMER, name=NAME, email="greta@example.test", password=PASSWORD
        )
        create_user(session, role=Role.ADMIN, email="dpo@example.test", password=PASSWORD)
        track, quizzes = create_track_with_quizzes(session, settings=settings)
        certificate = certify(
            session, user=learner, track=track, quizzes=quizzes, settings=settings
        )
        learner_id, code = learner.id, certificate.verification_code

    browser_log_in(page, "greta@example.test", PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    archive = download_info.value.path()
    with zipfile.ZipFile(archive) as data:
        assert json.loads(data.read("person.json"))["name"] == NAME
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log out").click()

    browser_log_in(page, "dpo@example.test", PASSWORD)
    page.goto(f"/admin/users/{learner_id}")
    expect(page.get_by_role("link", name="Download data")).to_be_visible()
    # With the keyboard: tick the box, then the button.
    page.get_by_label("Erase this person's name").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Erase personal data").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Erased")
    expect(page.get_by_role("heading", level=1)).to_have_text("Erased user")
    page.screenshot(path=screenshot_dir / "user-erased.png", full_page=True)

    page.goto(f"/verify/{code}")
    expect(page.get_by_text("Holder's name withheld")).to_be_visible()
    expect(page.get_by_text(NAME)).to_have_count(0)
    page.get_by_role("textbox", name="Name").fill("greta  browserwind")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status").last).to_have_text("The name matches this certificate.")
    page.screenshot(path=screenshot_dir / "verify-withheld.png", full_page=True)
