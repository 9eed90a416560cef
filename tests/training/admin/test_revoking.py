"""Revoking a certificate from the admin list: a confirmation step that names what is revoked,
Cancel that changes nothing, the list's filters kept, the holder told, the PDF marked."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import AuditEntry, Certificate, Notification, OutboxMessage, Role, User
from opsportal.notifications.mail import send_pending
from tests.factories import certify, create_track_with_quizzes, create_user
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server  # noqa: F401
from tests.pages import PASSWORD, csrf_from, log_in

# The list as the admin left it: a track, a status, a search and the second page.
FILTERS = {"status": "ACTIVE", "q": "grace", "page": "2"}


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD, name="Ada Admin")
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def holder(session: Session) -> User:
    user, _ = create_user(
        session, name="Grace Hopper", email="grace@example.test", password=PASSWORD
    )
    return user


@pytest.fixture
def certificate(session: Session, holder: User, settings: Settings) -> Certificate:
    track, quizzes = create_track_with_quizzes(session, settings=settings, name="Speak Up")
    read = certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)
    row = session.get(Certificate, read.id)
    assert row is not None
    return row


@pytest.fixture
def holder_client(app: FastAPI, holder: User) -> Iterator[TestClient]:
    """The holder, signed in on a browser of their own."""
    with TestClient(app, raise_server_exceptions=False) as other:
        assert log_in(other, holder.email).status_code == 303
        yield other


def filtered(certificate: Certificate) -> dict[str, str]:
    return {"track": str(certificate.track_id), **FILTERS}


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def revoke_link(page: str, certificate: Certificate) -> str:
    """The row's "Revoke…" link, as the admin would follow it."""
    start = page.index(f'href="/admin/certificates/{certificate.id}/revoke')
    return page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")


