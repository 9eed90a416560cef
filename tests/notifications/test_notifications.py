"""In-app notifications: the API, the page, marking read, and the unread count in the navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from opsportal.models import Notification, Role, User
from tests.factories import Customer, create_notification, create_user
from tests.pages import PASSWORD, log_in, post_form


def nav_link(html: str) -> str:
    """The navigation's notifications link, as a reader sees it."""
    match = re.search(r'<a href="/notifications"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no notifications link in the navigation"
    return re.sub(r'<span class="visually-hidden">[^<]*</span>', "", match.group(1)).strip()


class TestApi:
    def test_own_notifications_newest_first(
        self, client: TestClient, session: Session, customer: Customer
    ) -> None:
        old = create_notification(
            session, user=customer.user, title="Old", age=timedelta(days=2), read=True
        )
        new = create_notification(session, user=customer.user, title="New", link=None)
        other, _ = create_user(session, role=Role.CUSTOMER, organization=customer.organization)
        create_notification(session, user=other, title="Someone else's")

        response = client.get("/api/v1/notifications", headers=customer.headers)
        assert response.status_code == 200
        body = response.json()
        assert [n["id"] for n in body] == [new.id, old.id]
        assert set(body[0]) == {"id", "kind", "title", "body", "link", "createdAt", "readAt"}
        assert body[0]["readAt"] is None and body[0]["link"] is None
        assert body[1]["readAt"] is not None and body[1]["link"] == "/benchmarks"

    def test_limit_and_offset(
        self, client: TestClient, session: Session, customer: Customer
    ) -> None:
        made = [
            create_notification(session, user=customer.user, age=timedelta(minutes=i))
            for i in range(5)
        ]
        response = client.get("/api/v1/notifications?limit=2&offset=1", headers=customer.headers)
        assert [n["id"] for n in response.json()] == [made[1].id, made[2].id]

    def test_mark_read(self, client: TestClient, session: Session, customer: Customer) -> None:
        notification = create_notification(session, user=customer.user)
        response = client.post(
            f"/api/v1/notifications/{notification.id}/read", headers=customer.headers
        )
        assert response.status_code == 200
        read_at = response.json()["readAt"]
        assert read_at is not None
        # Again: still 200, and the first reading time stays.
        again = client.post(
            f"/api/v1/notifications/{notification.id}/read", headers=customer.headers
        )
        assert (again.status_code, again.json()["readAt"]) == (200, read_at)

    def test_someone_elses_is_not_found(
        self,
        client: TestClient,
        session: Session,
        customer: Customer,
        admin_headers: dict[str, str],
    ) -> None:
        other, _ = create_user(session, role=Role.CUSTOMER)
        theirs = create_notification(session, user=other)
        for headers in (customer.headers, admin_headers):
            response = client.post(f"/api/v1/notifications/{theirs.id}/read", headers=headers)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
        missing = client.post("/api/v1/notifications/999999/read", headers=customer.headers)
        assert missing.status_code == 404
        session.expire_all()
        stored = session.get(Notification, theirs.id)
        assert stored is not None and stored.read_at is None

    def test_needs_a_token(self, client: TestClient) -> None:
        assert client.get("/api/v1/notifications").status_code == 401


@pytest.fixture
def reader(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


class TestPage:
    def test_lists_and_marks_read(self, client: TestClient, session: Session, reader: User) -> None:
        first = create_notification(session, user=reader, title="Login rate: now “Below median”")
        second = create_notification(session, user=reader, title="Another")
        page = client.get("/notifications")
        assert page.status_code == 200
        assert "Login rate: now “Below median”" in page.text
        assert nav_link(page.text) == "Notifications (2)"

        response = post_form(client, f"/notifications/{first.id}/read", from_page="/notifications")
        assert (response.status_code, response.headers["location"]) == (303, "/notifications")
        assert nav_link(client.get("/notifications").text) == "Notifications (1)"

        response = post_form(client, "/notifications/read", from_page="/notifications")
        assert response.status_code == 303
        page = client.get("/notifications")
        assert nav_link(page.text) == "Notifications"
        assert "Mark as read" not in page.text
        session.expire_all()
        for notification in (first, second):
            stored = session.get(Notification, notification.id)
            assert stored is not None and stored.read_at is not None

    def test_mark_read_needs_the_csrf_token(
        self, client: TestClient, session: Session, reader: User
    ) -> None:
        notification = create_notification(session, user=reader)
        response = client.post(
            f"/notifications/{notification.id}/read",
            data={"csrf_token": "forged"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        session.expire_all()
        stored = session.get(Notification, notification.id)
        assert stored is not None and stored.read_at is None

    def test_someone_elses_is_not_found(
        self, client: TestClient, session: Session, reader: User
    ) -> None:
        other, _ = create_user(session, role=Role.CUSTOMER)
        theirs = create_notification(session, user=other, title="Not for you")
        assert "Not for you" not in client.get("/notifications").text
        response = post_form(client, f"/notifications/{theirs.id}/read", from_page="/notifications")
        assert response.status_code == 404

    def test_empty(self, client: TestClient, reader: User) -> None:
        page = client.get("/notifications")
        assert "No notifications" in page.text
        assert nav_link(page.text) == "Notifications"

    def test_needs_sign_in(self, client: TestClient) -> None:
        response = client.get("/notifications", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


class TestUnreadCount:
    def test_on_every_signed_in_page(
        self, client: TestClient, session: Session, reader: User
    ) -> None:
        for _ in range(3):
            create_notification(session, user=reader)
        create_notification(session, user=reader, read=True)
        for path in ("/training", "/certificates", "/notifications"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert nav_link(page.text) == "Notifications (3)", path
        assert "Notifications (3) unread" in re.sub(
            r'<span class="visually-hidden">([^<]*)</span>', r"\1", client.get("/training").text
        )

    def test_counts_up_to_99_plus(self, client: TestClient, session: Session, reader: User) -> None:
        for _ in range(101):
            create_notification(session, user=reader)
        assert nav_link(client.get("/training").text) == "Notifications (99+)"

    def test_staff_see_theirs_too(self, client: TestClient, session: Session) -> None:
        staff, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, staff.email)
        create_notification(session, user=staff)
        assert nav_link(client.get("/organizations").text) == "Notifications (1)"

    def test_costs_one_count_query(
        self, client: TestClient, session: Session, connection: Connection, reader: User
    ) -> None:
        create_notification(session, user=reader)
        statements: list[str] = []

        def record(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "notifications" in statement:
                statements.append(statement)

        event.listen(connection, "before_cursor_execute", record)
        try:
            client.get("/certificates")
        finally:
            event.remove(connection, "before_cursor_execute", record)
        assert len(statements) == 1
        assert "count" in statements[0].lower()
