"""In Chromium, under a pseudo-locale: what the quiz's and the certificate's scripts say
comes from the page, in its language (tests/i18n_probe.py marks every translated
message ⟦…⟧), never the English written in the scripts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_course, create_quiz, create_track, create_user, pass_quiz
from tests.i18n_probe import pseudo_locale
from tests.pages import PASSWORD, browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser


def test_the_timer_and_the_saving_speak_the_pages_language(
    page: Page, committed_session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(committed_session_factory) as session:
        course = create_course(session, track=create_track(session), title="Κεφάλαιο")
        create_quiz(session, course=course, timeLimitMinutes=10)
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        course_id, email = course.id, user.email
    browser_log_in(page, email, PASSWORD)
    pseudo_locale(monkeypatch)
    page.clock.install()
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("button", name="⟦Take the quiz⟧").click()

    timer = page.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"⟦Time left: (10:00|9:5\d)⟧"))
    expect(page.locator("#deadline time")).to_have_text(re.compile(r"^⟦.+, your time⟧$"))
    page.clock.fast_forward("05:01")
    polite = page.locator('[aria-live="polite"][data-announce]')
    expect(polite).to_have_text("⟦5 minutes left to submit your answers.⟧")
    page.clock.fast_forward("05:00")
    expect(page.locator('[aria-live="assertive"]')).to_have_text(
        "⟦Time is up. Submit your answers now: answers sent later count as failed.⟧"
    )
    expect(timer).to_have_text("⟦Time is up: submit now.⟧")


def test_saving_and_copying_speak_the_pages_language(
    page: Page, committed_session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(committed_session_factory) as session:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        quiz = create_quiz(session, course=create_course(session, track=create_track(session)))
        done = create_quiz(session, course=create_course(session, track=create_track(session)))
        pass_quiz(session, user=user, quiz=done)
        course_id, email = quiz.course_id, user.email
    browser_log_in(page, email, PASSWORD)
    pseudo_locale(monkeypatch)
    page.goto(f"/training/courses/{course_id}")
    page.get_by_role("button", name="⟦Take the quiz⟧").click()
    hotline = page.get_by_role("group", name=re.compile("Who may use the hotline"))
    hotline.get_by_label("Anyone").check()
    expect(page.get_by_text(re.compile(r"^⟦Answers saved at \d\d?:\d\d.*\.⟧$"))).to_be_visible()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/training")
    page.get_by_role("button", name="⟦Get your certificate⟧").click()
    page.wait_for_load_state("load")  # copy-link.js (deferred) is listening from here on
    page.bring_to_front()  # the Clipboard API wants a focused document
    page.get_by_role("button", name="⟦Copy link⟧").click()
    expect(page.get_by_text("⟦Link copied to the clipboard⟧")).to_be_attached()
    expect(page.get_by_role("button", name="⟦Copied⟧")).to_be_visible()
