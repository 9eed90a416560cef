"""The admin pages over HTTP: who may open them, CSRF, and authoring with every error shown."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import AuditEntry, Certificate, Course, Quiz, Role, Track, User
from tests.factories import (
    certify,
    create_course,
    create_customer,
    create_quiz,
    create_track,
    create_track_with_quizzes,
    create_user,
    pass_quiz,
)
from tests.pages import PASSWORD, csrf_from, log_in, post_form


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD, name="Ada Admin")
    assert log_in(client, user.email).status_code == 303
    return user


def audit_actions(session: Session, target_type: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == target_type)
            .order_by(AuditEntry.id)
        )
    )


def new_track_form(**overrides: str) -> dict[str, str]:
    return {
        "name": "Anti-bribery basics",
        "slug": "",
        "version": "1.0",
        "type": "CUSTOMER",
        "level": "FOUNDATION",
        "description": "Gifts, hospitality and facilitation payments.",
        "estimatedMinutes": "30",
        "validityDays": "",
        **overrides,
    }


def quiz_form(questions: list[dict[str, object]], **extra: str) -> dict[str, str | list[str]]:
    """The builder's fields for these questions: {text, type, options: [(text, correct)]}."""
    data: dict[str, str | list[str]] = {
        "title": "",
        "passThreshold": "80",
        "questionCount": str(len(questions)),
        "action": "save",
        **extra,
    }
    for i, question in enumerate(questions):
        at = f"questions.{i}"
        options = question["options"]
        assert isinstance(options, list)
        data |= {
            f"{at}.id": f"q{i + 1}",
            f"{at}.question": str(question["text"]),
            f"{at}.type": str(question["type"]),
            f"{at}.explanation": "",
            f"{at}.optionCount": str(len(options)),
        }
        for j, (text, correct) in enumerate(options):
            data[f"{at}.options.{j}.id"] = "abcdefgh"[j]
            data[f"{at}.options.{j}.text"] = text
            if correct:
                data[f"{at}.options.{j}.correct"] = "on"
    return data


GOOD_QUESTIONS: list[dict[str, object]] = [
    {
        "text": "A supplier offers a weekend trip. You…",
        "type": "MULTIPLE_CHOICE",
        "options": [("Accept it", False), ("Decline and report it", True)],
    },
    {
        "text": "Small facilitation payments are allowed.",
        "type": "TRUE_FALSE",
        "options": [("True", False), ("False", True)],
    },
]


