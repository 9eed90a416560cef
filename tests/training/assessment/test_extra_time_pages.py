"""The user's page grants and withdraws a learner's extra time."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import (
    create_course,
    create_organization,
    create_quiz,
    create_track,
    create_user,
)
from tests.pages import PASSWORD, log_in, post_form


def timed_track(session: Session, name: str) -> int:
    track = create_track(session, name=name)
    create_quiz(session, course=create_course(session, track=track), timeLimitMinutes=10)
    return track.id


class TestTheUsersPage:
    def test_an_admin_grants_extra_minutes_for_a_track_and_removes_them(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        learner, _ = create_user(session, role=Role.CUSTOMER, name="Amira Haddad")
        track_id = timed_track(session, "Speak-up essentials")
        log_in(client, admin.email)
        page = f"/admin/users/{learner.id}"
        assert "Amira Haddad has no extra time." in client.get(page).text
        saved = post_form(
            client,
            f"{page}/extra-time",
            from_page=page,
            data={"track_id": str(track_id), "kind": "minutes", "amount": "15"},
        )
        assert saved.status_code == 303
        shown = client.get(saved.headers["location"]).text
        assert "Extra time saved for Speak-up essentials: 15 extra minutes." in shown
        assert "<strong>Speak-up essentials</strong>:" in shown
        removed = post_form(
            client,
            "/admin/extra-time/"
            + shown.split('action="/admin/extra-time/')[1].split("/remove")[0]
            + "/remove",
            from_page=page,
        )
        assert removed.status_code == 303
        assert "Amira Haddad has no extra time." in client.get(page).text

    def test_a_bad_amount_is_a_422_page_naming_it(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        learner, _ = create_user(session, role=Role.CUSTOMER)
        log_in(client, admin.email)
        page = f"/admin/users/{learner.id}"
        for data in (
            {"kind": "multiplier", "amount": "25"},
            {"kind": "minutes", "amount": "lots"},
            {"kind": "hours", "amount": "2"},
            {"kind": "minutes", "amount": "5", "track_id": "x"},
        ):
            response = post_form(client, f"{page}/extra-time", from_page=page, data=data)
            assert response.status_code == 422, data
        assert "has no extra time." in client.get(page).text

    def test_a_customer_admin_grants_its_customers_but_not_a_peer(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        manager, _ = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization, password=PASSWORD
        )
        learner, _ = create_user(session, role=Role.CUSTOMER, organization=organization)
        peer, _ = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
        log_in(client, manager.email)
        page = f"/admin/users/{learner.id}"
        assert "Grant extra time" in client.get(page).text
        saved = post_form(
            client,
            f"{page}/extra-time",
            from_page=page,
            data={"kind": "multiplier", "amount": "1.5"},
        )
        assert saved.status_code == 303
        shown = client.get(page).text
        assert "Extra time saved for every timed quiz: the time limit × 1.5." in shown
        own_page = client.get(f"/admin/users/{manager.id}").text
        assert "Grant extra time" not in own_page
        assert "A platform administrator grants extra time" in own_page
        refused = post_form(
            client, f"/admin/users/{peer.id}/extra-time", from_page=page,
            data={"kind": "minutes", "amount": "5"},
        )  # fmt: skip
        assert refused.status_code == 403
