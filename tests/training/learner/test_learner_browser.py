"""In Chromium, at 1280 and 375 px: a learner's way through a track.

Start a timed quiz (the countdown runs under the CSP), be asked before an
incomplete submit, fail without seeing the answer key, pass, follow "Next
course" to a course without a quiz and mark it as read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_course, create_quiz, create_track, create_user
from tests.pages import PASSWORD, browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

CORRECT = {
    "Who may use the hotline?": ["Anyone"],
    "Reports can be anonymous.": ["True"],
    "Which are forms of retaliation?": ["Demotion", "Exclusion from meetings"],
    "A gift worth 500 EUR from a vendor should be…": ["Declared"],
    "Personal data may be emailed to a private address.": ["False"],
}


def question(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("group", name=re.compile(re.escape(text)))


@pytest.mark.parametrize("width", [1280, 375])
def test_learner_journey(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path, width: int
) -> None:
    with session_scope(committed_session_factory) as session:
        track = create_track(session, name=f"Speak-up essentials {width}")
        first = create_course(session, track=track, title="Why speaking up matters")
        create_quiz(session, course=first, timeLimitMinutes=10, shuffleOptions=True)
        reading = create_course(session, track=track, title="Read the policy")
        last = create_course(session, track=track, title="Handling a report")
        create_quiz(session, course=last)
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        email, first_id = user.email, first.id
    page.set_viewport_size({"width": width, "height": 900})
    browser_log_in(page, email, PASSWORD)

    page.goto(f"/training/courses/{first_id}")
    expect(page.get_by_text("Course 1 of 3 · 5 questions")).to_be_visible()
    expect(page.get_by_text("Time limit: 10 minutes")).to_be_visible()
    page.get_by_role("button", name="Take the quiz").click()

    expect(page.get_by_text(re.compile(r"Time left: \d+:\d\d"))).to_be_visible()
    question(page, "Who may use the hotline?").get_by_label("Only HR").check()
    question(page, "Reports can be anonymous.").get_by_label("False").check()
    page.get_by_role("button", name="Submit answers").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 of 5 answered — submit anyway?")
    expect(question(page, "Who may use the hotline?").get_by_label("Only HR")).to_be_checked()
    page.screenshot(path=screenshot_dir / f"quiz-incomplete-{width}.png", full_page=True)
    alert.get_by_role("button", name="Submit anyway").click()

    expect(page.get_by_text("0 % — Not passed")).to_be_visible()
    content = page.content()
    assert "Correct answer:" not in content
    assert "The hotline is open to everyone." not in content
    page.screenshot(path=screenshot_dir / f"quiz-failed-{width}.png", full_page=True)
    page.get_by_role("button", name="Take again").click()

    for text, answers in CORRECT.items():
        for answer in answers:
            question(page, text).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("100 % — Passed")).to_be_visible()
    expect(page.get_by_text("You have completed every course of this track.")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=screenshot_dir / f"quiz-passed-{width}.png", full_page=True)
    page.get_by_role("link", name="Next course: Read the policy").click()

    expect(page.get_by_text("Course 2 of 3 · no quiz")).to_be_visible()
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("You have marked this course as read.")).to_be_visible()
    page.get_by_role("link", name="Next course: Handling a report").click()
    expect(page.get_by_text("Course 3 of 3 · 5 questions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert reading is not None
