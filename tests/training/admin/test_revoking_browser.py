"""In Chromium: an admin revokes a certificate through its confirmation dialog (and, without
script, its confirmation page); Cancel changes nothing and the list keeps its filters."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Certificate, Notification, Role
from tests.factories import certify, create_track_with_quizzes, create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

ADMIN = ("revoker.admin@example.test", "admin-pass-123")


@pytest.fixture
def numbers(committed_session_factory: SessionFactory, settings: Settings) -> list[str]:
    """Two certificates of Lea's (the one to revoke and another) and one of someone else."""
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=ADMIN[0], password=ADMIN[1], name="Ada")
        lea, _ = create_user(session, email="lea@example.test", name="Lea Learner")
        other, _ = create_user(session, email="otto@example.test", name="Otto Other")
        found = []
        for name, user in (("Speak up", lea), ("Gifts", lea), ("Speak up again", other)):
            track, quizzes = create_track_with_quizzes(
                session, courses=1, name=name, settings=settings
            )
            found.append(
                certify(
                    session, user=user, track=track, quizzes=quizzes, settings=settings
                ).certificate_number
            )
        return found


def stored(factory: SessionFactory, number: str) -> Certificate:
    with factory() as session:
        return session.scalars(
            select(Certificate).where(Certificate.certificate_number == number)
        ).one()


def filter_list(page: Page) -> None:
    page.goto("/admin/certificates")
    page.get_by_label("Status").select_option("ACTIVE")
    page.get_by_label("Name or email").fill("lea")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("2 certificates")).to_be_visible()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_revoke_through_the_dialog_cancel_first(
    page: Page, committed_session_factory: SessionFactory, numbers: list[str], screenshot_dir: Path
) -> None:
    number = numbers[0]
    browser_log_in(page, *ADMIN)
    page.set_viewport_size({"width": 1280, "height": 900})
    filter_list(page)
    # At 1280 px the whole row, its action included, is on screen: no sideways scroll.
    overflow = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)"
    )
    assert max(overflow) <= 0, overflow
    revoke = page.get_by_role("link", name=f"Revoke… {number}")
    box = revoke.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    page.wait_for_load_state("load")  # confirm-dialog.js (deferred) listens from here on

    revoke.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Revoke certificate {number}?")
    expect(dialog).to_contain_text("Lea Learner")
    expect(dialog).to_contain_text("Speak up 1.0")
    expect(dialog).to_contain_text("the holder is told, in the app and by email")
    expect(dialog.get_by_label("Reason (required)")).to_be_focused()
    page.screenshot(path=screenshot_dir / "admin-revoke-dialog.png", full_page=True)
    dialog.get_by_label("Reason (required)").fill("Not this one")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(revoke).to_be_focused()
    assert stored(committed_session_factory, number).revoked_at is None

    # Opened again: a clean form, and the reason is required.
    revoke.click()
    expect(dialog.get_by_label("Reason (required)")).to_have_value("")
    dialog.get_by_role("button", name="Revoke certificate").click()
    expect(dialog).to_be_visible()  # the browser asks for the reason first
    dialog.get_by_label("Reason (required)").fill("Answers were shared")
    dialog.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_role("status")).to_contain_text(f"Certificate {number} revoked")
    # Back on the same list: still Lea's active certificates, the revoked one gone from it.
    assert query(page) == {"status": ["ACTIVE"], "q": ["lea"]}
    expect(page.get_by_text("1 certificate,")).to_be_visible()
    expect(page.get_by_role("link", name=f"Revoke… {numbers[1]}")).to_be_visible()
    certificate = stored(committed_session_factory, number)
    assert certificate.revoked_reason == "Answers were shared"
    with committed_session_factory() as session:
        told = session.scalars(select(Notification.user_id)).all()
    assert told == [certificate.user_id]

    # The confirmation page, as a browser without script gets it (checked by axe-core here).
    page.goto(page.get_by_role("link", name=f"Revoke… {numbers[1]}").get_attribute("href") or "")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke certificate {numbers[1]}?")
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()


def test_revoke_without_script_through_the_confirmation_page(
    browser: Browser, live_server: str, committed_session_factory: SessionFactory,
    numbers: list[str],
) -> None:  # fmt: skip
    number = numbers[0]
    # axe-core runs inside the page, so it cannot check a page without script: this context
    # is made directly (as the quiz builder's no-script test does); the scripted test above
    # has axe check the same confirmation page.
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        browser_log_in(page, *ADMIN)
        filter_list(page)
        page.get_by_role("link", name=f"Revoke… {number}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke certificate {number}?")
        expect(page.locator("main")).to_contain_text("Lea Learner")
        page.get_by_role("link", name="Cancel").click()
        assert query(page) == {"status": ["ACTIVE"], "q": ["lea"]}
        assert stored(committed_session_factory, number).revoked_at is None

        page.get_by_role("link", name=f"Revoke… {number}").click()
        page.get_by_role("button", name="Revoke certificate").click()  # no reason yet
        expect(page.locator("#reason-error")).to_be_visible()
        page.get_by_label("Reason (required)").fill("Issued in error")
        page.get_by_role("button", name="Revoke certificate").click()
        expect(page.get_by_role("status")).to_contain_text(f"Certificate {number} revoked")
        assert query(page) == {"status": ["ACTIVE"], "q": ["lea"]}
        assert stored(committed_session_factory, number).revoked_reason == "Issued in error"
    finally:
        context.close()
