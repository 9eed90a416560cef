"""In Chromium: the quiz builder with the keyboard alone, and with script turned off.

With script, "Add option", "Add question" and "Remove" work in place: the new field has the
focus (never <body>) and the live region says what happened. Without script, the same
buttons post the form back and the page returns with the new field focused. Either way a
true/false question starts with "True" and "False" filled in.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Quiz, Role
from tests.factories import create_course, create_track, create_user
from tests.pages import PASSWORD

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "builder.admin@example.test"

# The focused element's accessible name, near enough: its label, else its own text.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].textContent : null;
  const name = label || el.getAttribute('aria-label') || el.textContent || '';
  return name.replace(/\\s+/g, ' ').trim();
}"""


@pytest.fixture
def course_id(committed_session_factory: SessionFactory) -> int:
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=ADMIN_EMAIL, password=PASSWORD, name="Ada")
        track = create_track(session, name="Speak up", is_active=False)
        return create_course(session, track=track, title="Raising a concern").id


def focused_name(page: Page) -> str:
    name = page.evaluate(FOCUSED_NAME)
    assert name is not None, "focus was lost to <body>"
    return str(name)


def tab_to(page: Page, name: str, *, backwards: bool = False, most: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the element named `name` has the focus."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused_name(page) == name:
            return
    raise AssertionError(f"{name!r} never got the focus")


def saved_quiz(factory: SessionFactory, course_id: int) -> list[dict[str, Any]]:
    with session_scope(factory) as session:
        quiz = session.scalars(select(Quiz).where(Quiz.course_id == course_id)).one()
        return [
            {
                "question": q["question"],
                "type": q["type"],
                "options": [o["text"] for o in q["options"]],
                "correct": [o["text"] for o in q["options"] if o["id"] in q["correct_option_ids"]],
            }
            for q in quiz.questions
        ]


def keyboard_log_in(page: Page) -> None:
    page.goto("/login")
    assert focused_name(page) == "Email"  # the login page's autofocus
    page.keyboard.type(ADMIN_EMAIL)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def test_an_admin_builds_a_quiz_with_the_keyboard_alone(
    page: Page, committed_session_factory: SessionFactory, course_id: int
) -> None:
    keyboard_log_in(page)
    page.goto(f"/admin/courses/{course_id}/quiz")
    expect(page.get_by_role("heading", name="Quiz: Raising a concern")).to_be_visible()
    status = page.locator("#builder-status")

    # Question 1: multiple choice with three options, the second one correct.
    tab_to(page, "Question text (question 1)")
    page.keyboard.type("Who may use the hotline?")
    tab_to(page, "Option 1 of question 1")
    page.keyboard.type("Only HR")
    tab_to(page, "Option 2 of question 1")
    page.keyboard.type("Anyone")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Correct (option 2 of question 1)"
    page.keyboard.press("Space")
    tab_to(page, "Add option to question 1")
    page.keyboard.press("Enter")
    assert focused_name(page) == "Option 3 of question 1"
    expect(status).to_have_text("Option 3 added to question 1.")
    page.keyboard.type("Only managers")
    # One option too many, removed again: focus goes back to the options, not to <body>.
    tab_to(page, "Add option to question 1")
    page.keyboard.press("Space")
    assert focused_name(page) == "Option 4 of question 1"
    page.keyboard.type("A typo")
    tab_to(page, "Remove option 4 of question 1")
    page.keyboard.press("Enter")
    assert focused_name(page) == "Option 3 of question 1"
    expect(status).to_have_text("Option 4 removed from question 1.")
    assert page.url.endswith(f"/admin/courses/{course_id}/quiz")  # no reload

    # Question 2: true/false, "False" correct.
    tab_to(page, "Add question")
    page.keyboard.press("Enter")
    assert focused_name(page) == "Question text (question 2)"
    expect(status).to_have_text("Question 2 added.")
    page.keyboard.type("Reports must give a name.")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Question type (question 2)"
    page.keyboard.press("ArrowDown")  # Multiple choice -> True / false
    expect(page.get_by_label("Question type (question 2)", exact=True)).to_have_value("TRUE_FALSE")
    expect(page.get_by_label("Option 1 of question 2", exact=True)).to_have_value("True")
    expect(page.get_by_label("Option 2 of question 2", exact=True)).to_have_value("False")
    expect(status).to_have_text("Question 2: options set to True and False.")
    tab_to(page, "Correct (option 2 of question 2)")
    page.keyboard.press("Space")
    # Back up with Shift+Tab and check the first answer is still ticked.
    tab_to(page, "Correct (option 2 of question 1)", backwards=True)
    expect(page.get_by_label("Correct (option 2 of question 1)", exact=True)).to_be_checked()

    tab_to(page, "Save")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Quiz of “Raising a concern” saved")

    assert saved_quiz(committed_session_factory, course_id) == [
        {
            "question": "Who may use the hotline?",
            "type": "MULTIPLE_CHOICE",
            "options": ["Only HR", "Anyone", "Only managers"],
            "correct": ["Anyone"],
        },
        {
            "question": "Reports must give a name.",
            "type": "TRUE_FALSE",
            "options": ["True", "False"],
            "correct": ["False"],
        },
    ]


def test_without_script_the_builder_still_builds_a_quiz(
    browser: Browser, live_server: str, committed_session_factory: SessionFactory, course_id: int
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/admin/courses/{course_id}/quiz")

        page.get_by_label("Question text (question 1)", exact=True).fill("Who may report?")
        page.get_by_label("Option 1 of question 1", exact=True).fill("Anyone")
        page.get_by_label("Option 2 of question 1", exact=True).fill("Only staff")
        page.get_by_label("Correct (option 1 of question 1)", exact=True).check()
        page.get_by_role("button", name="Add option to question 1").click()
        # The server added the row and gave the new field the focus.
        third = page.get_by_label("Option 3 of question 1", exact=True)
        expect(third).to_be_focused()
        expect(page.get_by_label("Option 1 of question 1", exact=True)).to_have_value("Anyone")
        third.fill("Only managers")

        page.get_by_role("button", name="Add question").click()
        expect(page.get_by_label("Question text (question 2)", exact=True)).to_be_focused()
        page.get_by_label("Question text (question 2)", exact=True).fill("Reports are logged.")
        page.get_by_label("Question type (question 2)", exact=True).select_option("TRUE_FALSE")
        # Options left blank: the server fills in True and False when the form comes back.
        page.get_by_label("Correct (option 1 of question 2)", exact=True).check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Quiz of “Raising a concern” saved")
    finally:
        context.close()

    assert saved_quiz(committed_session_factory, course_id) == [
        {
            "question": "Who may report?",
            "type": "MULTIPLE_CHOICE",
            "options": ["Anyone", "Only staff", "Only managers"],
            "correct": ["Anyone"],
        },
        {
            "question": "Reports are logged.",
            "type": "TRUE_FALSE",
            "options": ["True", "False"],
            "correct": ["True"],
        },
    ]