class TestWhoMayOpen:
    PAGES = [
        "/admin",
        "/admin/tracks/new",
        "/admin/tracks/{track}",
        "/admin/tracks/{track}/edit",
        "/admin/tracks/{track}/courses/new",
        "/admin/tracks/{track}/learners",
        "/admin/tracks/{track}/attempts",
        "/admin/courses/{course}/edit",
        "/admin/courses/{course}/quiz",
        "/admin/certificates",
        "/admin/certificates/{certificate}/revoke",
    ]
    POSTS = [
        "/admin/tracks",
        "/admin/tracks/{track}",
        "/admin/tracks/{track}/publish",
        "/admin/tracks/{track}/unpublish",
        "/admin/tracks/{track}/courses",
        "/admin/courses/{course}",
        "/admin/courses/{course}/move",
        "/admin/courses/{course}/quiz",
        "/admin/certificates/{certificate}/revoke",
    ]

    @pytest.fixture
    def ids(self, session: Session, settings: Settings) -> dict[str, int]:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        holder, _ = create_user(session, role=Role.CUSTOMER)
        certificate = certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)
        return {"track": track.id, "course": quizzes[0].course_id, "certificate": certificate.id}

    @pytest.mark.parametrize("role", [Role.CUSTOMER, Role.CUSTOMER_ADMIN, Role.INTERNAL])
    def test_non_admins_are_refused_everywhere(
        self, client: TestClient, session: Session, ids: dict[str, int], role: Role
    ) -> None:
        user, _ = create_user(session, role=role, password=PASSWORD)
        log_in(client, user.email)
        token = csrf_from(client.get("/training").text)
        for path in self.PAGES:
            response = client.get(path.format(**ids), follow_redirects=False)
            assert response.status_code in (403, 404), path
        for path in self.POSTS:
            response = client.post(
                path.format(**ids),
                data={"csrf_token": token, **new_track_form(), "reason": "x", "direction": "up"},
                follow_redirects=False,
            )
            assert response.status_code in (403, 404), path
        assert session.get(Certificate, ids["certificate"]).revoked_at is None  # type: ignore[union-attr]
        assert session.scalar(select(Track).where(Track.name == "Anti-bribery basics")) is None

    def test_anonymous_is_sent_to_log_in(self, client: TestClient, ids: dict[str, int]) -> None:
        response = client.get("/admin", follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")

    def test_a_post_without_the_csrf_token_changes_nothing(
        self, client: TestClient, session: Session, admin: User, ids: dict[str, int]
    ) -> None:
        forged = client.post("/admin/tracks", data=new_track_form(), follow_redirects=False)
        assert forged.status_code == 403
        wrong = client.post(
            f"/admin/certificates/{ids['certificate']}/revoke",
            data={"reason": "forged", "csrf_token": "not-the-token"},
            follow_redirects=False,
        )
        assert wrong.status_code == 403
        assert session.scalar(select(Track).where(Track.name == "Anti-bribery basics")) is None
        assert session.get(Certificate, ids["certificate"]).revoked_at is None  # type: ignore[union-attr]

    def test_admin_sees_the_admin_link_and_others_do_not(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        page = client.get("/admin")
        assert page.status_code == 200
        assert re.search(r'<a href="/admin"[^>]*>Admin</a>', page.text)
        for link in ("/admin/users", "/organizations", "/admin/audit", "/admin/certificates"):
            assert f'href="{link}"' in page.text
        customer = create_customer(session)
        client.cookies.clear()
        customer.user.password_hash = None
        other, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, other.email)
        assert ">Admin</a>" not in client.get("/training").text


class TestTracks:
    def test_new_track_is_a_draft_that_goes_last(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        create_track(session, name="Required first", sort_order=7)
        response = post_form(
            client, "/admin/tracks", from_page="/admin/tracks/new", data=new_track_form()
        )
        assert response.status_code == 303
        track = session.scalar(select(Track).where(Track.name == "Anti-bribery basics"))
        assert track is not None
        assert response.headers["location"] == f"/admin/tracks/{track.id}"
        assert track.is_active is False and track.slug == "anti-bribery-basics"
        assert track.sort_order == 8
        assert "track.create" in audit_actions(session, "track")
        customer = create_customer(session)
        tracks = client.get("/api/v1/training/tracks", headers=customer.headers).json()
        assert "Anti-bribery basics" not in [t["name"] for t in tracks]

    def test_a_track_is_written_in_the_language_chosen_in_the_form(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        blank = client.get("/admin/tracks/new").text
        assert '<option value="en" selected>English</option>' in blank  # the deployment's default
        response = post_form(
            client,
            "/admin/tracks",
            from_page="/admin/tracks/new",
            data=new_track_form(defaultLocale="de"),
        )
        assert response.status_code == 303
        track = session.scalar(select(Track).where(Track.name == "Anti-bribery basics"))
        assert track is not None and track.default_locale == "de"
        edit = client.get(f"/admin/tracks/{track.id}/edit").text
        assert '<option value="de" selected>German</option>' in edit
        refused = post_form(
            client,
            f"/admin/tracks/{track.id}",
            from_page=f"/admin/tracks/{track.id}/edit",
            data=new_track_form(defaultLocale="xx"),
        )
        assert refused.status_code == 422
        assert 'id="defaultLocale-error"' in refused.text
        session.refresh(track)
        assert track.default_locale == "de"

    def test_every_error_is_shown_at_its_field(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        response = post_form(
            client,
            "/admin/tracks",
            from_page="/admin/tracks/new",
            data=new_track_form(name="", slug="Not A Slug", version="one", estimatedMinutes="-5"),
        )
        assert response.status_code == 422
        for field in ("name", "slug", "version", "estimatedMinutes"):
            assert f'id="{field}-error"' in response.text, field
        assert "4 problems to fix" in response.text
        assert 'value="Not A Slug"' in response.text  # what was typed is kept
        assert session.scalar(select(Track).where(Track.slug == "not-a-slug")) is None

    def test_taken_slug_is_shown_at_the_slug(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        create_track(session, name="Old")
        taken = session.scalar(select(Track.slug).where(Track.name == "Old"))
        response = post_form(
            client,
            "/admin/tracks",
            from_page="/admin/tracks/new",
            data=new_track_form(slug=str(taken)),
        )
        assert response.status_code == 422
        assert 'id="slug-error"' in response.text and "already exists" in response.text

    def test_edit_keeps_the_draft_and_records_the_change(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        track = create_track(session, is_active=False, name="Before")
        response = post_form(
            client,
            f"/admin/tracks/{track.id}",
            from_page=f"/admin/tracks/{track.id}/edit",
            data=new_track_form(name="After", slug=track.slug, version="1.1"),
        )
        assert response.status_code == 303
        session.refresh(track)
        assert (track.name, track.version, track.is_active) == ("After", "1.1", False)
        assert audit_actions(session, "track")[-1] == "track.update"

    def test_publish_needs_a_quiz_then_learners_see_it(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        track = create_track(session, is_active=False, name="Drafty")
        course = create_course(session, track=track)
        page = f"/admin/tracks/{track.id}"
        refused = post_form(client, f"{page}/publish", from_page=page)
        assert refused.status_code == 409
        assert "Add a quiz to every course before publishing" in refused.text
        create_quiz(session, course=course)
        assert post_form(client, f"{page}/publish", from_page=page).status_code == 303
        session.refresh(track)
        assert track.is_active is True
        customer = create_customer(session)
        tracks = client.get("/api/v1/training/tracks", headers=customer.headers).json()
        assert "Drafty" in [t["name"] for t in tracks]
        assert post_form(client, f"{page}/unpublish", from_page=page).status_code == 303
        session.refresh(track)
        assert track.is_active is False


class TestCourses:
    def test_preview_renders_without_saving_then_save_adds_last(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        track = create_track(session, is_active=False)
        create_course(session, track=track, title="First")
        form = f"/admin/tracks/{track.id}/courses/new"
        data = {
            "title": "Gifts",
            "content": "# Gifts\n\n**Never** cash.<script>x()</script>",
            "isActive": "on",
        }
        preview = post_form(
            client,
            f"/admin/tracks/{track.id}/courses",
            from_page=form,
            data={**data, "action": "preview"},
        )
        assert preview.status_code == 200
        assert "<strong>Never</strong>" in preview.text and "<script>x()" not in preview.text
        assert session.scalar(select(Course).where(Course.title == "Gifts")) is None
        saved = post_form(
            client,
            f"/admin/tracks/{track.id}/courses",
            from_page=form,
            data={**data, "action": "save"},
        )
        assert saved.status_code == 303
        titles = [
            c.title
            for c in session.scalars(
                select(Course).where(Course.track_id == track.id).order_by(Course.sort_order)
            )
        ]
        assert titles == ["First", "Gifts"]

    def test_empty_title_is_shown_at_the_field(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        track = create_track(session)
        response = post_form(
            client,
            f"/admin/tracks/{track.id}/courses",
            from_page=f"/admin/tracks/{track.id}/courses/new",
            data={"title": " ", "content": "x", "action": "save"},
        )
        assert response.status_code == 422
        assert 'id="title-error"' in response.text

    def test_move_up_and_down(self, client: TestClient, session: Session, admin: User) -> None:
        track = create_track(session)
        a, b, c = (create_course(session, track=track, title=t) for t in "ABC")
        page = f"/admin/tracks/{track.id}"
        post_form(client, f"/admin/courses/{c.id}/move", from_page=page, data={"direction": "up"})
        post_form(client, f"/admin/courses/{a.id}/move", from_page=page, data={"direction": "down"})
        order = session.scalars(
            select(Course.title)
            .where(Course.track_id == track.id)
            .order_by(Course.sort_order, Course.id)
        )
        assert list(order) == ["C", "A", "B"]
        assert "course.update" in audit_actions(session, "course")
        bad = post_form(
            client, f"/admin/courses/{a.id}/move", from_page=page, data={"direction": "sideways"}
        )
        assert bad.status_code == 422


class TestQuizBuilder:
    def test_rows_are_added_and_removed_without_script(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        course = create_course(session, track=create_track(session))
        url = f"/admin/courses/{course.id}/quiz"
        page = client.get(url)
        assert page.status_code == 200 and 'name="questions.0.question"' in page.text
        added = post_form(
            client, url, from_page=url, data={**quiz_form(GOOD_QUESTIONS), "action": "add-question"}
        )
        assert 'name="questions.2.question"' in added.text
        assert "Decline and report it" in added.text  # what was typed stays
        option = post_form(
            client, url, from_page=url, data={**quiz_form(GOOD_QUESTIONS), "action": "add-option-0"}
        )
        assert 'name="questions.0.options.2.text"' in option.text
        removed = post_form(
            client,
            url,
            from_page=url,
            data={**quiz_form(GOOD_QUESTIONS), "action": "remove-question-0"},
        )
        assert "A supplier offers" not in removed.text
        assert 'name="questions.1.question"' not in removed.text
        assert session.scalar(select(Quiz).where(Quiz.course_id == course.id)) is None  # not saved

    def test_every_validation_error_is_shown_at_its_field(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        course = create_course(session, track=create_track(session))
        url = f"/admin/courses/{course.id}/quiz"
        bad = [
            {
                "text": "Pick one",
                "type": "MULTIPLE_CHOICE",
                "options": [("Yes", True), ("No", True)],
            },  # two correct answers
            {
                "text": "",
                "type": "TRUE_FALSE",
                "options": [("True", True), ("False", False), ("Maybe", False)],
            },  # no text, 3 options
            {"text": "Which?", "type": "MULTI_SELECT", "options": [("", False)]},  # empty option
        ]
        response = post_form(
            client, url, from_page=url, data=quiz_form(bad, passThreshold="120", maxAttempts="0")
        )
        assert response.status_code == 422
        for field in (
            "questions.0.correctOptionIds",
            "questions.1.question",
            "questions.1.options",
            "questions.2.options.0.text",
            "passThreshold",
            "maxAttempts",
        ):
            assert f'id="{field.replace(".", "-")}-error"' in response.text, field
        assert "Question 2, text" in response.text  # the summary names each field
        assert session.scalar(select(Quiz).where(Quiz.course_id == course.id)) is None

    def test_policy_check_from_the_service_lands_at_its_field(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        course = create_course(session, track=create_track(session))
        url = f"/admin/courses/{course.id}/quiz"
        response = post_form(
            client, url, from_page=url, data=quiz_form(GOOD_QUESTIONS, questionsPerAttempt="5")
        )
        assert response.status_code == 422
        assert 'id="questionsPerAttempt-error"' in response.text

    def test_save_stores_questions_rules_and_keeps_ids(
        self, client: TestClient, session: Session, admin: User
    ) -> None:
        course = create_course(session, track=create_track(session), title="Gifts")
        url = f"/admin/courses/{course.id}/quiz"
        response = post_form(
            client,
            url,
            from_page=url,
            data=quiz_form(
                GOOD_QUESTIONS,
                passThreshold="75",
                maxAttempts="3",
                revealAnswers="NEVER",
                shuffleOptions="on",
            ),
        )
        assert response.status_code == 303, response.text
        quiz = session.scalar(select(Quiz).where(Quiz.course_id == course.id))
        assert quiz is not None
        assert quiz.title == "Gifts" and str(quiz.pass_threshold) == "0.75"
        assert [q["id"] for q in quiz.questions] == ["q1", "q2"]
        assert [q["correct_option_ids"] for q in quiz.questions] == [["b"], ["b"]]
        assert (quiz.max_attempts, quiz.reveal_answers.value, quiz.shuffle_options) == (
            3,
            "NEVER",
            True,
        )
        assert "quiz.create" in audit_actions(session, "quiz")
        again = client.get(url)
        assert 'value="Decline and report it"' in again.text
        assert f"/admin/quizzes/{quiz.id}/statistics" in again.text
        assert f"/admin/quizzes/{quiz.id}/regrade" in again.text


class TestListsAndRevocation:
    @pytest.fixture
    def people(self, session: Session, settings: Settings) -> dict[str, object]:
        track, quizzes = create_track_with_quizzes(session, courses=2, name="Ethics")
        certified = create_customer(session)
        certified.user.name = "Carla Certified"
        halfway = create_customer(session)
        halfway.user.name = "Hal Halfway"
        certificate = certify(
            session, user=certified.user, track=track, quizzes=quizzes, settings=settings
        )
        pass_quiz(session, user=halfway.user, quiz=quizzes[0])
        pass_quiz(session, user=halfway.user, quiz=quizzes[1], passed=False)
        session.flush()
        return {"track": track, "certificate": certificate, "halfway": halfway}

    def test_learners_with_progress_and_filters(
        self, client: TestClient, admin: User, people: dict[str, object]
    ) -> None:
        track = people["track"]
        assert isinstance(track, Track)
        url = f"/admin/tracks/{track.id}/learners"
        page = client.get(url)
        assert "Carla Certified" in page.text and "Hal Halfway" in page.text
        assert "1 of 2 courses passed" in page.text and "2 of 2 courses passed" in page.text
        certified = client.get(url, params={"status": "CERTIFIED"}).text
        assert "Carla Certified" in certified and "Hal Halfway" not in certified
        halfway = people["halfway"]
        by_org = client.get(url, params={"organization": halfway.organization.id}).text  # type: ignore[attr-defined]
        assert "Hal Halfway" in by_org and "Carla Certified" not in by_org
        assert "Hal Halfway" not in client.get(url, params={"q": "carla"}).text

    def test_attempts_with_filters(
        self, client: TestClient, admin: User, people: dict[str, object]
    ) -> None:
        track = people["track"]
        assert isinstance(track, Track)
        url = f"/admin/tracks/{track.id}/attempts"
        failed = client.get(url, params={"status": "FAILED"}).text
        assert "Hal Halfway" in failed and "Carla Certified" not in failed
        assert "4 attempts" in client.get(url).text

    def test_revoke_needs_a_reason_then_is_recorded(
        self, client: TestClient, session: Session, admin: User, people: dict[str, object]
    ) -> None:
        certificate = people["certificate"]
        url = f"/admin/certificates/{certificate.id}/revoke"  # type: ignore[attr-defined]
        listing = client.get("/admin/certificates", params={"status": "ACTIVE"})
        assert certificate.certificate_number in listing.text  # type: ignore[attr-defined]
        empty = post_form(client, url, from_page="/admin/certificates", data={"reason": "  "})
        assert empty.status_code == 422 and 'id="reason-error"' in empty.text
        done = post_form(
            client, url, from_page="/admin/certificates", data={"reason": "Shared answers"}
        )
        assert done.status_code == 303
        stored = session.get(Certificate, certificate.id)  # type: ignore[attr-defined]
        assert stored is not None and stored.revoked_reason == "Shared answers"
        assert audit_actions(session, "certificate") == ["certificate.revoke"]
        revoked = client.get("/admin/certificates", params={"status": "REVOKED"}).text
        assert certificate.certificate_number in revoked and "Shared answers" in revoked  # type: ignore[attr-defined]
        again = post_form(client, url, from_page="/admin/certificates", data={"reason": "Twice"})
        assert again.status_code == 409


def test_filters_left_at_any_are_no_error(
    client: TestClient, session: Session, admin: User
) -> None:
    track = create_track(session)
    for url in (
        f"/admin/tracks/{track.id}/learners",
        f"/admin/tracks/{track.id}/attempts",
        "/admin/certificates",
    ):
        response = client.get(url, params={"status": "", "organization": "", "q": "", "track": ""})
        assert response.status_code == 200, url
