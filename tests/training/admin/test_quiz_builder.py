"""The quiz builder's server side: true/false prefilled, the focus after a row action
without script, and what the page gives its script (the browser tests drive both)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.models import Quiz, Role, User
from tests.factories import create_course, create_track, create_user
from tests.pages import PASSWORD, log_in, post_form
from tests.training.admin.test_admin_pages import quiz_form

MULTIPLE_CHOICE: dict[str, object] = {
    "text": "Who may report?",
    "type": "MULTIPLE_CHOICE",
    "options": [("Anyone", True), ("Only staff", False)],
}


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def url(session: Session, admin: User) -> str:
    return f"/admin/courses/{create_course(session, track=create_track(session)).id}/quiz"


def field(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<(?:input|textarea|button)[^>]*\bid="{element_id}"[^>]*>', html)
    if match is None:  # buttons carry no id: found by their action
        match = re.search(rf'<button[^>]*value="{element_id}"[^>]*>', html)
    assert match, f"no element {element_id}"
    return match.group(0)


def autofocused(html: str) -> list[str]:
    return re.findall(r"<(?:input|textarea|button)[^>]*\bautofocus[^>]*>", html)


class TestTrueFalseStartsFilledIn:
    def test_a_blank_true_false_question_comes_back_with_true_and_false(
        self, client: TestClient, url: str
    ) -> None:
        blank = {"text": "Reports are logged.", "type": "TRUE_FALSE", "options": [("", False)] * 3}
        page = post_form(
            client,
            url,
            from_page=url,
            data={**quiz_form([MULTIPLE_CHOICE, blank]), "action": "add-question"},
        ).text
        assert 'value="True"' in field(page, "questions-1-options-0-text")
        assert 'value="False"' in field(page, "questions-1-options-1-text")
        assert 'id="questions-1-options-2-text"' not in page  # two options, no more

    def test_what_the_author_typed_is_kept(self, client: TestClient, url: str) -> None:
        typed = {"text": "Q", "type": "TRUE_FALSE", "options": [("Yes", False), ("No", False)]}
        page = post_form(
            client, url, from_page=url, data={**quiz_form([typed]), "action": "add-question"}
        ).text
        assert 'value="Yes"' in field(page, "questions-0-options-0-text")
        assert 'value="No"' in field(page, "questions-0-options-1-text")

    def test_saving_blank_options_with_a_tick_saves_true_and_false(
        self, client: TestClient, session: Session, url: str
    ) -> None:
        blank = {
            "text": "Reports are logged.",
            "type": "TRUE_FALSE",
            "options": [("", True), ("", False)],
        }
        saved = post_form(client, url, from_page=url, data=quiz_form([blank]))
        assert saved.status_code == 303
        quiz = session.scalars(select(Quiz)).one()
        (question,) = quiz.questions
        assert [o["text"] for o in question["options"]] == ["True", "False"]
        assert question["correct_option_ids"] == [question["options"][0]["id"]]


class TestFocusAfterARowActionWithoutScript:
    @pytest.mark.parametrize(
        ("action", "focused"),
        [
            ("add-option-0", "questions-0-options-2-text"),
            ("add-question", "questions-2-question"),
            ("remove-option-1-1", "questions-1-options-0-text"),
            ("remove-option-0-0", "questions-0-options-0-text"),
            ("remove-question-1", "questions-0-question"),
        ],
    )
    def test_the_new_or_nearest_field_is_focused(
        self, client: TestClient, url: str, action: str, focused: str
    ) -> None:
        two = [MULTIPLE_CHOICE, MULTIPLE_CHOICE]
        page = post_form(client, url, from_page=url, data={**quiz_form(two), "action": action}).text
        assert autofocused(page) == [field(page, focused)]

    def test_with_no_row_left_the_add_button_is_focused(self, client: TestClient, url: str) -> None:
        one = {"text": "Q", "type": "MULTI_SELECT", "options": [("Only", True)]}
        page = post_form(
            client, url, from_page=url, data={**quiz_form([one]), "action": "remove-option-0-0"}
        ).text
        assert autofocused(page) == [field(page, "add-option-0")]
        page = post_form(
            client, url, from_page=url, data={**quiz_form([one]), "action": "remove-question-0"}
        ).text
        assert autofocused(page) == [field(page, "add-question")]

    def test_a_first_visit_focuses_nothing(self, client: TestClient, url: str) -> None:
        assert autofocused(client.get(url).text) == []


class TestWhatThePageGivesItsScript:
    def test_script_file_live_region_and_row_templates_outside_the_form(
        self, client: TestClient, url: str
    ) -> None:
        page = client.get(url).text
        assert '<script src="/static/quiz-builder.js" defer></script>' in page
        assert 'role="status" aria-live="polite" id="builder-status"' in page
        form_end = page.index("</form>")
        assert page.index('<template id="question-template">') > form_end
        assert page.index('<template id="option-template">') > form_end
        assert "<script>" not in page  # nothing inline: the CSP forbids it
        script = client.get("/static/quiz-builder.js")
        assert script.status_code == 200 and "data-quiz-builder" in script.text
