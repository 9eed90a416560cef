"""Signing in and out of the web pages, with CSRF protection."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import create_user
from tests.pages import PASSWORD, log_in, post_form


class TestLogin:
    def test_form_has_labelled_inputs(self, client: TestClient) -> None:
        page = client.get("/login")
        assert page.status_code == 200
        assert '<label for="email">Email</label>' in page.text
        assert '<label for="password">Password</label>' in page.text
        assert ">Log in</button>" in page.text

    def test_good_password_signs_in_with_a_safe_cookie(
        self, client: TestClient, session: Session
    ) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        response = log_in(client, user.email, next_path="/organizations")
        assert response.status_code == 303
        assert response.headers["location"] == "/organizations"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        page = client.get("/organizations")
        assert page.status_code == 200
        for link in ("Benchmarks", "Training", "Certificates"):
            assert f">{link}</a>" in page.text
        assert 'role="link">Log out</button>' in page.text  # a POST form, see test_sessions.py

    def test_wrong_password_is_refused(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        response = log_in(client, user.email, password="wrong password")
        assert response.status_code == 401
        assert "Email or password is wrong." in response.text
        assert client.get("/organizations", follow_redirects=False).status_code == 303

    def test_post_without_csrf_token_is_403(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        client.get("/login")
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 403
        assert "did not come from opsportal" in response.text

    def test_next_cannot_point_off_site(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        response = log_in(client, user.email, next_path="//evil.example/")
        assert response.headers["location"] == "/"

    def test_logout_ends_the_session(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, user.email)
        assert client.get("/organizations").status_code == 200
        post_form(client, "/logout", from_page="/organizations")
        response = client.get("/organizations", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/organizations"


class TestLanding:
    """After signing in, each user lands where their job is, with the same navigation."""

    @pytest.mark.parametrize(
        ("role", "landing"),
        [
            (Role.CUSTOMER, "/training"),
            (Role.CUSTOMER_ADMIN, "/training/compliance/organizations/"),
            (Role.INTERNAL, "/benchmarks/portfolio"),
            (Role.ADMIN, "/benchmarks/portfolio"),
        ],
    )
    def test_signing_in_lands_where_the_job_is(
        self, client: TestClient, session: Session, role: Role, landing: str
    ) -> None:
        user, _ = create_user(session, role=role, password=PASSWORD)
        assert log_in(client, user.email).headers["location"] == "/"
        page = client.get("/")
        assert page.status_code == 200
        # A customer_admin's compliance page is its own organisation's.
        assert page.url.path == landing + (
            str(user.organization_id) if landing.endswith("/") else ""
        )
        for link in ("Benchmarks", "Training", "Certificates"):
            assert f">{link}</a>" in page.text
        assert 'role="link">Log out</button>' in page.text
        assert (">Admin</a>" in page.text) is (role is Role.ADMIN)
