"""A course without a quiz: nobody completes its track, and a draft with one is not published.

The same rule in the API (a PATCH of `isActive`), the admin pages (Publish), the learner's
progress, the certificate (API and page) and the admin's own words about the track.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.models import Certificate, Role, Track
from tests.factories import (
    bearer,
    create_course,
    create_quiz,
    create_track,
    create_track_with_quizzes,
    create_user,
)
from tests.factories.training import correct_answers, quiz_questions_camel
from tests.pages import PASSWORD, log_in, post_form


def certificates_of(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id)
        )
        or 0
    )


def pass_over_api(client: TestClient, token: str, quiz: Any) -> dict[str, Any]:
    started = client.post(f"/api/v1/training/quizzes/{quiz.id}/start", headers=bearer(token))
    assert started.status_code == 201
    answers = correct_answers(quiz_questions_camel(quiz))
    submitted = client.post(
        f"/api/v1/training/attempts/{started.json()['attemptId']}/submit",
        json={"answers": answers},
        headers=bearer(token),
    )
    assert submitted.status_code == 200 and submitted.json()["passed"] is True
    result: dict[str, Any] = submitted.json()
    return result


class TestLearnerCannotCompleteATrackWithAQuizlessCourse:
    def test_no_completion_and_no_certificate_until_the_quiz_is_added_and_passed(
        self, client: TestClient, session: Session
    ) -> None:
        track, (quiz,) = create_track_with_quizzes(session, courses=1, name="Gifts")
        reading = create_course(session, track=track, title="Read the gifts policy")
        learner, token = create_user(session, role=Role.CUSTOMER)

        assert pass_over_api(client, token, quiz)["trackCompleted"] is False
        overview = client.get(f"/api/v1/training/tracks/{track.id}", headers=bearer(token)).json()
        assert overview["isCompleted"] is False
        assert overview["userProgress"] == {
            "coursesPassed": 1,
            "totalCourses": 2,
            "percentage": 50,
        }
        refused = client.post(
            f"/api/v1/training/tracks/{track.id}/certificate", headers=bearer(token)
        )
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert certificates_of(session, learner.id) == 0

        # Once the course has its quiz and it is passed, the track is complete.
        second = create_quiz(session, course=reading)
        assert pass_over_api(client, token, second)["trackCompleted"] is True
        issued = client.post(
            f"/api/v1/training/tracks/{track.id}/certificate", headers=bearer(token)
        )
        assert issued.status_code == 201
        assert certificates_of(session, learner.id) == 1

    def test_the_certificate_button_of_the_pages_is_refused_too(
        self, client: TestClient, session: Session
    ) -> None:
        track, (quiz,) = create_track_with_quizzes(session, courses=1)
        reading = create_course(session, track=track, title="Read the policy")
        learner, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        pass_over_api(client, token, quiz)
        assert log_in(client, learner.email).status_code == 303

        course_page = client.get(f"/training/courses/{reading.id}")
        assert "no quiz yet, so the track cannot be completed" in course_page.text
        assert "Get your certificate" not in client.get("/training").text
        claimed = post_form(
            client,
            f"/training/tracks/{track.id}/certificate",
            from_page=f"/training/courses/{quiz.course_id}",
        )
        assert claimed.status_code == 409
        assert certificates_of(session, learner.id) == 0

    def test_a_hidden_course_without_a_quiz_does_not_count(
        self, client: TestClient, session: Session
    ) -> None:
        track, (quiz,) = create_track_with_quizzes(session, courses=1)
        create_course(session, track=track, title="Draft notes", is_active=False)
        _, token = create_user(session, role=Role.CUSTOMER)
        assert pass_over_api(client, token, quiz)["trackCompleted"] is True
        issued = client.post(
            f"/api/v1/training/tracks/{track.id}/certificate", headers=bearer(token)
        )
        assert issued.status_code == 201


class TestPublishingOverTheApi:
    def test_a_draft_with_a_quizless_course_is_refused_naming_it(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        track = create_track(session, is_active=False)
        with_quiz = create_course(session, track=track, title="Saying no")
        create_quiz(session, course=with_quiz)
        missing = create_course(session, track=track, title="Hospitality")
        path = f"/api/v1/training/tracks/{track.id}"

        refused = client.patch(path, json={"isActive": True}, headers=admin_headers)
        assert refused.status_code == 409
        problem = refused.json()
        assert problem["status"] == 409
        assert problem["courseIds"] == [missing.id]
        assert "“Hospitality”" in problem["detail"] and "Saying no" not in problem["detail"]
        session.refresh(track)
        assert track.is_active is False

        create_quiz(session, course=missing)
        published = client.patch(path, json={"isActive": True}, headers=admin_headers)
        assert published.status_code == 200 and published.json()["isActive"] is True

    def test_a_draft_without_courses_is_refused(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        track = create_track(session, is_active=False)
        refused = client.patch(
            f"/api/v1/training/tracks/{track.id}", json={"isActive": True}, headers=admin_headers
        )
        assert refused.status_code == 409
        assert refused.json()["courseIds"] == []

    def test_a_track_created_over_the_api_is_still_active_by_default(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        created = client.post(
            "/api/v1/training/tracks",
            json={"name": "Speak up", "type": "CUSTOMER", "level": "FOUNDATION", "version": "1.0"},
            headers=admin_headers,
        )
        assert created.status_code == 201 and created.json()["isActive"] is True
        # Other changes to a published track are not held up by its unfinished courses.
        track_id = created.json()["id"]
        course = client.post(
            f"/api/v1/training/tracks/{track_id}/courses",
            json={"title": "Why", "content": "# Why"},
            headers=admin_headers,
        )
        assert course.status_code == 201
        renamed = client.patch(
            f"/api/v1/training/tracks/{track_id}",
            json={"name": "Speak up!", "isActive": True},
            headers=admin_headers,
        )
        assert renamed.status_code == 200 and renamed.json()["name"] == "Speak up!"


class TestPublishingInThePages:
    def test_publish_is_refused_naming_the_courses_without_a_quiz(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        track = create_track(session, is_active=False, name="Hospitality basics")
        create_quiz(session, course=create_course(session, track=track, title="Gifts"))
        create_course(session, track=track, title="Dinners")
        create_course(session, track=track, title="Travel")
        page = f"/admin/tracks/{track.id}"

        before = client.get(page).text
        assert "Before publishing, add a quiz to every course" in before
        refused = post_form(client, f"{page}/publish", from_page=page)
        assert refused.status_code == 409
        assert "“Dinners”, “Travel” have none" in refused.text
        session.refresh(track)
        assert track.is_active is False
        assert session.get(Track, track.id) is not None

    def test_a_published_track_with_a_new_quizless_course_is_flagged(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        track, _ = create_track_with_quizzes(session, courses=1)
        create_course(session, track=track, title="Added later")
        text = client.get(f"/admin/tracks/{track.id}").text
        assert "Learners cannot complete this track until every course has a quiz." in text
        assert "Added later" in text
