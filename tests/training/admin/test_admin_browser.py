"""In Chromium: an admin authors and publishes a track that a customer then completes and is
certified for. (Revoking a certificate: test_revoking_browser.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.browser_fixtures import NewContext
from tests.factories import create_user
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

ADMIN = ("author.admin@example.test", "admin-pass-123")
LEARNER = ("learner@example.test", "learner-pass-123")


@pytest.fixture
def people(committed_session_factory: SessionFactory) -> None:
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=ADMIN[0], password=ADMIN[1], name="Ada")
        create_user(session, role=Role.CUSTOMER, email=LEARNER[0], password=LEARNER[1],
                    name="Lea Learner")  # fmt: skip


def fill_question(page: Page, number: int, text: str, kind: str, options: list[str]) -> None:
    page.get_by_label(f"Question text (question {number})", exact=True).fill(text)
    page.get_by_label(f"Question type (question {number})", exact=True).select_option(kind)
    for index, option in enumerate(options, start=1):
        page.get_by_label(f"Option {index} of question {number}", exact=True).fill(option)


def mark_correct(page: Page, number: int, option: int) -> None:
    page.get_by_label(f"Correct (option {option} of question {number})", exact=True).check()


@pytest.mark.usefixtures("people")
def test_admin_authors_publishes_and_a_customer_is_certified(
    page: Page, new_context: NewContext, screenshot_dir: Path
) -> None:
    browser_log_in(page, *ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="New track").click()
    page.get_by_label("Name").fill("Gifts and hospitality")
    page.get_by_label("Slug").fill("gifts-and-hospitality")
    page.get_by_label("Version").fill("1.0")
    page.get_by_label("Type").select_option("CUSTOMER")
    page.get_by_label("Level").select_option("FOUNDATION")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Gifts and hospitality")).to_be_visible()
    expect(page.get_by_text("draft").first).to_be_visible()

    page.get_by_role("link", name="Add course").click()
    page.get_by_label("Title").fill("Saying no politely")
    page.get_by_label("Content").fill("# Saying no\n\nDecline **every** gift over 50 EUR.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".content strong")).to_have_text("every")
    page.screenshot(path=screenshot_dir / "admin-course-preview.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Saying no politely")).to_be_visible()

    page.get_by_role("link", name="Edit quiz of Saying no politely").click()
    fill_question(page, 1, "A vendor sends a 200 EUR hamper. You…", "MULTIPLE_CHOICE",
                  ["Keep it", "Decline and report it"])  # fmt: skip
    mark_correct(page, 1, 2)
    page.get_by_role("button", name="Add question").click()
    # The second question: a true/false with three options and no answer ticked.
    fill_question(page, 2, "Cash gifts are fine under 20 EUR.", "TRUE_FALSE", ["True", "False"])
    page.get_by_role("button", name="Add option to question 2").click()
    page.get_by_label("Option 3 of question 2", exact=True).fill("Sometimes")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("2 problems to fix")
    expect(page.locator("#questions-1-options-error")).to_be_visible()
    expect(page.locator("#questions-1-correctOptionIds-error")).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-quiz-errors.png", full_page=True)
    page.get_by_role("button", name="Remove option 3 of question 2").click()
    mark_correct(page, 2, 2)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Quiz of “Saying no politely” saved")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("is published")
    page.screenshot(path=screenshot_dir / "admin-track.png", full_page=True)

    learner_context = new_context()
    learner = learner_context.new_page()
    browser_log_in(learner, *LEARNER)
    learner.goto("/training")
    learner.get_by_role("link", name="Saying no politely").click()
    learner.get_by_role("button", name="Take the quiz").click()
    learner.get_by_label("Decline and report it").check()
    learner.get_by_label("False").check()
    learner.get_by_role("button", name="Submit answers").click()
    expect(learner.get_by_text("100 % — Passed")).to_be_visible()
    learner.get_by_role("button", name="Get your certificate").first.click()
    expect(learner.get_by_text("Gifts and hospitality").first).to_be_visible()
    expect(learner.locator("td, .card").filter(has_text="CERT-").first).to_be_visible()
    learner_context.close()
