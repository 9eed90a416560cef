"""Training pages over HTTP: catalogue, course, quiz, result, certificates, verification."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Quiz, Role, Track, TrackType, User
from opsportal.principal import Principal
from opsportal.training.assessment import attempts
from opsportal.training.certification import service as certification
from tests.factories import certify, create_course, create_quiz, create_track, create_user
from tests.pages import PASSWORD, csrf_from, log_in, post_form


@pytest.fixture
def learner(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD, name="Nguyễn Thị Hương")
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def track_and_quiz(session: Session, settings: Settings) -> tuple[Track, Quiz]:
    track = create_track(session, settings=settings, name="Speak-up essentials")
    course = create_course(
        session,
        track=track,
        title="Why speaking up matters",
        content="# Speak up\n\n<script>alert(1)</script>**Bold** advice.",
    )
    return track, create_quiz(session, course=course)


def start_attempt_id(client: TestClient, quiz: Quiz) -> int:
    response = post_form(
        client,
        f"/training/quizzes/{quiz.id}/start",
        from_page=f"/training/courses/{quiz.course_id}",
    )
    assert response.status_code == 303
    match = re.fullmatch(r"/training/attempts/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


class TestCatalogueAndCourse:
    def test_customer_sees_customer_tracks_with_progress(
        self, client: TestClient, session: Session, settings: Settings, learner: User,
        track_and_quiz: tuple[Track, Quiz],
    ) -> None:  # fmt: skip
        create_track(session, settings=settings, name="Internal only", type=TrackType.INTERNAL)
        page = client.get("/training")
        assert page.status_code == 200
        assert "Speak-up essentials" in page.text
        assert "Internal only" not in page.text
        assert "0 of 1 course passed" in page.text

    def test_course_content_is_rendered_and_sanitised(
        self, client: TestClient, learner: User, track_and_quiz: tuple[Track, Quiz]
    ) -> None:
        _, quiz = track_and_quiz
        page = client.get(f"/training/courses/{quiz.course_id}")
        assert "<strong>Bold</strong>" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert "Take the quiz" in page.text


class TestQuizFlow:
    def test_fail_then_pass_then_certificate(
        self, client: TestClient, session: Session, learner: User,
        track_and_quiz: tuple[Track, Quiz],
    ) -> None:  # fmt: skip
        track, quiz = track_and_quiz
        attempt_id = start_attempt_id(client, quiz)
        quiz_page = client.get(f"/training/attempts/{attempt_id}")
        assert 'type="radio" name="q-q1"' in quiz_page.text
        assert 'type="checkbox" name="q-q3"' in quiz_page.text
        assert "The hotline is open to everyone." not in quiz_page.text  # no answer key

        incomplete = post_form(
            client,
            f"/training/attempts/{attempt_id}/submit",
            from_page=f"/training/attempts/{attempt_id}",
            data={"q-q1": "b", "q-q2": "f"},
        )
        assert incomplete.status_code == 200  # asked first, nothing graded
        assert "2 of 5 answered — submit anyway?" in incomplete.text
        assert 'value="b" checked' in incomplete.text  # the answers given are kept
        failed = post_form(
            client,
            f"/training/attempts/{attempt_id}/submit",
            from_page=f"/training/attempts/{attempt_id}",
            data={"q-q1": "b", "q-q2": "f", "confirm": "1"},
        )
        assert failed.status_code == 303
        result = client.get(f"/training/attempts/{attempt_id}")
        assert "20 % — Not passed" in result.text
        assert "1 of 5 correct" in result.text
        # Not passed yet: which answers were wrong, but neither the key nor the explanations.
        assert "The hotline is open to everyone." not in result.text
        assert "Correct answer:" not in result.text
        assert "not answered" in result.text
        assert "Take again" in result.text

        second = start_attempt_id(client, quiz)
        post_form(
            client,
            f"/training/attempts/{second}/submit",
            from_page=f"/training/attempts/{second}",
            data={"q-q1": "b", "q-q2": "t", "q-q3": ["a", "b"], "q-q4": "a", "q-q5": "f"},
        )
        passed = client.get(f"/training/attempts/{second}")
        assert "100 % — Passed" in passed.text
        assert "Get your certificate" in passed.text
        assert "You have completed every course of this track." in passed.text
        # Passed: the first attempt's key is revealed now.
        first_result = client.get(f"/training/attempts/{attempt_id}").text
        assert "The hotline is open to everyone." in first_result

        claimed = post_form(
            client, f"/training/tracks/{track.id}/certificate",
            from_page=f"/training/attempts/{second}",
        )  # fmt: skip
        assert claimed.status_code == 303
        certificates = client.get("/certificates")
        number = re.search(r"CERT-\d{4}-\d{5}", certificates.text)
        assert number
        pdf_link = re.search(r'href="(/certificates/\d+/pdf)"', certificates.text)
        assert pdf_link
        pdf = client.get(pdf_link.group(1))
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Nguyễn Thị Hương" in text
        assert number.group(0) in text

    def test_resubmitting_shows_the_first_result(
        self, client: TestClient, learner: User, track_and_quiz: tuple[Track, Quiz]
    ) -> None:
        _, quiz = track_and_quiz
        attempt_id = start_attempt_id(client, quiz)
        page = f"/training/attempts/{attempt_id}"
        token = csrf_from(client.get(page).text)  # the quiz form, as a second tab holds it
        first = post_form(
            client, f"{page}/submit", from_page=page, data={"q-q1": "b", "confirm": "1"}
        )
        assert first.status_code == 303
        again = client.post(
            f"{page}/submit",
            data={"csrf_token": token, **{f"q-q{i}": "x" for i in range(1, 6)}},
            follow_redirects=False,
        )
        assert again.status_code == 303
        assert "20 % — Not passed" in client.get(page).text

    def test_someone_elses_attempt_is_404(
        self, client: TestClient, session: Session, learner: User,
        track_and_quiz: tuple[Track, Quiz],
    ) -> None:  # fmt: skip
        _, quiz = track_and_quiz
        other, _ = create_user(session, role=Role.CUSTOMER)
        attempt = attempts.start_attempt(session, principal=Principal.of(other), quiz_id=quiz.id)
        page = client.get(f"/training/attempts/{attempt.attempt_id}")
        assert page.status_code == 404
        assert "text/html" in page.headers["content-type"]

    def test_claiming_an_incomplete_track_is_409(
        self, client: TestClient, learner: User, track_and_quiz: tuple[Track, Quiz]
    ) -> None:
        track, quiz = track_and_quiz
        response = post_form(
            client,
            f"/training/tracks/{track.id}/certificate",
            from_page=f"/training/courses/{quiz.course_id}",
        )
        assert response.status_code == 409
        assert "not complete" in response.text


class TestVerificationPage:
    def test_valid_revoked_and_unknown(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, name="Zoë Łukasz-Ångström")
        track = create_track(session, settings=settings, name="Data handling")
        quiz = create_quiz(session, course=create_course(session, track=track))
        certificate = certify(session, user=user, track=track, quizzes=[quiz], settings=settings)

        page = client.get(f"/verify/{certificate.verification_code}")
        assert page.status_code == 200
        assert "Valid certificate" in page.text
        assert "Zoë Łukasz-Ångström" in page.text
        assert ">Log out<" not in page.text  # public page, nobody signed in

        admin, _ = create_user(session, role=Role.ADMIN)
        certification.revoke_certificate(
            session,
            principal=Principal.of(admin),
            certificate_id=certificate.id,
            reason="Error",
            settings=settings,
        )
        assert "Revoked certificate" in client.get(f"/verify/{certificate.verification_code}").text

        unknown = client.get(f"/verify/{certificate.certificate_number}")
        assert unknown.status_code == 404
        assert "No certificate has this verification code." in unknown.text
