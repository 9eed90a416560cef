"""A native track's SCORM 1.2 export, played in the portal's own player: downloaded through
the API, uploaded as the SCORM course of another track, and a learner answers its quiz in
Chromium; the course and its track count as completed.

The export makes one SCO per course and the importer plays single-SCO packages, so the
track exported here has one course (docs/training.md says so)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import bearer, create_track, create_user
from tests.factories.training import create_track_with_quizzes, sample_questions
from tests.pages import PASSWORD, browser_log_in
from tests.processes import wait_for
from tests.training.content.test_player_browser import Portal, portal

pytest_plugins = ["tests.browser_fixtures"]
pytestmark = pytest.mark.browser

__all__ = ["portal"]


@pytest.fixture
def live_server(portal: Portal) -> Iterator[str]:
    """The browser fixtures' server (axe-core checks its pages) is the SCORM-ready portal."""
    yield portal.url


def test_an_exported_track_plays_in_our_player_and_completes(
    page: Page, portal: Portal, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        _, admin_token = create_user(session, role=Role.ADMIN)
        learner, learner_token = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        native, _ = create_track_with_quizzes(session, courses=1, name="Native safety basics")
        target = create_track(session, settings=portal.settings)
        native_id, target_id, email = native.id, target.id, learner.email
    admin, mine = bearer(admin_token), bearer(learner_token)

    exported = httpx.get(
        f"{portal.url}/api/v1/training/tracks/{native_id}/scorm-package", headers=admin
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    uploaded = httpx.post(
        f"{portal.url}/api/v1/training/tracks/{target_id}/courses/scorm",
        headers=admin,
        files={"file": ("native.zip", exported.content, "application/zip")},
    )
    assert uploaded.status_code == 201, uploaded.text
    course_id = uploaded.json()["id"]

    browser_log_in(page, email, PASSWORD)
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("link", name="Open the course").click()
    page.get_by_role("button", name="Open the course").click()
    sco = page.frame_locator("iframe.scorm-frame").frame_locator("#scorm-sco")
    for n, question in enumerate(sample_questions()):
        group = sco.locator("fieldset").nth(n)
        for option in question["options"]:
            if option["id"] in question["correctOptionIds"]:
                group.get_by_label(option["text"], exact=True).check()
    sco.get_by_role("button", name="Submit answers").click()
    expect(sco.locator("#result")).to_be_visible()

    def completed() -> bool:
        tracks = httpx.get(f"{portal.url}/api/v1/training/tracks", headers=mine).json()
        track = next(t for t in tracks if t["id"] == target_id)
        return bool(track["isCompleted"] and track["courses"][0]["isPassed"])

    wait_for(completed, seconds=30, what="the course to count as completed")
