"""The quiz page keeps a learner's answers: saved as they go (the page's script posts the
form), kept when an incomplete quiz is submitted, and ticked again on "Continue your
attempt" or a reload, from any device."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Quiz, Role, User
from opsportal.principal import Principal
from opsportal.training.assessment import extra_time
from opsportal.training.assessment.schemas import ExtraTimeBody
from tests.factories import create_course, create_quiz, create_track, create_user
from tests.pages import PASSWORD, log_in, post_form


@pytest.fixture
def learner(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def quiz(session: Session) -> Quiz:
    return create_quiz(session, course=create_course(session, track=create_track(session)))


def start(client: TestClient, quiz: Quiz) -> str:
    response = post_form(
        client,
        f"/training/quizzes/{quiz.id}/start",
        from_page=f"/training/courses/{quiz.course_id}",
    )
    assert response.status_code == 303
    location: str = response.headers["location"]
    return location


def ticked(html: str) -> set[str]:
    """The options the page shows ticked, as "q-QUESTION=OPTION"."""
    found = re.findall(r'name="(q-[^"]+)" value="([^"]+)" checked', html)
    return {f"{name}={value}" for name, value in found}


def continue_link(client: TestClient, quiz: Quiz) -> str:
    course = client.get(f"/training/courses/{quiz.course_id}").text
    match = re.search(r'<a class="button" href="([^"]+)">Continue your attempt</a>', course)
    assert match, "no Continue your attempt link"
    return match.group(1)


class TestSavedAsYouGo:
    def test_saved_answers_are_ticked_on_continue(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz
    ) -> None:
        attempt = start(client, quiz)
        saved = post_form(
            client,
            f"{attempt}/draft",
            from_page=attempt,
            data={"q-q1": "c", "q-q3": ["a", "b"]},
        )
        assert saved.status_code == 200
        assert saved.json()["savedAt"]
        assert continue_link(client, quiz) == attempt
        assert ticked(client.get(attempt).text) == {"q-q1=c", "q-q3=a", "q-q3=b"}

    def test_another_device_finds_them(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz, app: object
    ) -> None:
        attempt = start(client, quiz)
        post_form(client, f"{attempt}/draft", from_page=attempt, data={"q-q2": "f"})
        with TestClient(app) as phone:  # type: ignore[arg-type]
            assert log_in(phone, learner.email).status_code == 303
            assert ticked(phone.get(attempt).text) == {"q-q2=f"}

    def test_an_option_the_question_does_not_have_is_refused(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz
    ) -> None:
        attempt = start(client, quiz)
        post_form(client, f"{attempt}/draft", from_page=attempt, data={"q-q1": "a"})
        refused = post_form(client, f"{attempt}/draft", from_page=attempt, data={"q-q1": "zz"})
        assert refused.status_code == 422
        assert ticked(client.get(attempt).text) == {"q-q1=a"}

    def test_without_the_csrf_token_nothing_is_saved(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz
    ) -> None:
        attempt = start(client, quiz)
        refused = client.post(f"{attempt}/draft", data={"q-q1": "a"})
        assert refused.status_code == 403
        assert ticked(client.get(attempt).text) == set()

    def test_refused_after_submission(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz
    ) -> None:
        attempt = start(client, quiz)
        submitted = post_form(
            client, f"{attempt}/submit", from_page=attempt, data={"q-q1": "b", "confirm": "1"}
        )
        assert submitted.status_code == 303
        late = post_form(
            client, f"{attempt}/draft", from_page=f"/training/courses/{quiz.course_id}",
            data={"q-q1": "a"},
        )  # fmt: skip
        assert late.status_code == 409


class TestWithoutScript:
    def test_an_incomplete_submit_keeps_the_answers_for_continue(
        self, client: TestClient, session: Session, learner: User, quiz: Quiz
    ) -> None:
        attempt = start(client, quiz)
        asked = post_form(
            client, f"{attempt}/submit", from_page=attempt, data={"q-q1": "b", "q-q2": "t"}
        )
        assert asked.status_code == 200
        assert "2 of 5 answered — submit anyway?" in asked.text
        # The learner leaves, and comes back through the course page.
        assert ticked(client.get(continue_link(client, quiz)).text) == {"q-q1=b", "q-q2=t"}


class TestExtraTimeIsShown:
    def test_on_the_course_and_the_quiz(
        self, client: TestClient, session: Session, learner: User
    ) -> None:
        quiz = create_quiz(
            session, course=create_course(session, track=create_track(session)), timeLimitMinutes=20
        )
        admin, _ = create_user(session, role=Role.ADMIN)
        extra_time.grant_extra_time(
            session,
            principal=Principal.of(admin),
            user_id=learner.id,
            body=ExtraTimeBody(extra_minutes=15),
        )
        course = client.get(f"/training/courses/{quiz.course_id}").text
        assert "Time limit: 20 minutes" in course
        assert "You have 15 extra minutes</strong> (35 in all)" in course
        page = client.get(start(client, quiz)).text
        assert "You have 15 extra minutes</strong>, included in this time." in page
