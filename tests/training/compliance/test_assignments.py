"""Assignments: who may assign what to whom, derived statuses, re-assigning, required tracks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Assignment, AuditEntry, Certificate, Organization, Role, TrackType
from opsportal.models.base import utcnow
from opsportal.training.compliance.wiring import install
from tests.factories import (
    bearer,
    certify,
    create_organization,
    create_track_with_quizzes,
    create_user,
    pass_quiz,
)

URL = "/api/v1/training/assignments"


def soon(days: int = 14) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def count_assignments(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Assignment)) or 0)


class Org:
    """An organisation with a customer_admin and two customer users."""

    def __init__(self, session: Session) -> None:
        self.organization: Organization = create_organization(session)
        admin, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=self.organization
        )
        self.admin = admin
        self.admin_headers = bearer(token)
        self.users = [create_user(session, organization=self.organization) for _ in range(2)]
        self.learner_headers = bearer(self.users[0][1])

    @property
    def id(self) -> int:
        return self.organization.id

    @property
    def user_ids(self) -> list[int]:
        return [u.id for u, _ in self.users]


@pytest.fixture
def org(session: Session) -> Org:
    return Org(session)


@pytest.fixture
def other(session: Session) -> Org:
    return Org(session)


@pytest.fixture
def track(session: Session) -> Any:
    return create_track_with_quizzes(session, courses=1)


def assign(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(URL, json=body, headers=headers)


class TestAssigning:
    def test_staff_assign_every_customer_user_of_an_organisation(
        self, client: TestClient, staff_headers: dict[str, str], org: Org, track: Any
    ) -> None:
        response = assign(
            client, staff_headers, trackId=track[0].id, organizationId=org.id, dueOn=soon()
        )
        assert response.status_code == 201, response.text
        body = response.json()
        # The customer_admin is a customer user too.
        assert body["created"] == 3
        assert {a["userId"] for a in body["assignments"]} == {org.admin.id, *org.user_ids}
        first = body["assignments"][0]
        assert set(first) >= {
            "id",
            "trackId",
            "userId",
            "organizationId",
            "dueOn",
            "status",
            "assignedAt",
            "completedAt",
        }
        assert first["status"] == "NOT_STARTED"
        assert first["dueOn"] == soon()

    def test_customer_admin_assigns_chosen_users_of_its_own_organisation(
        self, client: TestClient, session: Session, org: Org, track: Any
    ) -> None:
        response = assign(
            client,
            org.admin_headers,
            trackId=track[0].id,
            organizationId=org.id,
            userIds=org.user_ids[:1],
            dueOn=soon(),
        )
        assert response.status_code == 201, response.text
        assert [a["userId"] for a in response.json()["assignments"]] == org.user_ids[:1]
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "training_assignment.assign")
        ).one()
        assert entry.actor_id == org.admin.id
        assert entry.target_id == org.id

    def test_assigning_again_moves_the_due_day_and_never_duplicates(
        self, client: TestClient, session: Session, org: Org, track: Any
    ) -> None:
        first = assign(
            client, org.admin_headers, trackId=track[0].id, organizationId=org.id, dueOn=soon(10)
        )
        again = assign(
            client, org.admin_headers, trackId=track[0].id, organizationId=org.id, dueOn=soon(40)
        )
        assert first.json()["created"] == 3
        assert again.status_code == 201
        assert again.json()["created"] == 0
        assert {a["dueOn"] for a in again.json()["assignments"]} == {soon(40)}
        assert count_assignments(session) == 3

    def test_plain_customer_may_not_assign(
        self, client: TestClient, session: Session, org: Org, track: Any
    ) -> None:
        response = assign(
            client, org.learner_headers, trackId=track[0].id, organizationId=org.id, dueOn=soon()
        )
        assert response.status_code == 403
        assert count_assignments(session) == 0


class TestTenancy:
    """A customer_admin never reaches another organisation, and learns nothing about it."""

    def test_another_organisation_is_not_found(
        self, client: TestClient, session: Session, org: Org, other: Org, track: Any
    ) -> None:
        response = assign(
            client, org.admin_headers, trackId=track[0].id, organizationId=other.id, dueOn=soon()
        )
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert count_assignments(session) == 0

    def test_unknown_organisation_reads_the_same(
        self, client: TestClient, org: Org, track: Any
    ) -> None:
        response = assign(
            client, org.admin_headers, trackId=track[0].id, organizationId=999_999, dueOn=soon()
        )
        assert response.status_code == 404

    def test_another_organisations_users_are_refused_and_nothing_is_written(
        self, client: TestClient, session: Session, org: Org, other: Org, track: Any
    ) -> None:
        response = assign(
            client,
            org.admin_headers,
            trackId=track[0].id,
            organizationId=org.id,
            userIds=[org.user_ids[0], other.user_ids[0]],
            dueOn=soon(),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "userIds.1"
        assert count_assignments(session) == 0

    def test_reading_another_organisations_assignments_is_not_found(
        self, client: TestClient, org: Org, other: Org, track: Any, staff_headers: dict[str, str]
    ) -> None:
        assign(client, staff_headers, trackId=track[0].id, organizationId=other.id, dueOn=soon())
        assert (
            client.get(
                URL, params={"organizationId": other.id}, headers=org.admin_headers
            ).status_code
            == 404
        )
        own = client.get(URL, headers=org.admin_headers).json()
        assert own["total"] == 0
        report = f"/api/v1/training/compliance/organizations/{other.id}"
        assert client.get(report, headers=org.admin_headers).status_code == 404
        assert client.get(report + "/compliance.csv", headers=org.admin_headers).status_code == 404

    def test_a_customer_sees_only_its_own_assignments(
        self, client: TestClient, org: Org, track: Any, staff_headers: dict[str, str]
    ) -> None:
        assign(client, staff_headers, trackId=track[0].id, organizationId=org.id, dueOn=soon())
        mine = client.get(URL, headers=org.learner_headers).json()
        assert [a["userId"] for a in mine["items"]] == [org.user_ids[0]]
        someone_else = client.get(
            URL, params={"userId": org.user_ids[1]}, headers=org.learner_headers
        )
        assert someone_else.status_code == 404
        report = f"/api/v1/training/compliance/organizations/{org.id}"
        assert client.get(report, headers=org.learner_headers).status_code == 403


class TestBadInput:
    """Each mistake is a 422 naming its field, and nothing is written."""

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"dueOn": "2001-01-01"}, "dueOn"),
            ({"trackId": 999_999}, "trackId"),
            ({"dueOn": "tomorrow"}, "dueOn"),
            ({"userIds": [0]}, "userIds"),
            ({"userIds": []}, "userIds"),
        ],
    )
    def test_refused(
        self,
        client: TestClient,
        session: Session,
        org: Org,
        track: Any,
        change: dict[str, Any],
        field: str,
    ) -> None:
        body = {"trackId": track[0].id, "organizationId": org.id, "dueOn": soon(), **change}
        response = client.post(URL, json=body, headers=org.admin_headers)
        assert response.status_code == 422, response.text
        assert field in response.text
        assert count_assignments(session) == 0

    def test_inactive_track(self, client: TestClient, session: Session, org: Org) -> None:
        track, _ = create_track_with_quizzes(session, courses=1, is_active=False)
        response = assign(
            client, org.admin_headers, trackId=track.id, organizationId=org.id, dueOn=soon()
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "trackId"

    def test_internal_track(
        self, client: TestClient, session: Session, org: Org, staff_headers: dict[str, str]
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1, type=TrackType.INTERNAL)
        response = assign(
            client, staff_headers, trackId=track.id, organizationId=org.id, dueOn=soon()
        )
        assert response.status_code == 422
        assert count_assignments(session) == 0

    def test_non_customer_user(
        self,
        client: TestClient,
        session: Session,
        org: Org,
        track: Any,
        staff_headers: dict[str, str],
    ) -> None:
        internal, _ = create_user(session, role=Role.INTERNAL)
        response = assign(
            client,
            staff_headers,
            trackId=track[0].id,
            organizationId=org.id,
            userIds=[internal.id],
            dueOn=soon(),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "userIds.0"
        assert count_assignments(session) == 0

    def test_user_listed_twice(self, client: TestClient, org: Org, track: Any) -> None:
        response = assign(
            client,
            org.admin_headers,
            trackId=track[0].id,
            organizationId=org.id,
            userIds=[org.user_ids[0]] * 2,
            dueOn=soon(),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "userIds.1"


class TestDerivedStatus:
    """Statuses are derived when read: certificates complete and reopen assignments."""

    def status_of(self, client: TestClient, headers: dict[str, str]) -> str:
        items = client.get(URL, headers=headers).json()["items"]
        assert len(items) == 1
        return str(items[0]["status"])

    def test_progress_completion_expiry_revocation(
        self,
        client: TestClient,
        session: Session,
        org: Org,
        settings: Settings,
        admin_headers: dict[str, str],
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=2)
        learner = org.users[0][0]
        assign(
            client,
            org.admin_headers,
            trackId=track.id,
            organizationId=org.id,
            userIds=[learner.id],
            dueOn=soon(),
        )
        assert self.status_of(client, org.learner_headers) == "NOT_STARTED"
        pass_quiz(session, user=learner, quiz=quizzes[0])
        assert self.status_of(client, org.learner_headers) == "IN_PROGRESS"
        certificate = certify(
            session, user=learner, track=track, quizzes=quizzes, settings=settings
        )
        item = client.get(URL, headers=org.learner_headers).json()["items"][0]
        assert item["status"] == "COMPLETED"
        assert item["completedAt"] is not None
        # Expired: the assignment reopens, overdue once its due day has passed.
        session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.execute(update(Assignment).values(due_on=utcnow().date() - timedelta(days=1)))
        session.expire_all()
        assert self.status_of(client, org.learner_headers) == "OVERDUE"
        # A new certificate, then revoked: open again.
        fresh = certify(session, user=learner, track=track, quizzes=quizzes, settings=settings)
        assert self.status_of(client, org.learner_headers) == "COMPLETED"
        revoked = client.post(
            f"/api/v1/training/certificates/{fresh.id}/revoke",
            json={"reason": "issued in error"},
            headers=admin_headers,
        )
        assert revoked.status_code == 200
        assert self.status_of(client, org.learner_headers) == "OVERDUE"

    def test_status_filter(
        self, client: TestClient, session: Session, org: Org, settings: Settings
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        assign(client, org.admin_headers, trackId=track.id, organizationId=org.id, dueOn=soon())
        certify(session, user=org.users[0][0], track=track, quizzes=quizzes, settings=settings)
        done = client.get(URL, params={"status": "COMPLETED"}, headers=org.admin_headers).json()
        assert [a["userId"] for a in done["items"]] == [org.user_ids[0]]
        assert done["total"] == 1
        bad = client.get(URL, params={"status": "LATE"}, headers=org.admin_headers)
        assert bad.status_code == 422


class TestRequiredTracks:
    """A required track is assigned to every new customer user, however the user is made."""

    @pytest.fixture
    def required(self, session: Session, settings: Settings) -> Any:
        install(settings.model_copy(update={"training_due_days": 21}))
        track, _ = create_track_with_quizzes(session, courses=1)
        track.is_required = True
        session.flush()
        return track

    def test_through_the_api(
        self, client: TestClient, session: Session, required: Any, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        response = client.post(
            "/api/v1/users",
            json={
                "email": "new@example.test",
                "name": "New Person",
                "role": "customer",
                "organizationId": organization.id,
            },
            headers=admin_headers,
        )
        assert response.status_code == 201
        made = session.scalars(
            select(Assignment).where(Assignment.user_id == response.json()["id"])
        ).one()
        assert made.track_id == required.id
        assert made.due_on == utcnow().date() + timedelta(days=21)

    def test_staff_users_get_none(
        self, client: TestClient, session: Session, required: Any, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json={"email": "staff@example.test", "name": "Staff", "role": "internal"},
            headers=admin_headers,
        )
        assert response.status_code == 201
        assert count_assignments(session) == 0
