"""In a real browser: a customer_admin assigns a track and reads the report; the learner sees it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from opsportal.models.base import utcnow
from tests.factories import create_organization, create_track_with_quizzes, create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"


def test_customer_admin_assigns_and_the_learner_sees_it(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path
) -> None:
    with session_scope(committed_session_factory) as session:
        org = create_organization(session, name="Northwind")
        create_user(
            session,
            role=Role.CUSTOMER_ADMIN,
            organization=org,
            name="Alex Admin",
            email="admin@northwind.test",
            password=PASSWORD,
        )
        create_user(
            session,
            organization=org,
            name="Lee Learner",
            email="lee@northwind.test",
            password=PASSWORD,
        )
        create_user(session, organization=org, name="Kim Other", email="kim@northwind.test")
        create_track_with_quizzes(session, courses=1, name="Anti-Bribery Essentials")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    due = utcnow().date() + timedelta(days=21)

    browser_log_in(page, "admin@northwind.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("heading", name="Training compliance: Northwind")).to_be_visible()
    page.get_by_role("link", name="Assign a track").click()
    page.get_by_label("Track").select_option(label="Anti-Bribery Essentials")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Chosen users").check()
    page.get_by_label("Lee Learner (lee@northwind.test)").check()
    page.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("status")).to_contain_text("Assigned to 1 user")
    table = page.get_by_role("table", name="Assignments")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Lee's row
    expect(table).to_contain_text("Lee Learner")
    expect(table).to_contain_text("Anti-Bribery Essentials")
    expect(table).to_contain_text("Not started")
    page.screenshot(path=screenshot_dir / "compliance.png", full_page=True)
    page.get_by_role("link", name="Overdue").click()
    expect(page.get_by_role("table", name="Assignments")).to_contain_text("No assignments match")
    page.get_by_role("link", name="Log out").click()

    browser_log_in(page, "lee@northwind.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    mine = page.get_by_role("region", name="My training")
    expect(mine).to_contain_text("Anti-Bribery Essentials")
    expect(mine).to_contain_text("Not started")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Compliance")
    ).to_have_count(0)
    page.screenshot(path=screenshot_dir / "my-training.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
