"""Invitations: a user made without a password is emailed a one-time link to set one.

Delivered by the real outbox sender to a real SMTP server on loopback; the link
from the received email sets the password and the user signs in with it. No
link reaches a log: not the mail sender's, not the server's access log.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from datetime import timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import OutboxMessage, PasswordReset, Role
from opsportal.models.base import utcnow
from opsportal.notifications.mail import send_pending
from opsportal.users.invitations import new_password_link
from tests.factories import bearer, create_customer, create_organization, create_user
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server
from tests.pages import PASSWORD, csrf_from, log_in

__all__ = ["mail_settings", "smtp_server"]

NEW_PASSWORD = "my own passphrase"
LINK = re.compile(r"http://testserver(/set-password/[A-Za-z0-9_-]+)")


def invitations_to(session: Session, email: str) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
        )
    )


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no invitation link in {text!r}"
    return found[1]


def set_password(client: TestClient, path: str, password: str) -> int:
    token = csrf_from(client.get(path).text)
    response = client.post(
        path, data={"password": password, "password_again": password, "csrf_token": token}
    )
    return response.status_code


def create_via_api(
    client: TestClient, headers: dict[str, str], organization_id: int, email: str
) -> dict[str, object]:
    response = client.post(
        "/api/v1/users",
        json={"email": email, "name": "Grace Hopper", "role": "customer",
              "organizationId": organization_id},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


class TestInvitationByEmail:
    def test_smtp_delivers_a_link_that_sets_the_password_and_signs_in(
        self,
        client: TestClient,
        session: Session,
        session_factory: SessionFactory,
        admin_headers: dict[str, str],
        smtp_server: SmtpServer,
        mail_settings: Settings,
    ) -> None:
        organization = create_organization(session)
        create_via_api(client, admin_headers, organization.id, "grace@example.test")
        # Nobody can sign in yet: there is no password.
        assert log_in(client, "grace@example.test", NEW_PASSWORD).status_code == 401

        report = send_pending(session_factory, settings=mail_settings)
        assert report.sent == 1
        (received,) = smtp_server.recorder.received
        assert received.recipients == ["grace@example.test"]
        assert "set your password" in str(received.message["Subject"])
        path = link_in(received.message.get_content())

        assert set_password(client, path, NEW_PASSWORD) == 200
        assert log_in(client, "grace@example.test", NEW_PASSWORD).status_code == 303
        # The link works once.
        client.cookies.clear()
        assert client.get(path).status_code == 404

    def test_a_user_with_a_password_gets_no_invitation(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        response = client.post(
            "/api/v1/users",
            json={"email": "pw@example.test", "name": "Has One", "role": "customer",
                  "organizationId": organization.id, "password": "a long password"},
            headers=admin_headers,
        )  # fmt: skip
        assert response.status_code == 201
        assert invitations_to(session, "pw@example.test") == []
        again = client.post(
            f"/api/v1/users/{response.json()['id']}/invitation", headers=admin_headers
        )
        assert again.status_code == 409

    def test_the_link_expires_after_the_configured_days(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        settings: Settings,
    ) -> None:
        assert settings.invitation_days == 7
        organization = create_organization(session)
        created = create_via_api(client, admin_headers, organization.id, "later@example.test")
        link = session.scalars(
            select(PasswordReset).where(PasswordReset.user_id == created["id"])
        ).one()
        left = link.expires_at - utcnow()
        assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
        path = link_in(invitations_to(session, "later@example.test")[0].body)
        link.expires_at = utcnow() - timedelta(seconds=1)
        session.flush()
        assert client.get(path).status_code == 404

    def test_the_days_are_a_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OPSPORTAL_INVITATION_DAYS", "14")
        assert Settings().invitation_days == 14
        monkeypatch.setenv("OPSPORTAL_INVITATION_DAYS", "0")
        with pytest.raises(ValueError, match="invitation_days"):
            Settings()


class TestResending:
    def test_a_new_invitation_replaces_the_old_link(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        created = create_via_api(client, admin_headers, organization.id, "again@example.test")
        first = link_in(invitations_to(session, "again@example.test")[0].body)

        response = client.post(f"/api/v1/users/{created['id']}/invitation", headers=admin_headers)
        assert response.status_code == 202, response.text
        assert response.json()["email"] == "again@example.test"
        assert "set-password" not in response.text  # the link goes by email only
        mails = invitations_to(session, "again@example.test")
        assert len(mails) == 2
        second = link_in(mails[1].body)
        assert second != first
        assert client.get(first).status_code == 404
        assert client.get(second).status_code == 200

    def test_a_customer_admin_invites_its_own_users_only(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        manager, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
        own, _ = create_user(session, role=Role.CUSTOMER, organization=organization)
        stranger = create_customer(session).user
        headers = bearer(token)
        assert client.post(f"/api/v1/users/{own.id}/invitation", headers=headers).status_code == 202
        response = client.post(f"/api/v1/users/{stranger.id}/invitation", headers=headers)
        assert response.status_code == 404
        assert invitations_to(session, stranger.email) == []
        customer = create_customer(session, organization=organization)
        response = client.post(f"/api/v1/users/{own.id}/invitation", headers=customer.headers)
        assert response.status_code == 403

    def test_a_deactivated_user_is_not_invited(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        created = create_via_api(client, admin_headers, organization.id, "gone@example.test")
        client.patch(
            f"/api/v1/users/{created['id']}", json={"isActive": False}, headers=admin_headers
        )
        response = client.post(f"/api/v1/users/{created['id']}/invitation", headers=admin_headers)
        assert response.status_code == 409
        assert len(invitations_to(session, "gone@example.test")) == 1

    def test_the_users_page_sends_one(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        create_user(session, role=Role.ADMIN, email="boss@example.test", password=PASSWORD)
        created = create_via_api(client, admin_headers, organization.id, "page@example.test")
        assert log_in(client, "boss@example.test").status_code == 303
        page = client.get(f"/admin/users/{created['id']}")
        assert "Send invitation" in page.text
        response = client.post(
            f"/admin/users/{created['id']}/invitation",
            data={"csrf_token": csrf_from(page.text)},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert "Invitation sent to page@example.test" in response.text
        assert len(invitations_to(session, "page@example.test")) == 2


class TestNoLinkInAnyLog:
    def test_the_mail_sender_logs_no_link(
        self,
        client: TestClient,
        session: Session,
        session_factory: SessionFactory,
        admin_headers: dict[str, str],
        settings: Settings,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        assert settings.smtp_url is None  # the sender writes to the log instead
        organization = create_organization(session)
        with caplog.at_level(logging.DEBUG):
            create_via_api(client, admin_headers, organization.id, "quiet@example.test")
            assert send_pending(session_factory, settings=settings).sent == 1
        path = link_in(invitations_to(session, "quiet@example.test")[0].body)
        secret = path.rsplit("/", 1)[1]
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "quiet@example.test" in logged
        assert secret not in logged

    @pytest.mark.slow
    def test_the_access_log_shows_no_link(
        self, live_app: FastAPI, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            user, _ = create_user(session, role=Role.CUSTOMER, email="log@example.test")
            secret = new_password_link(
                session, user_id=user.id, expires_at=utcnow() + timedelta(days=1)
            )
        lines: list[str] = []
        with ServedWithAccessLog(live_app, lines) as base:
            assert httpx.get(f"{base}/set-password/{secret}").status_code == 200
            assert httpx.get(f"{base}/set-password%2F{secret}").status_code in (200, 404)
            assert httpx.get(f"{base}/healthz").status_code == 200
        assert any("/healthz" in line for line in lines), lines
        assert any("/set-password/[redacted]" in line for line in lines), lines
        assert not any(secret in line for line in lines), lines


class _Collect(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class ServedWithAccessLog:
    """A uvicorn server with its access log on (as `opsportal serve` runs), on loopback."""

    def __init__(self, app: FastAPI, lines: list[str]) -> None:
        self.app = app
        self.lines = lines

    def __enter__(self) -> str:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="info", access_log=True, lifespan="on")
        self.server = uvicorn.Server(config)
        self.handler = _Collect(self.lines)
        logging.getLogger("uvicorn.access").addHandler(self.handler)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
        logging.getLogger("uvicorn.access").removeHandler(self.handler)
