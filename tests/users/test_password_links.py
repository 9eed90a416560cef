"""One-time links that set a password: an invitation for a new user, a reset for anyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.models import PasswordReset, Role, User
from opsportal.models.base import utcnow
from tests.factories import create_user
from tests.pages import PASSWORD, csrf_from, log_in

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def member(session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    return user


def issue_link(client: TestClient, headers: dict[str, str], user: User) -> str:
    response = client.post(f"/api/v1/users/{user.id}/password-link", headers=headers)
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    assert url.startswith("http://testserver/set-password/")
    return url.removeprefix("http://testserver")


def set_password(client: TestClient, path: str, password: str, again: str | None = None) -> str:
    # The session's CSRF token; a spent link's page has no form to take it from.
    token = csrf_from(client.get("/login").text)
    response = client.post(
        path,
        data={
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": token,
        },
    )
    return f"{response.status_code} {response.text}"


class TestPasswordLink:
    def test_sets_a_new_password_once_and_ends_old_sessions(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        with TestClient(client.app) as old_browser:
            assert log_in(old_browser, member.email).status_code == 303
            path = issue_link(client, admin_headers, member)
            # The old password keeps working until the link is used.
            assert log_in(client, member.email).status_code == 303
            client.cookies.clear()

            page = client.get(path)
            assert page.status_code == 200 and member.email in page.text
            assert set_password(client, path, NEW_PASSWORD).startswith("200")

            assert log_in(client, member.email, NEW_PASSWORD).status_code == 303
            client.cookies.clear()
            assert log_in(client, member.email, PASSWORD).status_code == 401
            # A session signed in before the change opens nothing any more.
            assert old_browser.get("/training", follow_redirects=False).status_code == 303
        # Used: the link is spent.
        assert client.get(path).status_code == 404
        assert set_password(client, path, "another passphrase").startswith("404")

    def test_a_new_link_replaces_the_last(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        first = issue_link(client, admin_headers, member)
        second = issue_link(client, admin_headers, member)
        assert client.get(first).status_code == 404
        assert client.get(second).status_code == 200

    def test_an_expired_link_does_nothing(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        path = issue_link(client, admin_headers, member)
        for link in session.scalars(
            select(PasswordReset).where(PasswordReset.user_id == member.id)
        ):
            link.expires_at = utcnow() - timedelta(seconds=1)
        session.flush()
        assert client.get(path).status_code == 404
        assert set_password(client, path, NEW_PASSWORD).startswith("404")

    @pytest.mark.parametrize(
        ("password", "again", "status"),
        [("short", None, "422"), (NEW_PASSWORD, "something else", "422")],
    )
    def test_a_bad_password_is_refused_and_the_link_kept(
        self,
        client: TestClient,
        admin_headers: dict[str, str],
        member: User,
        password: str,
        again: str | None,
        status: str,
    ) -> None:
        path = issue_link(client, admin_headers, member)
        assert set_password(client, path, password, again).startswith(status)
        assert client.get(path).status_code == 200

    def test_needs_the_form_csrf_token(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        path = issue_link(client, admin_headers, member)
        client.get(path)
        response = client.post(
            path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        )
        assert response.status_code == 403
        assert log_in(client, member.email, NEW_PASSWORD).status_code == 401

    @pytest.mark.parametrize("token", ["nope", "x" * 500, "%00"])
    def test_unknown_links_are_404(self, client: TestClient, token: str) -> None:
        assert client.get(f"/set-password/{token}").status_code == 404

    def test_a_deactivated_user_gets_no_link_and_its_link_stops(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        path = issue_link(client, admin_headers, member)
        client.patch(f"/api/v1/users/{member.id}", json={"isActive": False}, headers=admin_headers)
        assert client.get(path).status_code == 404
        again = client.post(f"/api/v1/users/{member.id}/password-link", headers=admin_headers)
        assert again.status_code == 409
