"""In Chromium: a customer_admin uploads a roster, reads the preview, applies it; then a new
user opens the invitation link from the outbox, sets a password and signs in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from opsportal.db import SessionFactory, session_scope
from opsportal.models import OutboxMessage, Role, User
from tests.factories import create_organization, create_user
from tests.pages import browser_log_in

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
ROSTER = (
    "email,name,role,externalId\n"
    "ada@example.test,Ada Lovelace,,E-1\n"
    "alan@example.test,Alan Turing,customer_admin,E-2\n"
    "boss@example.test,The Boss,,\n"
)


def test_upload_preview_apply_and_accept_the_invitation(
    page: Page,
    committed_session_factory: SessionFactory,
    screenshot_dir: Path,
    tmp_path: Path,
    live_server: str,
) -> None:
    with session_scope(committed_session_factory) as session:
        organization = create_organization(session, name="Northwind")
        create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization,
            email="boss@example.test", name="Boss", password=PASSWORD,
        )  # fmt: skip
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))

    browser_log_in(page, "boss@example.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Import a roster").click()
    expect(page.get_by_role("heading", name="Import a roster")).to_be_visible()
    page.get_by_label("Roster file (CSV)").set_input_files(roster)
    page.get_by_role("button", name="Preview").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("2 new users (each emailed an invitation), 1 updated")
    changes = page.get_by_role("table")
    expect(changes.get_by_role("row", name=re.compile("ada@example.test"))).to_contain_text("new")
    expect(changes.get_by_role("row", name=re.compile("boss@example.test"))).to_contain_text(
        "name: Boss → The Boss"
    )
    page.screenshot(path=screenshot_dir / "roster-preview.png", full_page=True)
    with committed_session_factory() as session:
        assert session.scalars(select(User).where(User.email == "ada@example.test")).first() is None

    page.get_by_role("button", name="Import 3 changes").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Roster imported into Northwind: 2 new (2 invited by email), 1 updated, 0 unchanged."
    )
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    page.screenshot(path=screenshot_dir / "roster-applied.png", full_page=True)

    with committed_session_factory() as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == "ada@example.test")
        ).one()
    link = re.search(r"/set-password/[A-Za-z0-9_-]+", body)
    assert link
    page.get_by_role("link", name="Log out").click()
    page.goto(link[0])
    page.get_by_label("New password", exact=True).fill("ada's own passphrase")
    page.get_by_label("Repeat the new password").fill("ada's own passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text(re.compile("password is set", re.I))).to_be_visible()
    browser_log_in(page, "ada@example.test", "ada's own passphrase")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    assert not [e for e in errors if "Content Security Policy" in e], errors
