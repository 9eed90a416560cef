"""In Chromium speaking German (`de-DE`) and Arabic (`ar`): the learner's journey to a
certificate, a customer_admin's compliance report and a customer's scorecard, with no English
left on any page; and a learner who changes language mid-track keeps their progress.

The browser's language is its Accept-Language (checked on the first request); the users have
no language of their own, so that is what the pages speak. On each page `<html lang dir>` is
the language's, and none of the English of the shipped catalogue's translated messages is
left in what a reader sees (tests/english_left.py); a context speaking English shows the
check finds it. Buttons and links are found by their names in the page's language, worked
out from the same messages the templates use. axe-core checks every page
(tests/browser_fixtures.py), right to left included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from opsportal import i18n
from opsportal.config import Settings
from opsportal.db import SessionFactory
from tests.browser_fixtures import NewContext
from tests.english_left import catalogue_english, english_left, english_on, fragments_of
from tests.web.translated_world import (
    COLLEAGUE,
    LEARNER,
    MANAGER,
    ORGANIZATION,
    PASSWORD,
    add_peers,
    make_world,
    track_texts,
)

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

# The browser's locale, the language the pages speak, and its direction.
LANGUAGES = [
    pytest.param("de-DE", "de", "ltr", id="de"),
    pytest.param("ar", "ar", "rtl", id="ar"),
]


def say(locale: str, message: str, **variables: object) -> str:
    """`message` as the pages show it in `locale`."""
    with i18n.using_locale(locale):
        return i18n.gettext(message, **variables)


def say_n(locale: str, singular: str, plural: str, n: int, **variables: object) -> str:
    with i18n.using_locale(locale):
        return i18n.ngettext(singular, plural, n, **variables)


def pgettext_in(locale: str, context: str, message: str) -> str:
    with i18n.using_locale(locale):
        return i18n.pgettext(context, message)


class Reader:
    """Opens pages in one language and keeps what it finds wrong on each."""

    def __init__(self, page: Page, language: str, direction: str) -> None:
        self.page = page
        self.language = language
        self.direction = direction
        self.english: list[str] = []
        self.pages: list[str] = []

    def check(self) -> None:
        """This page speaks the language, in its direction, with no English left."""
        self.page.wait_for_load_state()
        html = self.page.locator("html")
        expect(html).to_have_attribute("lang", self.language)
        expect(html).to_have_attribute("dir", self.direction)
        path = self.page.url.split("//", 1)[1].split("/", 1)[1]
        self.pages.append("/" + path)
        self.english += [f"/{path}: {found}" for found in english_left(self.page, self.language)]

    def done(self) -> None:
        assert not self.english, (
            "English left on pages in " + self.language + ":\n  " + ("\n  ".join(self.english))
        )

    def say(self, message: str, **variables: object) -> str:
        return say(self.language, message, **variables)

    def button(self, message: str) -> Locator:
        return self.page.locator("main").get_by_role("button", name=self.say(message), exact=True)


def go(page: Page, target: Locator) -> None:
    """Click something that loads a new page, and wait until it has."""
    with page.expect_event("load"):
        target.click()


def open_in(new_context: NewContext, browser_locale: str) -> Page:
    """A page of a browser speaking `browser_locale`, which it sends as Accept-Language."""
    page = new_context(locale=browser_locale).new_page()
    with page.expect_request("**/login") as request:
        page.goto("/login")
    sent = request.value.all_headers().get("accept-language", "")
    assert sent.split(",")[0] == browser_locale, sent
    return page


def log_in(reader: Reader, email: str) -> None:
    """By the form's field names: its labels are in the page's language."""
    page = reader.page
    if "/login" not in page.url:
        page.goto("/login")
    reader.check()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    go(page, page.locator("main").get_by_role("button", name=reader.say("Log in"), exact=True))
    expect(page.locator("form[action='/login']")).to_have_count(0)


def follow(reader: Reader, message: str) -> None:
    """The main navigation's link named `message` in the page's language."""
    link = reader.page.get_by_role("navigation").get_by_role(
        "link", name=reader.say(message), exact=True
    )
    go(reader.page, link)


def take_quiz(reader: Reader, key: dict[str, list[str]]) -> None:
    """On a quiz page: tick the right options of every question asked, and submit."""
    page = reader.page
    fieldsets = page.locator("main form fieldset")
    expect(fieldsets.first).to_be_visible()
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        name = fieldset.locator("input").first.get_attribute("name") or ""
        for option in key[name.removeprefix("q-")]:
            fieldset.locator(f"input[value='{option}']").check()
    go(page, reader.button("Submit answers"))


@pytest.mark.parametrize(("browser_locale", "language", "direction"), LANGUAGES)
def test_the_learner_journey_in_the_learners_language(
    new_context: NewContext,
    committed_session_factory: SessionFactory,
    settings: Settings,
    live_server: str,
    screenshot_dir: Path,
    browser_locale: str,
    language: str,
    direction: str,
) -> None:
    # Every course but the last passed already: the journey passes the last, and is certified.
    world = make_world(
        committed_session_factory, settings, live_server, locale=language, passed_before=-1
    )
    last = len(world.quizzes) - 1
    reader = Reader(open_in(new_context, browser_locale), language, direction)
    page = reader.page
    log_in(reader, LEARNER)
    follow(reader, "Training")
    reader.check()
    track = page.locator("main section").filter(
        has=page.get_by_role("heading", name=world.track_name)
    )
    expect(track.locator(".badge", has_text=reader.say("Required"))).to_be_visible()
    go(page, track.get_by_role("link", name=world.course_titles[last], exact=True))
    reader.check()
    expect(page.get_by_role("heading", level=1).first).to_have_text(world.course_titles[last])
    go(page, reader.button("Take the quiz"))
    reader.check()
    take_quiz(reader, world.quizzes[last])
    reader.check()
    expect(page.locator("main .stat.correct")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        reader.say("You have completed every course of this track.")
    )
    page.screenshot(path=screenshot_dir / f"result-{language}.png", full_page=True)
    go(page, reader.button("Get your certificate"))
    expect(page).to_have_url(re.compile(r"/certificates#certificate-\d+$"))
    reader.check()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody tr")).to_contain_text("CERT-")
    page.screenshot(path=screenshot_dir / f"certificates-{language}.png", full_page=True)
    assert len(reader.pages) == 6, reader.pages
    reader.done()


@pytest.mark.parametrize(("browser_locale", "language", "direction"), LANGUAGES)
def test_the_compliance_report_in_the_managers_language(
    new_context: NewContext,
    committed_session_factory: SessionFactory,
    settings: Settings,
    live_server: str,
    screenshot_dir: Path,
    browser_locale: str,
    language: str,
    direction: str,
) -> None:
    world = make_world(
        committed_session_factory, settings, live_server, locale=language, passed_before=1
    )
    reader = Reader(open_in(new_context, browser_locale), language, direction)
    page = reader.page
    log_in(reader, MANAGER)
    follow(reader, "Compliance")
    expect(page).to_have_url(f"/training/compliance/organizations/{world.organization_id}")
    reader.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        reader.say("Training compliance: %(organization)s", organization=ORGANIZATION)
    )
    rows = page.locator("main table tbody tr")
    learner = rows.filter(has_text=LEARNER)
    colleague = rows.filter(has_text=COLLEAGUE)
    expect(learner).to_have_count(1)
    expect(colleague).to_have_count(1)
    page.screenshot(path=screenshot_dir / f"compliance-{language}.png", full_page=True)
    assert len(reader.pages) == 2, reader.pages
    reader.done()


@pytest.mark.parametrize(("browser_locale", "language", "direction"), LANGUAGES)
def test_the_scorecard_in_the_customers_language(
    new_context: NewContext,
    committed_session_factory: SessionFactory,
    settings: Settings,
    live_server: str,
    screenshot_dir: Path,
    browser_locale: str,
    language: str,
    direction: str,
) -> None:
    world = make_world(committed_session_factory, settings, live_server, locale=language)
    add_peers(committed_session_factory, settings, world.organization_id)
    reader = Reader(open_in(new_context, browser_locale), language, direction)
    page = reader.page
    log_in(reader, LEARNER)
    follow(reader, "Benchmarks")
    expect(page).to_have_url(f"/benchmarks/organizations/{world.organization_id}")
    reader.check()
    main = page.locator("main")
    for label in ("Attestation completion rate", "Case resolution time"):
        expect(main.get_by_role("heading", name=reader.say(label))).to_be_visible()
    page.screenshot(path=screenshot_dir / f"scorecard-{language}.png", full_page=True)
    reader.done()


def test_a_learner_switches_from_german_to_french_mid_track_and_keeps_their_progress(
    new_context: NewContext,
    committed_session_factory: SessionFactory,
    settings: Settings,
    live_server: str,
) -> None:
    world = make_world(committed_session_factory, settings, live_server, locale="de")
    total = len(world.quizzes)
    assert total > 1
    reader = Reader(open_in(new_context, "de-DE"), "de", "ltr")
    page = reader.page
    log_in(reader, LEARNER)
    follow(reader, "Training")
    progress = page.locator(f"#progress-{world.track_id}")
    expect(progress).to_have_text(
        say_n(
            "de",
            "%(passed)d of %(num)d course passed",
            "%(passed)d of %(num)d courses passed",
            total,
            passed=0,
        )
    )
    go(page, page.get_by_role("link", name=world.course_titles[0], exact=True))
    go(page, reader.button("Take the quiz"))
    take_quiz(reader, world.quizzes[0])
    expect(page.locator("main .stat.correct")).to_be_visible()
    reader.check()

    # The page's own switcher, as the learner would use it.
    page.locator("#language-choice").select_option("fr")
    switch = page.locator("form.language").get_by_role(
        "button", name=reader.say("Change language"), exact=True
    )
    go(page, switch)
    french = Reader(page, "fr", "ltr")
    french.check()
    follow(french, "Training")
    french.check()
    name, titles = track_texts(committed_session_factory, world.track_id, "fr")
    assert name != world.track_name
    track = page.locator("main section").filter(has=page.get_by_role("heading", name=name))
    expect(track.locator(f"#progress-{world.track_id}")).to_have_text(
        say_n(
            "fr",
            "%(passed)d of %(num)d course passed",
            "%(passed)d of %(num)d courses passed",
            total,
            passed=1,
        )
    )
    passed = pgettext_in("fr", "quiz result", "Passed")
    courses = track.locator("ol li")
    expect(courses).to_have_count(total)
    expect(courses.nth(0)).to_have_text(f"{titles[0]} {passed}")
    for i in range(1, total):
        expect(courses.nth(i)).to_have_text(titles[i])
    reader.done()
    french.done()


def test_the_check_finds_english_on_a_page(
    new_context: NewContext,
    committed_session_factory: SessionFactory,
    settings: Settings,
    live_server: str,
) -> None:
    """The detector itself, on real pages: English pages are full of what it looks for, and one
    English label put on a German page is found."""
    world = make_world(committed_session_factory, settings, live_server, locale="de")
    add_peers(committed_session_factory, settings, world.organization_id)
    english = Reader(open_in(new_context, "en-US"), "en", "ltr")
    log_in(english, LEARNER)
    for path in ("/training", f"/benchmarks/organizations/{world.organization_id}"):
        english.page.goto(path)
        for language in ("de", "ar"):
            found = english_left(english.page, language)
            for expected in ("Skip to content", "Download my data", "Change language"):
                assert any(f.startswith(repr(expected)) for f in found), (path, language, found)

    german = Reader(open_in(new_context, "de-DE"), "de", "ltr")
    log_in(german, LEARNER)
    german.page.goto("/training")
    assert english_left(german.page, "de") == []
    german.page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<p><button type=\\'button\\'>Submit answers</button></p>')"
    )
    assert [f.split(" in ")[0] for f in english_left(german.page, "de")] == ["'Submit answers'"]


def test_the_catalogue_fragments() -> None:
    """What the detector looks for: a message cut at its placeholders and markup, pieces a
    reader would recognise as English (12 characters, or two words), found as whole words."""
    assert fragments_of("Next course: %(title)s") == ["Next course"]
    assert fragments_of("%(passed)d of %(num)d courses passed") == ["courses passed"]
    assert fragments_of('Open the course<span class="x">: %(title)s</span>') == ["Open the course"]
    assert fragments_of("%(score)s %% — Passed") == []  # one short word: not recognisable
    assert fragments_of("Certificates") == ["Certificates"]
    german = catalogue_english("de")
    assert "Submit answers" in german.fragments
    assert english_on(["Antworten absenden"], german) == []
    assert english_on(["Lee Learner · 80 %"], german) == []  # data
    assert english_on(["Bitte submit answers jetzt"], german) != []  # case aside
    assert english_on(["Resubmit answersheet"], german) == []  # whole words only
    # A name the German keeps in English is read past where the translation shows it, and
    # found where it stands alone.
    assert english_on(["Signierter Nachweis (Open Badges 3.0)"], german) == []
