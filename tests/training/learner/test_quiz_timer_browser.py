"""In Chromium: the quiz timer speaks at its set points and when time is up (the browser's
clock driven by Playwright), shows the deadline in the learner's own time zone, and the
quiz page saves answers as the learner goes, ticked again after a reload, on "Continue your
attempt" and on another device."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_course, create_quiz, create_track, create_user
from tests.pages import PASSWORD, browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser


def timed_course(factory: SessionFactory, minutes: int | None = 10) -> tuple[int, str]:
    with session_scope(factory) as session:
        track = create_track(session)
        course = create_course(session, track=track, title="Why speaking up matters")
        policy = {"timeLimitMinutes": minutes} if minutes else {}
        create_quiz(session, course=course, **policy)
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        return course.id, user.email


def question(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def test_the_timer_announces_itself_at_set_points_only(
    page: Page, committed_session_factory: SessionFactory
) -> None:
    course_id, email = timed_course(committed_session_factory, minutes=10)
    browser_log_in(page, email, PASSWORD)
    page.clock.install()  # the page's clock, from now on, moves only when the test says
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("button", name="Take the quiz").click()

    polite = page.locator('[aria-live="polite"][data-announce]')
    assertive = page.locator('[aria-live="assertive"]')
    timer = page.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"Time left: (10:00|9:5\d)"))
    # The ticking countdown itself is not a live region; the announcers start empty.
    assert timer.get_attribute("aria-live") == "off"
    expect(polite).to_have_text("")
    expect(assertive).to_have_text("")

    page.clock.fast_forward("03:00")
    expect(timer).to_have_text(re.compile(r"Time left: [67]:\d\d"))
    expect(polite).to_have_text("")  # no set point passed: nothing said
    page.clock.fast_forward("02:01")
    expect(polite).to_have_text("5 minutes left to submit your answers.")
    page.clock.fast_forward("04:00")
    expect(polite).to_have_text("1 minute left to submit your answers.")
    page.clock.fast_forward("00:30")
    expect(polite).to_have_text("30 seconds left to submit your answers.")
    expect(assertive).to_have_text("")
    page.clock.fast_forward("00:31")
    expect(assertive).to_have_text(
        "Time is up. Submit your answers now: answers sent later count as failed."
    )
    expect(timer).to_have_text("Time is up: submit now.")
    expect(polite).to_have_text("30 seconds left to submit your answers.")


def test_the_deadline_is_shown_in_the_learners_time_zone(
    browser: Browser, live_server: str, committed_session_factory: SessionFactory
) -> None:
    course_id, email = timed_course(committed_session_factory, minutes=10)
    context = browser.new_context(base_url=live_server, timezone_id="America/New_York")
    try:
        page = context.new_page()
        browser_log_in(page, email, PASSWORD)
        page.goto(f"/training/courses/{course_id}")
        page.get_by_role("button", name="Take the quiz").click()
        time = page.locator("#deadline time")
        deadline = datetime.fromisoformat(time.get_attribute("datetime") or "")
        local = deadline.astimezone(ZoneInfo("America/New_York"))
        expect(time).to_contain_text(local.strftime("%I:%M %p"))
        expect(time).to_contain_text("your time")
        utc = deadline.strftime("%Y-%m-%d %H:%M UTC")
        expect(page.locator("#deadline")).to_contain_text(f"({utc})")
    finally:
        context.close()


def test_answers_are_saved_as_the_learner_goes(
    browser: Browser, page: Page, live_server: str, committed_session_factory: SessionFactory
) -> None:
    course_id, email = timed_course(committed_session_factory, minutes=None)
    browser_log_in(page, email, PASSWORD)
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("button", name="Take the quiz").click()
    question(page, "Who may use the hotline?").get_by_label("Anyone").check()
    question(page, "Which are forms of retaliation?").get_by_label("Demotion").check()
    expect(page.get_by_text(re.compile(r"Answers saved at"))).to_be_visible()

    def shows_the_saved_answers(on: Page) -> None:
        expect(question(on, "Who may use the hotline?").get_by_label("Anyone")).to_be_checked()
        retaliation = question(on, "Which are forms of retaliation?")
        expect(retaliation.get_by_label("Demotion")).to_be_checked()
        expect(retaliation.get_by_label("A thank-you note")).not_to_be_checked()

    page.reload()
    shows_the_saved_answers(page)
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("link", name="Continue your attempt").click()
    shows_the_saved_answers(page)

    attempt_url = page.url
    phone = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 800})
    try:
        other = phone.new_page()
        browser_log_in(other, email, PASSWORD)
        other.goto(attempt_url)
        shows_the_saved_answers(other)
    finally:
        phone.close()
