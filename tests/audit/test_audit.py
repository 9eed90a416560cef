"""The audit trail: one row for each kind of change, written in the change's own transaction
(none for a change rolled back), never a password or a token; read by admins only."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal import audit
from opsportal.cli import app as cli_app
from opsportal.db import SessionFactory, session_scope
from opsportal.metrics.service import utc_today
from opsportal.models import AuditEntry, Organization, Role, User
from opsportal.tenants.schemas import OrganizationCreate
from opsportal.tenants.service import create_organization as service_create_organization
from tests.factories import (
    Customer,
    bearer,
    certify,
    create_organization,
    create_track_with_quizzes,
    create_user,
    sample_questions,
)
from tests.pages import PASSWORD, csrf_from, log_in, post_form

runner = CliRunner()


@pytest.fixture
def admin(session: Session) -> tuple[User, dict[str, str]]:
    user, token = create_user(session, role=Role.ADMIN)
    return user, bearer(token)


def entries(session: Session, action: str, actor: User | None = None) -> list[AuditEntry]:
    """The rows of one action (by one actor: the factories' own changes are recorded too)."""
    session.expire_all()
    query = select(AuditEntry).where(AuditEntry.action == action)
    if actor is not None:
        query = query.where(AuditEntry.actor_id == actor.id)
    return list(session.scalars(query.order_by(AuditEntry.id)))


def only(session: Session, action: str, actor: User | None = None) -> AuditEntry:
    found = entries(session, action, actor)
    assert len(found) == 1, (action, [e.detail for e in found])
    return found[0]


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json() if response.content else {}
    return body


class TestUsersRolesAndTokens:
    def test_each_change_is_recorded_with_its_actor(
        self, client: TestClient, session: Session, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        org = create_organization(session)
        created = ok(
            client.post(
                "/api/v1/users",
                json={"email": "rec@example.test", "name": "Rec", "role": "customer",
                      "organizationId": org.id, "password": "a secret passphrase"},
                headers=headers,
            ),
            201,
        )  # fmt: skip
        row = only(session, "user.create", actor)
        assert (row.actor_id, row.target_type, row.target_id) == (actor.id, "user", created["id"])
        assert row.detail["role"] == "customer" and row.detail["withPassword"] is True

        ok(client.patch(f"/api/v1/users/{created['id']}", json={"role": "customer_admin"},
                        headers=headers))  # fmt: skip
        assert only(session, "user.update").detail == {
            "role": {"from": "customer", "to": "customer_admin"}
        }
        ok(client.patch(f"/api/v1/users/{created['id']}", json={"isActive": False},
                        headers=headers))  # fmt: skip
        assert entries(session, "user.update")[-1].detail == {
            "isActive": {"from": True, "to": False}
        }
        # A change that changes nothing records nothing.
        ok(client.patch(f"/api/v1/users/{created['id']}", json={"isActive": False},
                        headers=headers))  # fmt: skip
        assert len(entries(session, "user.update")) == 2
        ok(client.patch(f"/api/v1/users/{created['id']}", json={"isActive": True},
                        headers=headers))  # fmt: skip

        issued = ok(
            client.post(f"/api/v1/users/{created['id']}/tokens",
                        json={"label": "etl", "expiresInDays": 5}, headers=headers),
            201,
        )  # fmt: skip
        row = only(session, "token.issue", actor)
        assert (row.actor_id, row.target_id) == (actor.id, issued["id"])
        assert row.detail["userId"] == created["id"] and row.detail["label"] == "etl"
        ok(client.delete(f"/api/v1/tokens/{issued['id']}", headers=headers), 204)
        assert only(session, "token.revoke").target_id == issued["id"]

        link = ok(client.post(f"/api/v1/users/{created['id']}/password-link", headers=headers), 201)
        assert only(session, "user.password_link").target_id == created["id"]
        path = link["url"].removeprefix("http://testserver")
        client.post(
            path,
            data={"password": "another passphrase", "password_again": "another passphrase",
                  "csrf_token": csrf_from(client.get(path).text)},
        )  # fmt: skip
        row = only(session, "user.password_set")
        assert row.actor_id == created["id"]

        self.assert_no_secrets(session, ["a secret passphrase", "another passphrase",
                                         issued["token"], path.rsplit("/", 1)[1]])  # fmt: skip

    @staticmethod
    def assert_no_secrets(session: Session, secrets: list[str]) -> None:
        session.expire_all()
        trail = json.dumps([e.detail for e in session.scalars(select(AuditEntry))])
        for secret in secrets:
            assert secret not in trail
        assert "$argon2" not in trail

    def test_a_customer_admins_changes_are_recorded_too(
        self, client: TestClient, session: Session, customer: Customer
    ) -> None:
        manager, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=customer.organization
        )
        old_name = customer.user.name
        ok(client.patch(f"/api/v1/users/{customer.user.id}", json={"name": "Renamed"},
                        headers=bearer(token)))  # fmt: skip
        row = only(session, "user.update")
        assert row.actor_id == manager.id and row.detail == {
            "name": {"from": old_name, "to": "Renamed"}
        }

    def test_the_command_line_is_recorded_without_an_actor(
        self, session: Session, cli_session_factory: SessionFactory
    ) -> None:
        result = runner.invoke(
            cli_app,
            ["user", "create", "--email", "cli@example.test", "--name", "Cli", "--role", "admin",
             "--password", "cli password 1"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        user_id = json.loads(result.stdout)["id"]
        created = [e for e in entries(session, "user.create") if e.target_id == user_id]
        issued = [e for e in entries(session, "token.issue") if e.detail["userId"] == user_id]
        assert len(created) == len(issued) == 1
        assert created[0].actor_id is None and issued[0].actor_id is None
        self.assert_no_secrets(session, ["cli password 1", json.loads(result.stdout)["token"]])


class TestOrganizations:
    def test_create_update_and_import(
        self,
        client: TestClient,
        session: Session,
        admin: tuple[User, dict[str, str]],
        tmp_path: Path,
        cli_session_factory: SessionFactory,
    ) -> None:
        actor, headers = admin
        created = ok(
            client.post("/api/v1/organizations", json={"name": "Acme", "externalId": "acme-1"},
                        headers=headers),
            201,
        )  # fmt: skip
        row = only(session, "organization.create")
        assert (row.actor_id, row.target_id) == (actor.id, created["id"])
        assert row.detail["name"] == "Acme" and row.detail["externalId"] == "acme-1"

        ok(client.patch(f"/api/v1/organizations/{created['id']}",
                        json={"status": "CHURNED", "name": "Acme"}, headers=headers))  # fmt: skip
        assert only(session, "organization.update").detail == {
            "status": {"from": "ACTIVE", "to": "CHURNED"}
        }

        csv_file = tmp_path / "orgs.csv"
        csv_file.write_text("externalId,name\nacme-1,Acme Inc\nnew-2,Newco\n", encoding="utf-8")
        result = runner.invoke(cli_app, ["import", "organizations", str(csv_file)])
        assert result.exit_code == 0, result.output
        row = only(session, "organization.import")
        assert row.actor_id is None and row.detail == {"created": 1, "updated": 1}


class TestTraining:
    def test_authoring_and_revocation(
        self,
        client: TestClient,
        session: Session,
        admin: tuple[User, dict[str, str]],
        settings: Any,
    ) -> None:
        actor, headers = admin
        track = ok(
            client.post(
                "/api/v1/training/tracks",
                json={"name": "Speak Up", "type": "CUSTOMER", "level": "FOUNDATION",
                      "version": "1.0"},
                headers=headers,
            ),
            201,
        )  # fmt: skip
        assert only(session, "track.create", actor).target_id == track["id"]
        ok(client.patch(f"/api/v1/training/tracks/{track['id']}", json={"version": "1.1"},
                        headers=headers))  # fmt: skip
        assert only(session, "track.update", actor).detail == {
            "version": {"from": "1.0", "to": "1.1"}
        }

        course = ok(
            client.post(f"/api/v1/training/tracks/{track['id']}/courses",
                        json={"title": "Why", "content": "# Why\n\nLong text."}, headers=headers),
            201,
        )  # fmt: skip
        assert only(session, "course.create", actor).target_id == course["id"]
        ok(client.patch(f"/api/v1/training/courses/{course['id']}",
                        json={"content": "# Why\n\nOther text."}, headers=headers))  # fmt: skip
        # Long texts are named, not copied.
        assert only(session, "course.update", actor).detail == {"content": {"changed": True}}

        quiz_path = f"/api/v1/training/courses/{course['id']}/quiz"
        ok(client.put(quiz_path, json={"questions": sample_questions()}, headers=headers))
        row = only(session, "quiz.create", actor)
        assert row.actor_id == actor.id and row.detail["questions"] == 5
        ok(client.put(quiz_path, json={"questions": sample_questions()[:2]}, headers=headers))
        assert only(session, "quiz.replace", actor).detail["questions"] == 2

        learner, _ = create_user(session, role=Role.INTERNAL)
        certified_track, quizzes = create_track_with_quizzes(session, courses=1)
        certificate = certify(
            session, user=learner, track=certified_track, quizzes=quizzes, settings=settings
        )
        ok(client.post(f"/api/v1/training/certificates/{certificate.id}/revoke",
                       json={"reason": "Issued in error"}, headers=headers))  # fmt: skip
        row = only(session, "certificate.revoke")
        assert (row.actor_id, row.target_id) == (actor.id, certificate.id)
        assert row.detail["reason"] == "Issued in error"


class TestBenchmarksAndMetrics:
    def test_runs_started_by_hand_and_metric_imports(
        self,
        client: TestClient,
        session: Session,
        admin: tuple[User, dict[str, str]],
        tmp_path: Path,
        cli_session_factory: SessionFactory,
    ) -> None:
        actor, headers = admin
        org = create_organization(session)
        day = (utc_today() - timedelta(days=1)).isoformat()
        ok(
            client.post(
                "/api/v1/metrics/values",
                json={"values": [{"organizationId": org.id, "metric": "login_rate",
                                  "value": 50, "recordedOn": day}]},
                headers=headers,
            )
        )  # fmt: skip
        row = only(session, "metric_values.import")
        assert row.actor_id == actor.id
        assert row.detail == {
            "accepted": 1, "organizations": 1, "metrics": ["login_rate"], "from": day, "to": day
        }  # fmt: skip

        csv_file = tmp_path / "values.csv"
        csv_file.write_text(f"organization,metric,value,recordedOn\n{org.id},login_rate,60,{day}\n")
        assert runner.invoke(cli_app, ["import", "values", str(csv_file)]).exit_code == 0
        assert entries(session, "metric_values.import")[-1].actor_id is None

        summary = ok(client.post("/api/v1/benchmarks/calculate", headers=headers))
        row = only(session, "benchmark_run.start")
        assert (row.actor_id, row.target_id) == (actor.id, summary["runId"])
        assert row.detail["trigger"] == "api"

    def test_the_run_now_button_and_the_command_line(
        self, client: TestClient, session: Session, cli_session_factory: SessionFactory
    ) -> None:
        admin_user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin_user.email)
        assert (
            post_form(client, "/benchmarks/runs", from_page="/benchmarks/runs").status_code == 303
        )
        assert runner.invoke(cli_app, ["benchmarks", "compute"]).exit_code == 0
        rows = entries(session, "benchmark_run.start")
        assert [(r.actor_id, r.detail["trigger"]) for r in rows] == [
            (admin_user.id, "web"), (None, "cli")
        ]  # fmt: skip


class TestSameTransaction:
    def test_a_rolled_back_change_leaves_no_row(self, session: Session) -> None:
        before = len(entries(session, "organization.create"))
        savepoint = session.begin_nested()
        service_create_organization(session, data=OrganizationCreate(name="Ghost"))
        assert len(entries(session, "organization.create")) == before + 1
        savepoint.rollback()
        assert len(entries(session, "organization.create")) == before
        assert (
            session.scalars(select(Organization).where(Organization.name == "Ghost")).first()
            is None
        )

    def test_committed_for_real_or_not_at_all(
        self, committed_session_factory: SessionFactory
    ) -> None:
        with pytest.raises(RuntimeError):
            with session_scope(committed_session_factory) as session:
                service_create_organization(session, data=OrganizationCreate(name="Rolled Back"))
                raise RuntimeError("the request failed after the change")
        with session_scope(committed_session_factory) as session:
            service_create_organization(session, data=OrganizationCreate(name="Kept"))
        with committed_session_factory() as session:
            names = [e.detail["name"] for e in entries(session, "organization.create")]
        assert names == ["Kept"]

    def test_a_failed_api_change_records_nothing(
        self, client: TestClient, session: Session, admin: tuple[User, dict[str, str]]
    ) -> None:
        _, headers = admin
        create_organization(session, external_id="taken")
        response = client.post(
            "/api/v1/organizations", json={"name": "Dup", "externalId": "taken"}, headers=headers
        )
        assert response.status_code == 409
        assert [
            e for e in entries(session, "organization.create") if e.detail["name"] == "Dup"
        ] == []

    def test_secrets_are_refused(self, session: Session) -> None:
        with pytest.raises(ValueError, match="secret"):
            audit.record(session, actor=None, action="x", target_type="user", target_id=1,
                         detail={"newPassword": "hunter2"})  # fmt: skip


class TestReadingTheTrail:
    def test_admins_read_it_newest_first_paginated(
        self, client: TestClient, session: Session, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        for n in range(3):
            ok(
                client.post("/api/v1/organizations", json={"name": f"Org {n}"}, headers=headers),
                201,
            )
        page = ok(client.get("/api/v1/audit", params={"limit": 2, "action": "organization.create"},
                             headers=headers))  # fmt: skip
        assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
        assert [item["detail"]["name"] for item in page["items"]] == ["Org 2", "Org 1"]
        item = page["items"][0]
        assert set(item) == {"id", "at", "actorId", "action", "targetType", "targetId", "detail"}
        assert item["actorId"] == actor.id and item["targetType"] == "organization"
        rest = ok(client.get("/api/v1/audit", params={"offset": 2, "action": "organization.create"},
                             headers=headers))  # fmt: skip
        assert [i["detail"]["name"] for i in rest["items"]] == ["Org 0"]
        by_target = ok(client.get("/api/v1/audit", params={"targetType": "organization",
                                                           "targetId": item["targetId"]},
                                  headers=headers))  # fmt: skip
        assert [i["id"] for i in by_target["items"]] == [item["id"]]

    def test_only_admins(
        self,
        client: TestClient,
        staff_headers: dict[str, str],
        customer: Customer,
        session: Session,
    ) -> None:
        assert client.get("/api/v1/audit").status_code == 401
        assert client.get("/api/v1/audit", headers=staff_headers).status_code == 403
        assert client.get("/api/v1/audit", headers=customer.headers).status_code == 403
        manager, token = create_user(session, role=Role.CUSTOMER_ADMIN)
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 403

    def test_the_page(self, client: TestClient, session: Session) -> None:
        admin_user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        service_create_organization(session, data=OrganizationCreate(name="Audited <b>Org</b>"))
        log_in(client, admin_user.email)
        page = client.get("/admin/audit", params={"action": "organization.create"})
        assert page.status_code == 200
        assert "Organization created" in page.text and "Command line" in page.text
        # The details are text in the page, with markup characters escaped.
        assert "<b>Org" not in page.text and "<dt>Name</dt><dd>Audited &lt;b&gt;Org" in page.text
