"""Web sessions end on the server: logout, a password change, deactivation; logout is a POST."""

from __future__ import annotations

import base64
import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy.orm import Session

from opsportal.auth.sessions import end_sessions
from opsportal.models import Role, User
from tests.factories import create_user
from tests.pages import PASSWORD, csrf_from, log_in, post_form

COOKIE = "opsportal_session"


def signed_in_user(client: TestClient, session: Session, role: Role = Role.CUSTOMER) -> User:
    user, _ = create_user(session, role=role, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    assert client.get("/training").status_code == 200
    return user


def opens_training(client: TestClient) -> bool:
    response = client.get("/training", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == "/login?next=/training"
        return False
    assert response.status_code == 200
    return True


def log_out(client: TestClient) -> None:
    response = post_form(client, "/logout", from_page="/training")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


class TestLogoutEndsTheSessionOnTheServer:
    def test_a_cookie_saved_before_logout_opens_nothing_after_it(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in_user(client, session)
        saved = client.cookies[COOKIE]
        log_out(client)
        assert not opens_training(client)

        # The attacker (or a shared computer's history) replays the saved cookie.
        client.cookies.clear()
        client.cookies.set(COOKIE, saved)
        assert not opens_training(client)
        for page in ("/certificates", "/benchmarks", "/"):
            response = client.get(page, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login")
        # The login form does not bounce the replayed cookie back to a page either.
        assert client.get("/login", follow_redirects=False).status_code == 200

    def test_logout_ends_the_users_sessions_on_other_devices(
        self, app: FastAPI, client: TestClient, session: Session
    ) -> None:
        user = signed_in_user(client, session)
        with TestClient(app) as laptop:
            assert log_in(laptop, user.email).status_code == 303
            assert opens_training(laptop)
            log_out(client)
            assert not opens_training(laptop)

    def test_another_users_sessions_are_untouched(
        self, app: FastAPI, client: TestClient, session: Session
    ) -> None:
        signed_in_user(client, session)
        with TestClient(app) as other:
            signed_in_user(other, session)
            log_out(client)
            assert opens_training(other)

    def test_signing_in_again_after_logout_works(
        self, client: TestClient, session: Session
    ) -> None:
        user = signed_in_user(client, session)
        log_out(client)
        assert log_in(client, user.email).status_code == 303
        assert opens_training(client)


class TestLogoutIsAPostWithTheCsrfToken:
    def test_a_get_does_not_log_out(self, client: TestClient, session: Session) -> None:
        signed_in_user(client, session)
        page = client.get("/logout", follow_redirects=False)
        # An old bookmark or another site's link gets the button, nothing more.
        assert page.status_code == 200
        assert 'action="/logout"' in page.text and ">Log out</button>" in page.text
        assert opens_training(client)

    def test_a_cross_site_form_without_the_token_does_not_log_out(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in_user(client, session)
        response = client.post("/logout", data={}, follow_redirects=False)
        assert response.status_code == 403
        assert opens_training(client)

    def test_another_sessions_token_does_not_log_out(
        self, app: FastAPI, client: TestClient, session: Session
    ) -> None:
        signed_in_user(client, session)
        with TestClient(app) as attacker:
            signed_in_user(attacker, session)
            foreign_token = csrf_from(attacker.get("/training").text)
        response = client.post(
            "/logout", data={"csrf_token": foreign_token}, follow_redirects=False
        )
        assert response.status_code == 403
        assert opens_training(client)

    def test_every_signed_in_page_has_the_log_out_form(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in_user(client, session)
        page = client.get("/training")
        token = csrf_from(page.text)
        assert (
            '<form method="post" action="/logout">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            '<button type="submit" class="link" role="link">Log out</button></form>'
        ) in page.text

    def test_logging_out_when_signed_out_just_shows_the_login_form(
        self, client: TestClient
    ) -> None:
        response = client.post("/logout", data={}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert client.get("/logout", follow_redirects=False).headers["location"] == "/login"


class TestOtherWaysASessionEnds:
    def test_a_deactivated_users_session_stops_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        user = signed_in_user(client, session)
        user.is_active = False
        session.flush()
        assert not opens_training(client)

    def test_end_sessions_ends_every_open_session(
        self, client: TestClient, session: Session
    ) -> None:
        # What a password change calls for the user whose password changed.
        user = signed_in_user(client, session)
        assert end_sessions(session, user_id=user.id) == 1
        assert end_sessions(session, user_id=user.id) == 2
        session.flush()
        assert not opens_training(client)
        assert log_in(client, user.email).status_code == 303
        assert opens_training(client)

    def test_a_cookie_without_a_session_version_is_refused(
        self, app: FastAPI, client: TestClient, session: Session
    ) -> None:
        # A cookie of the old shape (user id only), validly signed, opens nothing.
        user = signed_in_user(client, session)
        payload = base64.b64encode(json.dumps({"user_id": user.id}).encode())
        signer = TimestampSigner(str(app.state.settings.secret_key))
        client.cookies.clear()
        client.cookies.set(COOKIE, signer.sign(payload).decode())
        assert not opens_training(client)
