"""The pages anyone may open: the accessibility statement, and the site's icon."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Role
from tests.factories import create_user
from tests.pages import log_in

FOOTER_LINK = '<a href="/accessibility"'


class TestAccessibilityStatement:
    def test_anyone_may_read_it(self, client: TestClient) -> None:
        page = client.get("/accessibility")
        assert page.status_code == 200
        assert "<h1>Accessibility statement</h1>" in page.text
        for promise in ("WCAG", "2.2", "level AA", "axe-core", "wcag22aa", "Keyboard-only"):
            assert promise in page.text
        for heading in ("Known limitations", "Extra time on timed quizzes", "Contact"):
            assert f">{heading}</h2>" in page.text
        assert 'aria-label="Main"' not in page.text  # no navigation for nobody

    def test_signed_in_it_keeps_the_navigation(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password="correct horse battery")
        log_in(client, user.email)
        page = client.get("/accessibility")
        assert 'aria-label="Main"' in page.text
        assert f'{FOOTER_LINK} aria-current="page">Accessibility</a>' in page.text

    def test_without_a_contact_it_names_no_address(self, client: TestClient) -> None:
        assert "mailto:" not in client.get("/accessibility").text

    @pytest.mark.parametrize("path", ["/login", "/accessibility", "/no-such-page"])
    def test_every_page_links_it_from_its_footer(self, client: TestClient, path: str) -> None:
        page = client.get(path)
        footer = page.text.split("<footer", 1)[1]
        assert FOOTER_LINK in footer
        assert '<a class="skip" href="#main">Skip to content</a>' in page.text


@pytest.fixture
def contact_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"accessibility_contact": "access@example.test"})


def test_the_contact_is_a_mail_link(contact_settings: Settings, session_factory: object) -> None:
    from opsportal.app import create_app

    app = create_app(contact_settings, session_factory=session_factory)  # type: ignore[arg-type]
    with TestClient(app) as client:
        page = client.get("/accessibility").text
    assert '<a href="mailto:access@example.test">access@example.test</a>' in page


def test_a_contact_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(ValueError, match="accessibility_contact"):
        Settings(accessibility_contact="write to us\nBcc: x@example.test")


class TestIcon:
    def test_favicon_ico_answers_with_an_icon(self, client: TestClient) -> None:
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
        assert "cache-control" not in icon.headers  # cached like the static files

    def test_pages_link_the_svg_icon(self, client: TestClient) -> None:
        assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").text
        svg = client.get("/static/favicon.svg")
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
