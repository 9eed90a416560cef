"""In Chromium, with the keyboard alone (Tab, arrows, Space, Enter; no click): a learner logs
in, opens Training, a track's course, starts its timed quiz, answers every question,
submits, sees the result and, the track done, reaches their certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.training.assessment import extra_time
from opsportal.training.assessment.schemas import ExtraTimeBody
from tests.factories import create_course, create_quiz, create_track, create_user
from tests.pages import PASSWORD

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

# Each question's correct options, by their labels, as the page lists them.
CORRECT = {
    "Who may use the hotline?": ["Anyone"],
    "Reports can be anonymous.": ["True"],
    "Which are forms of retaliation?": ["Demotion", "Exclusion from meetings"],
    "A gift worth 500 EUR from a vendor should be…": ["Declared"],
    "Personal data may be emailed to a private address.": ["False"],
}
MOST_TABS = 80


def focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, as a keyboard user does."""
    expect(target).to_be_visible()
    for _ in range(MOST_TABS):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def answer(page: Page, text: str, wanted: list[str]) -> None:
    group = page.get_by_role("group", name=re.compile(re.escape(text)))
    radios = group.get_by_role("radio")
    if radios.count():
        # One Tab stop per radio group: Tab lands on the first option; arrows move and choose.
        labels = [
            radios.nth(i).evaluate("r => r.labels[0].textContent.trim()")
            for i in range(radios.count())
        ]
        tab_to(page, radios.first)
        index = labels.index(wanted[0])
        if index == 0:
            page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
    else:
        for label in wanted:
            box = group.get_by_role("checkbox", name=label, exact=True)
            tab_to(page, box)
            page.keyboard.press("Space")
    for label in wanted:
        expect(group.get_by_label(label, exact=True)).to_be_checked()


def test_a_learner_takes_a_track_with_the_keyboard_alone(
    page: Page, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        track = create_track(session, name="Speak-up essentials")
        course = create_course(session, track=track, title="Why speaking up matters")
        create_quiz(session, course=course, timeLimitMinutes=20)
        learner, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        admin, _ = create_user(session, role=Role.ADMIN)
        extra_time.grant_extra_time(
            session,
            principal=Principal.of(admin),
            user_id=learner.id,
            body=ExtraTimeBody(extra_minutes=15),
        )
        email = learner.email

    page.goto("/login")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Training"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Speak-up essentials")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Why speaking up matters"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Why speaking up matters", level=1)).to_be_visible()
    expect(page.get_by_text("You have 15 extra minutes")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Take the quiz"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("You have 15 extra minutes")).to_be_visible()
    for text, wanted in CORRECT.items():
        answer(page, text, wanted)
    tab_to(page, page.get_by_role("button", name="Submit answers"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("100 % — Passed")).to_be_visible()
    expect(page.get_by_text("You have completed every course of this track.")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Get your certificate"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/certificates#certificate-\d+$"))
    expect(
        page.get_by_role("heading", name=re.compile("Certificate issued: Speak-up essentials"))
    ).to_be_visible()
    tab_to(page, page.get_by_role("link", name=re.compile(r"^Download PDF")).first)
