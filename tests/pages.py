"""Helpers for page tests: CSRF tokens and signing in, over TestClient or in the browser."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
from fastapi.testclient import TestClient

from opsportal.i18n import _, using_locale

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


def log_in(
    client: TestClient, email: str, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "next": next_path,
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )


def post_form(
    client: TestClient,
    path: str,
    *,
    from_page: str,
    data: dict[str, str | list[str]] | None = None,
) -> httpx.Response:
    """Post a form the way the browser does: with the CSRF token of the page that shows it."""
    token = csrf_from(client.get(from_page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def browser_log_in(page: Page, email: str, password: str) -> None:
    """Log in by the form's labels (SPEC: Email, Password, Log in), in the page's language."""
    page.goto("/login")
    language = (page.locator("html").get_attribute("lang") or "en").replace("-", "_")
    with using_locale(language):
        labels = {"email": _("Email"), "password": _("Password"), "log_in": _("Log in")}
    page.get_by_label(labels["email"], exact=True).fill(email)
    page.get_by_label(labels["password"], exact=True).fill(password)
    page.get_by_role("button", name=labels["log_in"], exact=True).click()
    page.wait_for_load_state()
