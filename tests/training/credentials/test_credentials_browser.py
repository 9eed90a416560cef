"""In a real browser: claiming a certificate, copying its link, the phone layout, sharing it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import create_track_with_quizzes, create_user, pass_quiz
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"


def test_claim_copy_share_and_read_on_a_phone(
    page: Page,
    live_server: str,
    committed_session_factory: SessionFactory,
    settings: Settings,
    screenshot_dir: Path,
) -> None:
    with session_scope(committed_session_factory) as session:
        user, _ = create_user(
            session,
            role=Role.CUSTOMER,
            email="learner@example.test",
            name="Dorothy Vaughan",
            password=PASSWORD,
        )
        track, quizzes = create_track_with_quizzes(
            session, settings=settings, courses=1, name="Customer Data Handling Foundations"
        )
        for quiz in quizzes:
            pass_quiz(session, user=user, quiz=quiz)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    browser_log_in(page, "learner@example.test", PASSWORD)
    page.goto("/training")
    page.get_by_role("button", name="Get your certificate").click()

    notice = page.get_by_role("status").filter(has_text="Certificate issued")
    expect(notice).to_be_visible()
    link_field = page.get_by_label("Verification link")
    expect(link_field).to_have_attribute("readonly", "")
    verification_url = link_field.input_value()
    assert verification_url.startswith("http://testserver/verify/")  # the configured public URL
    page.wait_for_load_state("load")  # copy-link.js (deferred) is listening from here on
    page.bring_to_front()  # the Clipboard API wants a focused document
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied to the clipboard")).to_be_attached()
    assert page.evaluate("navigator.clipboard.readText()") == verification_url
    linkedin = notice.get_by_role("link", name="Add to LinkedIn profile")
    assert (linkedin.get_attribute("href") or "").startswith(
        "https://www.linkedin.com/profile/add?"
    )
    page.screenshot(path=screenshot_dir / "certificate-claimed.png", full_page=True)

    # On a phone: no sideways scroll, and "Download PDF" is on screen, not past the edge.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/certificates")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    download = page.get_by_role("link", name="Download PDF of CERT-")
    download.scroll_into_view_if_needed()
    expect(download).to_be_visible()
    box = download.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=screenshot_dir / "certificates-phone.png", full_page=True)

    # The holder's own certificate page: the badge explained, LinkedIn for the holder only.
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("link", name="Share or add to a wallet for CERT-").click()
    expect(page.get_by_role("heading", name="Your digital badge")).to_be_visible()
    expect(page.get_by_text("Import it into a digital wallet or badge backpack")).to_be_visible()
    badge = page.get_by_role("link", name="Download badge file (Open Badges 3.0)")
    expect(badge).to_be_visible()
    # Its address is on the configured public URL (http://testserver); fetched here instead.
    path = urlsplit(badge.get_attribute("href") or "").path
    saved = page.request.get(f"{live_server}{path}").headers["content-disposition"]
    assert 'filename="open-badge-customer-data-handling-foundations-CERT-' in saved
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    page.screenshot(path=screenshot_dir / "certificate-badge.png", full_page=True)

    # The public page speaks to a verifier: who, what, valid until; the rest folded away.
    code = verification_url.rsplit("/", 1)[1]
    page.goto(f"/verify/{code}")
    expect(page.get_by_text("Valid certificate")).to_be_visible()
    expect(page.get_by_text("Dorothy Vaughan")).to_be_visible()
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_have_count(0)
    keys = page.get_by_role("link", name="Issuer's public keys (JWK Set)")
    expect(keys).to_be_hidden()
    page.get_by_text("Technical details").click()
    expect(keys).to_be_visible()
    credential = page.get_by_role("link", name="Signed credential (Open Badges 3.0)")
    expect(credential).to_be_visible()
    page.screenshot(path=screenshot_dir / "verify-technical-details.png", full_page=True)
    response = page.request.get(f"{live_server}/api/v1/certificates/verify/{code}/credential")
    assert response.ok and response.headers["content-type"] == "application/vc+jwt"
    assert not [e for e in errors if "Content Security Policy" in e], errors
