"""Translations in the pages: the learner's catalogue, course, quiz and result in their language
or with a notice; the admin's list of languages and the page to edit one."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Assignment, Course, Quiz, Role, Track, User
from opsportal.training.translations.notice import fallback_notice, language_name
from opsportal.web.i18n import using_locale
from tests.factories import (
    certify,
    create_course,
    create_quiz,
    create_track,
    create_user,
    translate_track,
    translated,
)
from tests.pages import PASSWORD, csrf_from, log_in, post_form


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The pages in the language of the client's Accept-Language (English unless changed)."""
    with TestClient(
        app, raise_server_exceptions=False, headers={"Accept-Language": "en"}
    ) as test_client:
        yield test_client


@pytest.fixture
def track(session: Session, settings: Settings) -> Track:
    track = create_track(session, settings=settings, name="Code of conduct")
    course = create_course(
        session, track=track, title="Speaking up", content="# Speak up\n\n**Bold** advice."
    )
    create_quiz(session, course=course)
    return track


def quiz_of(session: Session, track: Track) -> Quiz:
    return session.scalars(select(Quiz).join(Course).where(Course.track_id == track.id)).one()


@pytest.fixture
def learner(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


def notice_of(page: str) -> str | None:
    match = re.search(r"<p class=\"notice\" data-language-notice>([^<]*)</p>", page)
    return html.unescape(match.group(1)) if match else None


class TestLearnerPages:
    def test_the_whole_journey_in_german(
        self, client: TestClient, session: Session, track: Track, learner: User
    ) -> None:
        translate_track(session, track=track, locale="de")
        client.headers["Accept-Language"] = "de-DE,de;q=0.9"
        quiz = quiz_of(session, track)
        catalogue = client.get("/training").text
        assert html.escape(translated("de", "Code of conduct")) in catalogue
        assert notice_of(catalogue) is None
        course = client.get(f"/training/courses/{quiz.course_id}").text
        assert html.escape(translated("de", "Speaking up")) in course
        assert "<strong>Bold</strong> advice." in course  # markdown of the German text
        assert 'lang="de"' in course
        assert notice_of(course) is None
        started = post_form(
            client,
            f"/training/quizzes/{quiz.id}/start",
            from_page=f"/training/courses/{quiz.course_id}",
        )
        attempt = started.headers["location"]
        page = client.get(attempt).text
        assert html.escape(translated("de", "Who may use the hotline?")) in page
        assert html.escape(translated("de", "Anyone")) in page
        assert 'value="b"' in page  # answered by option id, whatever the language
        post_form(
            client,
            f"{attempt}/submit",
            from_page=attempt,
            data={"q-q1": "b", "q-q2": "t", "q-q3": ["a", "b"], "q-q4": "a", "q-q5": "f"},
        )
        result = client.get(attempt).text
        assert "100 %" in result
        assert html.escape(translated("de", "The hotline is open to everyone.")) in result
        assert html.escape(translated("de", "Anyone")) in result  # "Your answer"

    def test_a_partial_translation_is_shown_in_the_default_language_with_a_notice(
        self, client: TestClient, session: Session, track: Track, learner: User
    ) -> None:
        translate_track(session, track=track, locale="es", only=lambda f: f.key == "name")
        client.headers["Accept-Language"] = "es"
        quiz = quiz_of(session, track)
        # The notice names both languages in the learner's (español, inglés), whatever the
        # sentence around them is in their language's catalogue.
        with using_locale("es"):
            expected = fallback_notice("en")
        assert expected is not None
        assert language_name("es", in_locale="es") in expected
        assert language_name("en", in_locale="es") in expected
        catalogue = client.get("/training").text
        assert "Code of conduct" in catalogue
        assert notice_of(catalogue) == expected
        course = client.get(f"/training/courses/{quiz.course_id}").text
        assert notice_of(course) == expected
        assert "Speaking up" in course
        started = post_form(
            client,
            f"/training/quizzes/{quiz.id}/start",
            from_page=f"/training/courses/{quiz.course_id}",
        )
        quiz_page = client.get(started.headers["location"]).text
        assert notice_of(quiz_page) == expected
        assert "Who may use the hotline?" in quiz_page

    def test_the_learner_in_the_default_language_gets_no_notice(
        self, client: TestClient, session: Session, track: Track, learner: User
    ) -> None:
        assert notice_of(client.get("/training").text) is None

    def test_my_training_names_the_track_in_the_served_language(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        learner: User,
        admin_headers: dict[str, str],
    ) -> None:
        translate_track(session, track=track, locale="fr")
        session.add(
            Assignment(
                user_id=learner.id,
                track_id=track.id,
                organization_id=learner.organization_id,
                due_on=date(2030, 1, 1),
            )
        )
        session.flush()
        client.headers["Accept-Language"] = "fr"
        page = client.get("/training").text
        table = page[page.index('id="my-training"') : page.index("</table>")]
        assert html.escape(translated("fr", "Code of conduct")) in table


class TestAdminPages:
    def test_the_track_page_lists_each_language_with_its_status(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        translate_track(session, track=track, locale="de")
        translate_track(session, track=track, locale="es", only=lambda f: f.key == "name")
        page = client.get(f"/admin/tracks/{track.id}").text
        section = page[page.index('id="translations-heading"') :]

        def row(locale: str) -> str:
            start = section.index(f'id="translation-{locale}"')
            return section[start : section.index("</tr>", start)]

        assert "Complete" in row("de") and "German" in row("de")
        assert "Missing" in row("es") and "1 of " in row("es")
        assert "Missing" in row("ar") and "never" in row("ar")
        assert f'href="/admin/tracks/{track.id}/translations/fr"' in row("fr")

    def test_the_edit_page_shows_each_source_beside_its_translation(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        translate_track(session, track=track, locale="de", only=lambda f: f.kind != "option")
        page = client.get(f"/admin/tracks/{track.id}/translations/de")
        assert page.status_code == 200
        text = page.text
        assert "Translation into German" in text
        assert '<p id="s-1" lang="en" dir="ltr">Code of conduct</p>' in text
        assert (
            f'name="name" type="text" value="{html.escape(translated("de", "Code of conduct"))}"'
            in text
        )
        assert 'lang="de"' in text
        assert "Missing" in text  # the options are not translated
        assert "(not translated yet)" in text
        assert "caution" not in text  # nothing outdated

    def test_an_outdated_field_is_highlighted_and_can_be_confirmed(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        texts = translate_track(session, track=track, locale="de")
        admin_page = f"/admin/tracks/{track.id}/translations/de"
        track.name = "Code of conduct, 2027"
        session.flush()
        page = client.get(admin_page).text
        assert '<div class="grid caution" id="field-1">' in page
        assert "the English text has changed since this was translated." in page
        assert "Outdated" in page
        assert 'name="upToDate" value="name"' in page
        # The form as the browser sends it: every text unchanged, the box ticked.
        form: dict[str, str | list[str]] = {**texts, "upToDate": "name"}
        saved = post_form(client, admin_page, from_page=admin_page, data=form)
        assert saved.status_code == 303
        after = client.get(admin_page).text
        assert "caution" not in after
        assert "It is complete" in after

    def test_saving_the_form_stores_the_texts(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        url = f"/admin/tracks/{track.id}/translations/fr"
        saved = post_form(client, url, from_page=url, data={"name": "Code de conduite"})
        assert saved.status_code == 303
        page = client.get(url).text
        assert 'value="Code de conduite"' in page
        assert "Some fields are missing" in page
        track_page = client.get(f"/admin/tracks/{track.id}").text
        assert "1 of " in track_page

    def test_a_text_too_long_is_shown_at_its_field_and_nothing_is_kept(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        url = f"/admin/tracks/{track.id}/translations/fr"
        title = f"courses/{quiz_of(session, track).course_id}/title"
        response = post_form(client, url, from_page=url, data={"name": "x" * 201, title: "Titre"})
        assert response.status_code == 422
        assert "is longer than 200 characters" in response.text
        assert 'aria-invalid="true"' in response.text
        assert "problem to fix" in response.text
        assert 'value="Titre"' in response.text  # what was typed is shown again
        assert "1 of " not in client.get(f"/admin/tracks/{track.id}").text

    def test_deleting_a_language_asks_first(
        self, client: TestClient, session: Session, track: Track, admin: User
    ) -> None:
        translate_track(session, track=track, locale="de")
        url = f"/admin/tracks/{track.id}/translations/de/delete"
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert "Delete the German translation" in confirm.text
        token = csrf_from(confirm.text)
        deleted = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        assert deleted.status_code == 303
        assert "The German translation is deleted." in client.get(deleted.headers["location"]).text

    def test_the_default_language_has_no_translation_page(
        self, client: TestClient, track: Track, admin: User
    ) -> None:
        assert client.get(f"/admin/tracks/{track.id}/translations/en").status_code == 422

    def test_learners_cannot_open_the_translation_pages(
        self, client: TestClient, track: Track, learner: User
    ) -> None:
        response = client.get(f"/admin/tracks/{track.id}/translations/de")
        assert response.status_code == 403


class TestMyCertificates:
    def test_the_track_is_named_in_the_readers_language_as_the_pdf_names_it(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        track: Track,
        learner: User,
    ) -> None:
        certificate = certify(
            session, user=learner, track=track, quizzes=[quiz_of(session, track)], settings=settings
        )
        translate_track(session, track=track, locale="de")
        session.commit()
        german = {"Accept-Language": "de"}

        listed = client.get("/certificates", headers=german).text
        one = client.get(f"/certificates/{certificate.id}", headers=german).text
        english = client.get("/certificates").text

        assert html.escape(translated("de", "Code of conduct")) in listed
        assert html.escape(translated("de", "Code of conduct")) in one
        assert "Code of conduct" in english and translated("de", "Code of conduct") not in english