def confirm(client: TestClient, url: str, reason: str) -> tuple[str, object]:
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, data={"reason": reason, "csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    return page.text, response


def revocations(session: Session) -> list[str]:
    return list(
        session.scalars(select(AuditEntry.action).where(AuditEntry.action == "certificate.revoke"))
    )


class TestConfirmation:
    def test_the_list_leads_to_a_confirmation_naming_holder_number_and_track(
        self, client: TestClient, session: Session, admin: User, certificate: Certificate
    ) -> None:
        listing = client.get("/admin/certificates", params={"q": "grace"}).text
        # No reason box and no revoking straight from the row any more.
        assert 'name="reason"' not in listing.split("<dialog")[0]
        url = revoke_link(listing, certificate)
        assert query_of(url) == {"q": "grace"}
        page = client.get(url).text
        assert f"Revoke certificate {certificate.certificate_number}?" in page
        for fact in ("Grace Hopper", certificate.certificate_number, "Speak Up"):
            assert fact in page
        assert "cannot be undone" in page and "the holder is told" in page
        assert 'for="reason">Reason (required)</label>' in page
        assert session.get(Certificate, certificate.id).revoked_at is None  # type: ignore[union-attr]

    def test_cancel_goes_back_to_the_same_list_and_changes_nothing(
        self, client: TestClient, session: Session, admin: User, certificate: Certificate
    ) -> None:
        page = client.get(
            f"/admin/certificates/{certificate.id}/revoke", params=filtered(certificate)
        ).text
        cancel = page.split('class="button secondary" href="')[1].split('"')[0]
        assert cancel.startswith("/admin/certificates?")
        assert query_of(cancel.replace("&amp;", "&")) == filtered(certificate)
        assert client.get(cancel.replace("&amp;", "&")).status_code == 200
        session.expire_all()
        assert session.get(Certificate, certificate.id).revoked_at is None  # type: ignore[union-attr]
        assert revocations(session) == []
        assert session.scalars(select(Notification)).all() == []

    def test_a_blank_reason_is_asked_for_again_and_keeps_the_filters(
        self, client: TestClient, session: Session, admin: User, certificate: Certificate
    ) -> None:
        url = f"/admin/certificates/{certificate.id}/revoke"
        page = client.get(url, params=filtered(certificate)).text
        refused = client.post(
            url,
            params=filtered(certificate),
            data={"reason": "   ", "csrf_token": csrf_from(page)},
            follow_redirects=False,
        )
        assert refused.status_code == 422 and 'id="reason-error"' in refused.text
        action = refused.text.split(f'action="{url}?')[1].split('"')[0].replace("&amp;", "&")
        assert query_of("?" + action) == filtered(certificate)
        assert session.get(Certificate, certificate.id).revoked_at is None  # type: ignore[union-attr]


class TestRevoking:
    def test_returns_to_the_same_filtered_page(
        self, client: TestClient, session: Session, admin: User, certificate: Certificate
    ) -> None:
        url = f"/admin/certificates/{certificate.id}/revoke?" + "&".join(
            f"{k}={v}" for k, v in filtered(certificate).items()
        )
        _, done = confirm(client, url, "Shared answers")
        assert done.status_code == 303  # type: ignore[attr-defined]
        location = done.headers["location"]  # type: ignore[attr-defined]
        assert location.startswith("/admin/certificates?")
        assert location.endswith(f"#certificate-{certificate.id}")
        assert query_of(location.split("#")[0]) == filtered(certificate)
        session.expire_all()
        stored = session.get(Certificate, certificate.id)
        assert stored is not None and stored.revoked_reason == "Shared answers"
        assert revocations(session) == ["certificate.revoke"]

    def test_a_foreign_address_in_the_filters_stays_a_filter(
        self, client: TestClient, session: Session, admin: User, certificate: Certificate
    ) -> None:
        url = f"/admin/certificates/{certificate.id}/revoke?q=//evil.example/&page=x"
        page = client.get(url)
        assert page.status_code == 422  # a page number that is not one: refused, nothing done
        _, done = confirm(
            client, f"/admin/certificates/{certificate.id}/revoke?q=//evil.example/", "Fraud"
        )
        location = done.headers["location"]  # type: ignore[attr-defined]
        assert location.startswith("/admin/certificates?q=")
        assert query_of(location.split("#")[0]) == {"q": "//evil.example/"}

    def test_the_holder_is_notified_in_the_app(
        self,
        client: TestClient,
        holder_client: TestClient,
        session: Session,
        admin: User,
        certificate: Certificate,
    ) -> None:
        confirm(client, f"/admin/certificates/{certificate.id}/revoke", "Answers were shared")
        told = session.scalars(select(Notification.user_id)).all()
        assert told == [certificate.user_id]  # the holder, and no one else
        page = holder_client.get("/notifications").text
        assert "Certificate revoked: Speak Up" in page
        assert "Answers were shared" in page
        assert f'href="/certificates/{certificate.id}"' in page
        own = holder_client.get(f"/certificates/{certificate.id}").text
        assert "This certificate was revoked on" in own and "Answers were shared" in own
        assert "Add to LinkedIn" not in own

    def test_the_holder_is_emailed(
        self,
        client: TestClient,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,  # noqa: F811
        smtp_server: SmtpServer,  # noqa: F811
        admin: User,
        certificate: Certificate,
    ) -> None:
        confirm(client, f"/admin/certificates/{certificate.id}/revoke", "Answers were shared")
        report = send_pending(session_factory, settings=mail_settings)
        assert report.sent == 1
        [received] = smtp_server.recorder.received
        assert received.recipients == ["grace@example.test"]
        assert received.message["Subject"] == (
            f"opsportal: your certificate {certificate.certificate_number} was revoked"
        )
        body = received.message.get_content()
        assert "Reason: Answers were shared" in body
        assert "Speak Up" in body and "no longer valid" in body
        assert f"http://testserver/certificates/{certificate.id}" in body

    def test_revoking_through_the_api_tells_the_holder_too(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        holder: User,
        certificate: Certificate,
    ) -> None:
        response = client.post(
            f"/api/v1/training/certificates/{certificate.id}/revoke",
            json={"reason": "Issued in error"},
            headers=admin_headers,
        )
        assert response.status_code == 200
        [notice] = session.scalars(select(Notification).where(Notification.user_id == holder.id))
        assert notice.kind == "certificate_revoked" and "Issued in error" in notice.body
        [mail] = session.scalars(select(OutboxMessage))
        assert mail.recipient == "grace@example.test"


class TestRevokedPdf:
    def test_the_pdf_says_revoked_with_date_and_reason(
        self,
        client: TestClient,
        holder_client: TestClient,
        session: Session,
        admin: User,
        admin_headers: dict[str, str],
        certificate: Certificate,
    ) -> None:
        before = holder_client.get(f"/certificates/{certificate.id}/pdf")
        assert "REVOKED" not in PdfReader(io.BytesIO(before.content)).pages[0].extract_text()
        confirm(client, f"/admin/certificates/{certificate.id}/revoke", "Answers were shared")
        session.expire_all()
        revoked_on = session.get(Certificate, certificate.id).revoked_at.date().isoformat()  # type: ignore[union-attr]
        for pdf in (
            holder_client.get(f"/certificates/{certificate.id}/pdf"),
            client.get(
                f"/api/v1/training/certificates/{certificate.id}/pdf", headers=admin_headers
            ),
        ):
            assert pdf.status_code == 200
            reader = PdfReader(io.BytesIO(pdf.content))
            text = " ".join(reader.pages[0].extract_text().split())
            assert f"REVOKED on {revoked_on}: Answers were shared" in text
            assert "(REVOKED)" in str(reader.metadata.title)  # type: ignore[union-attr]

    def test_the_verification_page_says_revoked(
        self, client: TestClient, admin: User, certificate: Certificate
    ) -> None:
        confirm(client, f"/admin/certificates/{certificate.id}/revoke", "Answers were shared")
        page = client.get(f"/verify/{certificate.verification_code}").text
        assert "Revoked certificate" in page and "no longer attests the training" in page
        assert "Valid certificate" not in page
