"""In Chromium, with the keyboard: an admin brings an outdated German translation up to date;
a learner whose browser speaks German takes the track in German, one whose browser speaks
Spanish gets it in English with a notice. axe-core checks every page on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.i18n import _, using_locale
from opsportal.models import Role, Track
from opsportal.training.translations.notice import language_name
from tests.browser_fixtures import NewContext
from tests.factories import (
    create_course,
    create_quiz,
    create_track,
    create_user,
    translate_track,
    translated,
)
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

ADMIN = ("translator@example.test", "admin-pass-123")
LEARNER = ("lernende@example.test", "learner-pass-123")


@pytest.fixture
def ids(committed_session_factory: SessionFactory, settings: Settings) -> dict[str, int]:
    """A one-course track in German (its name since changed in English) and part Spanish."""
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=ADMIN[0], password=ADMIN[1])
        create_user(session, role=Role.CUSTOMER, email=LEARNER[0], password=LEARNER[1])
        track = create_track(session, settings=settings, name="Code of conduct")
        course = create_course(session, track=track, title="Speaking up")
        quiz = create_quiz(session, course=course)
        translate_track(session, track=track, locale="de")
        translate_track(session, track=track, locale="es", only=lambda f: f.key == "name")
        return {"track": track.id, "course": course.id, "quiz": quiz.id}


def rename(factory: SessionFactory, track_id: int, name: str) -> None:
    with session_scope(factory) as session:
        track = session.get(Track, track_id)
        assert track is not None
        track.name = name


def test_an_admin_brings_an_outdated_translation_up_to_date_with_the_keyboard(
    page: Page,
    committed_session_factory: SessionFactory,
    ids: dict[str, int],
    screenshot_dir: Path,
) -> None:
    rename(committed_session_factory, ids["track"], "Code of conduct 2027")
    browser_log_in(page, *ADMIN)
    page.goto(f"/admin/tracks/{ids['track']}")
    translations = page.locator("section", has=page.locator("#translations-heading"))
    expect(translations.locator("#translation-de")).to_contain_text("Outdated")
    expect(translations.locator("#translation-es")).to_contain_text("Outdated")
    expect(translations.locator("#translation-fr")).to_contain_text("never")
    german = translations.get_by_role("link", name="German")
    german.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Translation into German")
    outdated = page.locator("#field-1")
    expect(outdated).to_have_class("grid caution")
    expect(outdated).to_contain_text("the English text has changed since this was translated.")
    expect(outdated).to_contain_text("Code of conduct 2027")  # the source beside the field
    page.screenshot(path=screenshot_dir / "admin-translation-outdated.png", full_page=True)

    name = page.get_by_label("Name in German")
    expect(name).to_have_attribute("lang", "de")
    name.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("[de] Verhaltenskodex 2027")
    page.keyboard.press("Tab")  # the next stop is the field's "still right" box
    expect(page.get_by_label("Still right for the changed English text")).to_be_focused()
    page.get_by_role("button", name="Save translation").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("It is complete")
    expect(page.locator(".caution")).to_have_count(0)
    page.goto(f"/admin/tracks/{ids['track']}")
    expect(page.locator("#translation-de")).to_contain_text("Complete")


def test_a_right_to_left_translation_page(new_context: NewContext, ids: dict[str, int]) -> None:
    page = new_context(locale="ar").new_page()
    browser_log_in(page, *ADMIN)
    page.goto(f"/admin/tracks/{ids['track']}/translations/ar")
    field = page.locator("#t-1")
    expect(field).to_have_attribute("dir", "rtl")
    expect(field).to_have_attribute("lang", "ar")
    field.fill("مدونة السلوك")
    with using_locale("ar"):  # the admin's browser asks for Arabic: the page speaks it
        save = _("Save translation")
        missing = _(
            "Translation saved. Some fields are missing: learners in %(language)s still get "
            "the track in %(source)s.",
            language=language_name("ar"),
            source=language_name("en"),
        )
    page.get_by_role("button", name=save).press("Enter")
    expect(page.get_by_role("status")).to_have_text(missing)


def test_a_learner_takes_the_track_in_german_and_another_is_told_it_is_english(
    new_context: NewContext, ids: dict[str, int]
) -> None:
    page = new_context(locale="de-DE").new_page()
    browser_log_in(page, *LEARNER)
    page.goto("/training")
    expect(page.get_by_role("heading", name=translated("de", "Code of conduct"))).to_be_visible()
    expect(page.locator("[data-language-notice]")).to_have_count(0)
    page.get_by_role("link", name=translated("de", "Speaking up")).click()
    # The start button, whatever the interface's German calls it.
    page.locator(f"form[action='/training/quizzes/{ids['quiz']}/start'] button").click()
    question = page.get_by_role("group", name=translated("de", "Who may use the hotline?"))
    option = question.get_by_label(translated("de", "Anyone"))
    option.focus()
    page.keyboard.press("Space")
    expect(option).to_be_checked()

    spanish = new_context(locale="es-ES").new_page()
    browser_log_in(spanish, *LEARNER)
    spanish.goto(f"/training/courses/{ids['course']}")
    notice = spanish.locator("[data-language-notice]")
    expect(notice).to_contain_text(language_name("es", in_locale="es"))
    expect(notice).to_contain_text(language_name("en", in_locale="es"))
    expect(spanish.get_by_role("heading", level=1).first).to_have_text("Speaking up")
