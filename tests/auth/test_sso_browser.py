"""Single sign-on in Debian's Chromium: an organisation's admin sets SAML up in the pages,
and one of its people then signs in through the IdP (pysaml2's, on loopback) with the
HTTP-POST binding, starting from the login page's email."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy import select

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import OrganizationDomain, Role, User
from tests.auth.saml_idp import SamlIdp, free_loopback_socket, running_idp, serve
from tests.factories import create_organization, create_user
from tests.pages import PASSWORD, browser_log_in

pytest_plugins = ["tests.browser_fixtures"]
pytestmark = pytest.mark.browser


@pytest.fixture
def app_socket() -> socket.socket:
    return free_loopback_socket()


@pytest.fixture
def settings(database_url: str, app_socket: socket.socket) -> Settings:
    # The service provider's entity ID and ACS are built from the public URL: the live one.
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-with-enough-length",
        public_base_url=f"http://127.0.0.1:{app_socket.getsockname()[1]}",
        scheduler_enabled=False,
    )


@pytest.fixture
def live_server(live_app: FastAPI, app_socket: socket.socket) -> Iterator[str]:
    with serve(live_app, app_socket):
        yield f"http://127.0.0.1:{app_socket.getsockname()[1]}"


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[SamlIdp]:
    with running_idp(tmp_path) as running:
        yield running


def test_saml_set_up_in_the_pages_then_sign_in_through_the_idp(
    page: Page,
    live_server: str,
    idp: SamlIdp,
    committed_session_factory: SessionFactory,
    screenshot_dir: Path,
) -> None:
    with session_scope(committed_session_factory) as session:
        acme = create_organization(session, name="Acme")
        session.add(OrganizationDomain(domain="acme.example", organization_id=acme.id))
        create_user(
            session,
            role=Role.CUSTOMER_ADMIN,
            organization=acme,
            email="boss@acme-holding.example",
            name="Acme Boss",
            password=PASSWORD,
        )
        acme_id = acme.id

    # The organisation's admin turns SAML on in the pages.
    browser_log_in(page, "boss@acme-holding.example", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Single sign-on").click()
    expect(page.get_by_role("heading", name="Single sign-on: Acme")).to_be_visible()
    expect(page.get_by_text(f"{live_server}/auth/saml/{acme_id}/acs")).to_be_visible()
    page.get_by_label("SAML 2.0").check()
    page.get_by_label("Identity provider metadata XML").fill(idp.metadata_xml())
    page.get_by_label(
        "Create accounts for new people of our domains on their first sign-in"
    ).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Single sign-on saved.")
    page.screenshot(path=screenshot_dir / "sso-settings.png", full_page=True)
    page.get_by_role("link", name="Log out").click()

    # The IdP imports the service provider's metadata.
    idp.trust(httpx.get(f"{live_server}/auth/saml/{acme_id}/metadata").text)

    # One of Acme's people: the email alone, and the IdP does the rest (HTTP-POST back).
    idp.user.email = "sam@acme.example"
    idp.user.name = "Sam Learner"
    page.goto("/login?next=/training")
    page.get_by_label("Email").fill("sam@acme.example")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("p.who")).to_contain_text("Sam Learner")
    assert page.url == f"{live_server}/training"
    page.screenshot(path=screenshot_dir / "sso-signed-in.png", full_page=True)

    with committed_session_factory() as session:
        sam = session.scalars(select(User).where(User.email == "sam@acme.example")).one()
        assert (sam.role, sam.organization_id) == (Role.CUSTOMER, acme_id)


def test_password_users_still_log_in_with_email_and_password(
    page: Page, live_server: str, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        create_user(
            session, role=Role.CUSTOMER, email="pat@plain.example", name="Pat", password=PASSWORD
        )
    browser_log_in(page, "pat@plain.example", PASSWORD)
    expect(page.locator("p.who")).to_contain_text("Pat")
    page.get_by_role("link", name="Log out").click()
    page.get_by_label("Email").fill("pat@plain.example")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your password")
