"""The compliance pages without a browser: who sees what, the filters, the assign form's errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.models import Assignment, Organization, Role
from opsportal.models.base import utcnow
from tests.factories import create_organization, create_track_with_quizzes, create_user
from tests.pages import PASSWORD, log_in, post_form


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Assignment)) or 0)


@pytest.fixture
def org(session: Session) -> Organization:
    organization = create_organization(session, name="Acme")
    create_user(
        session,
        role=Role.CUSTOMER_ADMIN,
        organization=organization,
        email="boss@acme.test",
        password=PASSWORD,
    )
    create_user(
        session,
        organization=organization,
        email="learner@acme.test",
        password=PASSWORD,
        name="Lee Learner",
    )
    return organization


class TestAccess:
    def test_customer_admin_is_led_to_its_own_report(
        self, client: TestClient, org: Organization
    ) -> None:
        log_in(client, "boss@acme.test")
        page = client.get("/training/compliance")
        assert page.status_code == 200
        assert str(page.url).endswith(f"/training/compliance/organizations/{org.id}")
        assert "Training compliance: Acme" in page.text
        assert 'href="/training/compliance"' in page.text  # the Compliance link

    def test_another_organisation_is_not_found(
        self, client: TestClient, session: Session, org: Organization
    ) -> None:
        other = create_organization(session)
        log_in(client, "boss@acme.test")
        for path in ("", "/assign", "/compliance.csv"):
            url = f"/training/compliance/organizations/{other.id}{path}"
            assert client.get(url).status_code == 404

    def test_learners_have_no_compliance_pages(self, client: TestClient, org: Organization) -> None:
        log_in(client, "learner@acme.test")
        assert client.get(f"/training/compliance/organizations/{org.id}").status_code == 403
        assert 'href="/training/compliance"' not in client.get("/training").text

    def test_staff_overview_and_search(
        self, client: TestClient, session: Session, org: Organization
    ) -> None:
        create_user(session, role=Role.INTERNAL, email="ops@example.test", password=PASSWORD)
        log_in(client, "ops@example.test")
        page = client.get("/training/compliance", params={"q": "acm"})
        assert page.status_code == 200
        assert f'href="/training/compliance/organizations/{org.id}"' in page.text


class TestAssignForm:
    def test_assign_and_filter(
        self, client: TestClient, session: Session, org: Organization
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1, name="Ethics Basics")
        log_in(client, "boss@acme.test")
        form = f"/training/compliance/organizations/{org.id}/assign"
        due = (utcnow().date() + timedelta(days=20)).isoformat()
        response = post_form(
            client,
            form,
            from_page=form,
            data={"track_id": str(track.id), "due_on": due, "scope": "all"},
        )
        assert response.status_code == 303
        report = client.get(response.headers["location"])
        assert "Assigned to 2 users" in report.text
        assert "Ethics Basics" in report.text
        overdue = client.get(f"/training/compliance/organizations/{org.id}?show=overdue")
        assert "No assignments match this filter" in overdue.text
        assert (
            client.get(f"/training/compliance/organizations/{org.id}?show=soon").status_code == 422
        )

    def test_a_past_due_date_is_refused_and_nothing_written(
        self, client: TestClient, session: Session, org: Organization
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1)
        log_in(client, "boss@acme.test")
        form = f"/training/compliance/organizations/{org.id}/assign"
        response = post_form(
            client,
            form,
            from_page=form,
            data={"track_id": str(track.id), "due_on": "2001-01-01", "scope": "all"},
        )
        assert response.status_code == 422
        assert "dueOn must be today" in response.text
        assert count(session) == 0

    def test_chosen_users_without_a_choice(
        self, client: TestClient, session: Session, org: Organization
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1)
        log_in(client, "boss@acme.test")
        form = f"/training/compliance/organizations/{org.id}/assign"
        due = (utcnow().date() + timedelta(days=5)).isoformat()
        response = post_form(
            client,
            form,
            from_page=form,
            data={"track_id": str(track.id), "due_on": due, "scope": "chosen"},
        )
        assert response.status_code == 422
        assert "Choose at least one user" in response.text
        assert count(session) == 0

    def test_missing_track(self, client: TestClient, session: Session, org: Organization) -> None:
        log_in(client, "boss@acme.test")
        form = f"/training/compliance/organizations/{org.id}/assign"
        response = post_form(client, form, from_page=form, data={"due_on": "2001-01-01"})
        assert response.status_code == 422
        assert "Track" in response.text
        assert count(session) == 0


def test_learner_sees_my_training(client: TestClient, session: Session, org: Organization) -> None:
    track, _ = create_track_with_quizzes(session, courses=1, name="Speak Up")
    log_in(client, "boss@acme.test")
    form = f"/training/compliance/organizations/{org.id}/assign"
    due = (utcnow().date() + timedelta(days=9)).isoformat()
    post_form(
        client,
        form,
        from_page=form,
        data={"track_id": str(track.id), "due_on": due, "scope": "all"},
    )
    client.cookies.clear()
    log_in(client, "learner@acme.test")
    page = client.get("/training")
    assert "My training" in page.text
    assert "Speak Up" in page.text
    assert "Not started" in page.text
