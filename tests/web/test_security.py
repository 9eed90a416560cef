"""Every answer's security headers, pages without inline code, and /docs from local files only."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import opsportal
from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.training.assessment import attempts
from tests.factories import certify, create_customer, create_track_with_quizzes, create_user
from tests.pages import PASSWORD, log_in

PAGE_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
# Markup a strict CSP would block in the browser: it must not be in any page.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def page_routes() -> list[str]:
    """Every GET page route: each module's page router (kept out of the OpenAPI schema),
    found by walking the package, so a new pages module cannot be missed."""
    paths = set()
    for info in pkgutil.walk_packages(opsportal.__path__, "opsportal."):
        router = getattr(importlib.import_module(info.name), "router", None)
        if not isinstance(router, APIRouter) or router.include_in_schema:
            continue
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.add(router.prefix + route.path)
    return sorted(paths)


# Static files served at the address browsers ask for, cached like /static/.
STATIC_PAGES = {"/favicon.ico"}


def assert_secure_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    static = response.request.url.path in STATIC_PAGES
    for name, value in PAGE_HEADERS.items():
        expected = None if static and name == "cache-control" else value
        assert response.headers.get(name) == expected, f"{where}: {name}"
    csp = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in csp, f"{where}: {directive}"
    assert "unsafe" not in csp, where
    assert "strict-transport-security" not in response.headers  # not behind HTTPS here
    if response.headers.get("content-type", "").startswith("text/html"):
        found = INLINE_CODE.search(response.text)
        assert found is None, f"{where}: inline code {found.group(0) if found else ''!r}"


@pytest.fixture
def every_page(session: Session, settings: Settings) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A customer and an admin who can log in, and a real id for every path parameter."""
    create_user(session, role=Role.ADMIN, email="admin-pages@example.test", password=PASSWORD)
    learner, _ = create_user(
        session,
        role=Role.CUSTOMER,
        organization=None,
        email="learner-pages@example.test",
        password=PASSWORD,
    )
    track, quizzes = create_track_with_quizzes(session, settings=settings)
    certificate = certify(session, user=learner, track=track, quizzes=quizzes, settings=settings)
    attempt = attempts.start_attempt(
        session, principal=Principal.of(learner), quiz_id=quizzes[0].id
    )
    ids = {
        "organization_id": str(learner.organization_id),
        "course_id": str(quizzes[0].course_id),
        "quiz_id": str(quizzes[0].id),
        "attempt_id": str(attempt.attempt_id),
        "certificate_id": str(certificate.id),
        "track_id": str(track.id),
        "code": certificate.verification_code,
    }
    yield "learner-pages@example.test", "admin-pages@example.test", ids


def concrete(path: str, ids: dict[str, str]) -> str:
    # A parameter this test does not know gets an id that may not exist: the
    # 404 page must carry the same headers.
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids.get(m.group(1), "1"), path)


class TestEveryPageSendsTheSecurityHeaders:
    def test_the_page_routes_are_found(self) -> None:
        routes = page_routes()
        for expected in (
            "/login",
            "/training",
            "/organizations",
            "/verify/{code}",
            "/logout",
            "/training/attempts/{attempt_id}",
            "/admin",
            "/training/compliance",
            "/benchmarks/portfolio",
        ):
            assert expected in routes

    @pytest.mark.parametrize("who", ["anonymous", "customer", "admin"])
    def test_every_page_as(
        self,
        who: str,
        client: TestClient,
        every_page: tuple[str, str, dict[str, str]],
    ) -> None:
        learner_email, admin_email, ids = every_page
        if who != "anonymous":
            email = learner_email if who == "customer" else admin_email
            assert log_in(client, email).status_code == 303
        statuses = {}
        for path in page_routes():
            url = concrete(path, ids)
            response = client.get(url, follow_redirects=False)
            assert response.status_code < 500, url
            assert_secure_headers(response)
            statuses[path] = response.status_code
        # The headers were checked on the real pages, not only on redirects to the login form.
        if who == "customer":
            for path in ("/training", "/certificates", "/training/attempts/{attempt_id}"):
                assert statuses[path] == 200, path
            assert statuses["/certificates/{certificate_id}/pdf"] == 200  # a download
            assert statuses["/benchmarks/organizations/{organization_id}"] == 200
        if who == "admin":
            for path in ("/organizations", "/benchmarks/runs", "/training", "/logout"):
                assert statuses[path] == 200, path
        if who == "anonymous":
            assert statuses["/login"] == 200
            assert statuses["/verify/{code}"] == 200

    def test_api_answers_and_errors_carry_them_too(
        self, client: TestClient, session: Session
    ) -> None:
        customer = create_customer(session)
        for response in (
            client.get("/api/v1/me", headers=customer.headers),
            client.get("/api/v1/me"),
            client.get("/api/v1/organizations/999999", headers=customer.headers),
            client.get("/no-such-page"),
            client.get("/healthz"),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize("path", ["/static/style.css", "/favicon.ico"])
    def test_static_files_may_be_cached(self, client: TestClient, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "cache-control" not in response.headers


class TestFraming:
    @pytest.mark.parametrize("path", ["/login", "/training", "/verify/unknown"])
    def test_no_page_can_be_framed(self, client: TestClient, path: str) -> None:
        response = client.get(path, follow_redirects=False)
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class TestStrictTransportSecurity:
    def test_sent_when_the_cookie_is_secure(
        self, settings: Settings, session_factory: SessionFactory
    ) -> None:
        secure = settings.model_copy(update={"session_cookie_secure": True})
        with TestClient(create_app(secure, session_factory=session_factory)) as client:
            response = client.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")

    def test_not_sent_over_plain_http(self, client: TestClient) -> None:
        assert "strict-transport-security" not in client.get("/login").headers


class TestApiDocsWorkOffline:
    def test_docs_load_only_local_files_and_no_inline_script(self, client: TestClient) -> None:
        page = client.get("/docs")
        assert page.status_code == 200
        assert_secure_headers(page)
        assert "http://" not in page.text and "https://" not in page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
        for asset in assets:
            assert asset.startswith("/static/"), asset
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert response.headers["x-content-type-options"] == "nosniff"
        assert re.search(r'data-openapi-url="/openapi.json"', page.text)
        assert client.get("/openapi.json").status_code == 200

    def test_only_the_files_docs_needs_are_served(self, client: TestClient) -> None:
        assert client.get("/static/swagger-ui/swagger-ui.css").status_code == 200
        assert client.get("/static/swagger-ui/swagger-editor-bundle.js").status_code == 404
        assert client.get("/static/swagger-ui/../../config.py").status_code == 404

    def test_no_pages_fetch_from_the_internet(self, client: TestClient) -> None:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            response = client.get(path)
            assert "cdn.jsdelivr" not in response.text and "unpkg" not in response.text
        assert client.get("/redoc").status_code == 404
