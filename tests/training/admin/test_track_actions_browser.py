"""In Chromium: "Back to draft" asks first (Cancel keeps the track published); a quiz's item
statistics mark the answer key in words and warn that two attempts are too few to judge."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role, Track
from tests.factories import create_track_with_quizzes, create_user, pass_quiz
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

ADMIN = ("track.admin@example.test", "admin-pass-123")


@pytest.fixture
def ids(committed_session_factory: SessionFactory, settings: Settings) -> dict[str, int]:
    """A published track whose quiz two learners took: one passed, one answered only q1."""
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=ADMIN[0], password=ADMIN[1], name="Ada")
        track, quizzes = create_track_with_quizzes(
            session, courses=1, name="Speak up", settings=settings
        )
        for passed in (True, False):
            learner, _ = create_user(session)
            pass_quiz(session, user=learner, quiz=quizzes[0], passed=passed)
        return {"track": track.id, "quiz": quizzes[0].id}


def is_published(factory: SessionFactory, track_id: int) -> bool:
    with factory() as session:
        track = session.get(Track, track_id)
        assert track is not None
        return track.is_active


def test_back_to_draft_asks_first(
    page: Page, committed_session_factory: SessionFactory, ids: dict[str, int]
) -> None:
    browser_log_in(page, *ADMIN)
    page.goto(f"/admin/tracks/{ids['track']}")
    page.wait_for_load_state("load")
    back = page.get_by_role("link", name="Back to draft…")
    expect(back).to_have_class("button secondary")
    back.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Take “Speak up” back to draft?")
    expect(dialog).to_contain_text("progress, attempts and certificates are kept")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert is_published(committed_session_factory, ids["track"])

    back.click()
    dialog.get_by_role("button", name="Back to draft").click()
    expect(page.get_by_role("status")).to_contain_text("is a draft again")
    assert not is_published(committed_session_factory, ids["track"])


def test_item_statistics_mark_the_key_and_caution_on_two_attempts(
    page: Page, ids: dict[str, int], screenshot_dir: Path
) -> None:
    browser_log_in(page, *ADMIN)
    page.goto(f"/admin/tracks/{ids['track']}")
    page.get_by_role("link", name="Statistics of").click()
    first = page.locator("section.card").first
    expect(first.locator(".caution")).to_contain_text("Too few attempts to judge")
    expect(first).to_contain_text("2 so far, fewer than 30")
    # The answer key is said in words, in its own column, not by colour alone.
    key = first.get_by_role("row").filter(has_text="✓ Correct")
    expect(key).to_have_count(1)
    expect(key.get_by_role("cell").first).to_have_text("Anyone")
    page.screenshot(path=screenshot_dir / "admin-item-statistics.png", full_page=True)
