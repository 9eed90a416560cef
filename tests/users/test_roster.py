"""Roster import: a customer organisation's employees from a CSV, by the API, the command
line and the pages, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import Settings
from opsportal.errors import Conflict
from opsportal.models import (
    Assignment,
    AuditEntry,
    Organization,
    OutboxMessage,
    PasswordReset,
    Role,
    User,
)
from opsportal.users.roster import service as roster_service
from tests.factories import bearer, create_organization, create_track, create_user
from tests.pages import PASSWORD, csrf_from, log_in

runner = CliRunner()

ROSTER = (
    "email,name,role,externalId\n"
    "ada@example.test,Ada Lovelace,,E-1\n"
    "alan@example.test,Alan Turing,customer_admin,E-2\n"
    "grace@example.test,Grace Hopper,customer,\n"
)


def import_csv(
    client: TestClient,
    headers: dict[str, str],
    organization_id: int,
    text: str | bytes,
    **params: str,
) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/api/v1/organizations/{organization_id}/users/import",
        content=text.encode() if isinstance(text, str) else text,
        params=params,
        headers={**headers, "Content-Type": "text/csv"},
    )
    body: dict[str, object] = response.json()
    return response.status_code, body


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def written(session: Session) -> tuple[int, int, int, int]:
    """Rows an import writes: users, outbox messages, password links, audit entries."""
    return (
        count(session, User),
        count(session, OutboxMessage),
        count(session, PasswordReset),
        count(session, AuditEntry),
    )


@pytest.fixture
def organization(session: Session) -> Organization:
    return create_organization(session, name="Northwind")


class TestImport:
    def test_a_dry_run_says_what_would_happen_and_writes_nothing(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        before = written(session)
        status, body = import_csv(client, admin_headers, organization.id, ROSTER, dryRun="true")
        assert status == 200, body
        assert body == {"created": 3, "updated": 0, "unchanged": 0, "invited": 3, "errors": []}
        assert written(session) == before

    def test_creates_invites_and_assigns_the_required_tracks(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        track = create_track(session)
        track.is_required = True
        session.flush()
        status, body = import_csv(client, admin_headers, organization.id, ROSTER)
        assert status == 200, body
        assert body == {"created": 3, "updated": 0, "unchanged": 0, "invited": 3, "errors": []}
        users = {
            u.email: u
            for u in session.scalars(select(User).where(User.organization_id == organization.id))
        }
        assert set(users) == {"ada@example.test", "alan@example.test", "grace@example.test"}
        assert users["ada@example.test"].role is Role.CUSTOMER
        assert users["ada@example.test"].external_id == "E-1"
        assert users["alan@example.test"].role is Role.CUSTOMER_ADMIN
        assert users["grace@example.test"].external_id is None
        assert all(u.password_hash is None and u.is_active for u in users.values())
        mails = session.scalars(select(OutboxMessage.recipient)).all()
        assert sorted(mails) == sorted(users)
        assigned = session.scalars(
            select(Assignment.user_id).where(Assignment.track_id == track.id)
        ).all()
        assert sorted(assigned) == sorted(u.id for u in users.values())
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.import")).one()
        assert entry.target_id == organization.id
        assert entry.detail["created"] == 3 and entry.detail["invited"] == 3

    def test_a_second_import_updates_what_changed_only(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        assert import_csv(client, admin_headers, organization.id, ROSTER)[0] == 200
        changed = ROSTER.replace("Ada Lovelace,,E-1", "Ada King,,E-1").replace(
            "Grace Hopper,customer,", "Grace Hopper,customer,E-3"
        )
        changed = changed.replace("alan@example.test", "ALAN@example.test")
        status, body = import_csv(client, admin_headers, organization.id, changed)
        assert status == 200, body
        assert body == {"created": 0, "updated": 2, "unchanged": 1, "invited": 0, "errors": []}
        ada = session.scalars(select(User).where(User.email == "ada@example.test")).one()
        assert ada.name == "Ada King"
        updates = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "user.update", AuditEntry.target_id == ada.id
            )
        ).all()
        assert [u.detail["name"] for u in updates] == [{"from": "Ada Lovelace", "to": "Ada King"}]
        # Nobody was invited twice.
        assert count(session, OutboxMessage) == 3

    def test_without_invitations(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        status, body = import_csv(client, admin_headers, organization.id, ROSTER, invite="false")
        assert status == 200 and body["created"] == 3 and body["invited"] == 0
        assert count(session, OutboxMessage) == 0


class TestABadFileChangesNothing:
    @pytest.mark.parametrize(
        ("line", "column", "words"),
        [
            ("bob@example,Bob,,", None, None),  # a domain without a dot is an addr-spec
            ("bob example.test,Bob,,", "email", "valid email"),
            # A bare line break ends the record: what is left is a line of one cell.
            ("bob@example.test\r\nBcc: x@evil.test,Bob,,", None, "cells"),
            ('"bob@example.test\nBcc: x@evil.test",Bob,,', "email", "control characters"),
            ("bob@example.test,,,", "name", "empty"),
            ("bob@example.test,Bob\x07,,", "name", "control characters"),
            ("bob@example.test,Bob,admin,", "role", "customer_admin"),
            ("bob@example.test,Bob,,E-1", "externalId", "line 2 already"),
            ("ada@example.test,Ada Again,,", "email", "line 2 already"),
            ("bob@example.test,Bob", None, "cells"),
        ],
    )
    def test_one_bad_line_is_a_422_naming_it(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
        line: str,
        column: str | None,
        words: str | None,
    ) -> None:
        text = "email,name,role,externalId\nada@example.test,Ada,,E-1\n" + line + "\n"
        before = written(session)
        status, body = import_csv(client, admin_headers, organization.id, text)
        if words is None:
            assert status == 200  # the control case: a valid line
            return
        assert status == 422, body
        errors = body["errors"]
        assert isinstance(errors, list) and errors
        assert errors[0]["line"] == 3
        assert errors[0]["column"] == column
        assert words in errors[0]["message"]
        assert written(session) == before
        assert body["type"] and body["title"] and body["status"] == 422

    def test_every_bad_line_is_reported(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        text = (
            "Name,EMAIL,externalid\n"
            "Ada,ada@example.test,E-1\n"
            "Bob,not-an-email,E-2\n"
            "\n"
            ",carl@example.test,E-3\n"
        )
        status, body = import_csv(client, admin_headers, organization.id, text)
        assert status == 422
        assert body["errors"] == [
            {"field": "line 3, email", "line": 3, "column": "email",
             "message": "not a valid email address: must be one address of the form "
             "local@example.com"},
            {"field": "line 5, name", "line": 5, "column": "name", "message": "must not be empty"},
        ]  # fmt: skip

    def test_an_email_of_another_organization_is_refused_without_saying_whose(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
    ) -> None:
        other = create_organization(session, name="Contoso")
        create_user(session, role=Role.CUSTOMER, organization=other, email="taken@example.test")
        text = "email,name\nnew@example.test,New\ntaken@example.test,Someone\n"
        before = written(session)
        status, body = import_csv(client, admin_headers, organization.id, text)
        assert status == 422
        assert body["errors"] == [
            {"field": "line 3, email", "line": 3, "column": "email",
             "message": "taken@example.test is taken by an account outside this organization"}
        ]  # fmt: skip
        assert "Contoso" not in json.dumps(body)
        assert written(session) == before

    @pytest.mark.parametrize(
        ("data", "words"),
        [
            (b"", "empty"),
            (b"email,name\n", "no users"),
            (b"email,name,department\nada@example.test,Ada,R&D\n", "unknown column"),
            (b"name\nAda\n", "required"),
            (b"email,name\nada@example.test,Ad\xe9\n", "not UTF-8"),
            (b'email,name\n"ada@example.test,Ada\n', "unreadable"),
        ],
    )
    def test_a_bad_file_is_a_422(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        organization: Organization,
        data: bytes,
        words: str,
    ) -> None:
        before = written(session)
        status, body = import_csv(client, admin_headers, organization.id, data)
        assert status == 422, body
        assert words in json.dumps(body["errors"])
        assert written(session) == before

    def test_a_body_that_is_not_csv_is_a_415(
        self, client: TestClient, admin_headers: dict[str, str], organization: Organization
    ) -> None:
        response = client.post(
            f"/api/v1/organizations/{organization.id}/users/import",
            json={"email": "a@example.test"},
            headers=admin_headers,
        )
        assert response.status_code == 415
        assert response.headers["content-type"].startswith("application/problem+json")


class TestWhoMayImport:
    def test_a_customer_admin_imports_into_its_own_organization_only(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        manager, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization, email="boss@example.test"
        )
        other = create_organization(session)
        headers = bearer(token)
        status, body = import_csv(client, headers, organization.id, ROSTER)
        assert status == 200 and body["created"] == 3
        before = written(session)
        status, body = import_csv(client, headers, other.id, ROSTER.replace("example", "other"))
        assert status == 404
        assert written(session) == before
        # Its own role is not the roster's to change.
        status, body = import_csv(
            client, headers, organization.id, "email,name,role\nboss@example.test,Boss,customer\n"
        )
        assert status == 422 and body["errors"][0]["column"] == "role"

    @pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INTERNAL])
    def test_other_roles_are_refused(
        self, client: TestClient, session: Session, organization: Organization, role: Role
    ) -> None:
        _, token = create_user(
            session, role=role, organization=organization if role.is_customer else None
        )
        status, _ = import_csv(client, bearer(token), organization.id, ROSTER)
        assert status == 403

    def test_an_unknown_organization_is_a_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        assert import_csv(client, admin_headers, 999_999, ROSTER)[0] == 404


@pytest.mark.usefixtures("cli_session_factory")
class TestCommandLine:
    def test_imports_by_external_id_and_prints_the_summary(
        self, session: Session, tmp_path: Path
    ) -> None:
        organization = create_organization(session, external_id="ACME-7")
        path = tmp_path / "roster.csv"
        path.write_text(ROSTER, encoding="utf-8")
        result = runner.invoke(cli_app, ["import", "users", str(path), "--org", "ACME-7"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        assert summary == {"created": 3, "updated": 0, "unchanged": 0, "invited": 3}
        assert count(session, OutboxMessage) == 3
        names = session.scalars(
            select(User.name).where(User.organization_id == organization.id).order_by(User.name)
        ).all()
        assert names == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]

    def test_a_bad_line_exits_1_and_writes_nothing(self, session: Session, tmp_path: Path) -> None:
        organization = create_organization(session)
        path = tmp_path / "roster.csv"
        path.write_text(ROSTER + "bad-line,Someone,,\n", encoding="utf-8")
        before = written(session)
        result = runner.invoke(
            cli_app, ["import", "users", str(path), "--org", str(organization.id), "--no-invite"]
        )
        assert result.exit_code == 1
        assert "line 5, email" in result.stderr
        assert "nothing was imported" in result.stderr
        assert written(session) == before

    def test_no_invite_and_an_unknown_organization(self, session: Session, tmp_path: Path) -> None:
        organization = create_organization(session)
        path = tmp_path / "roster.csv"
        path.write_text(ROSTER, encoding="utf-8")
        result = runner.invoke(
            cli_app, ["import", "users", str(path), "--org", str(organization.id), "--no-invite"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout.strip().splitlines()[-1])["invited"] == 0
        assert count(session, OutboxMessage) == 0
        result = runner.invoke(cli_app, ["import", "users", str(path), "--org", "nope"])
        assert result.exit_code == 1 and "no organization" in result.stderr


class TestPages:
    def test_upload_preview_then_apply(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization,
            email="boss@example.test", password=PASSWORD,
        )  # fmt: skip
        assert log_in(client, "boss@example.test").status_code == 303
        form = client.get("/admin/users/import")
        assert form.status_code == 200 and "Roster file (CSV)" in form.text
        before = written(session)
        preview = client.post(
            "/admin/users/import",
            data={"csrf_token": csrf_from(form.text), "invite": "1"},
            files={"file": ("roster.csv", ROSTER.encode(), "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        assert "3 new users (each emailed an invitation), 0 updated, 0 unchanged" in preview.text
        assert "alan@example.test" in preview.text and "customer_admin" in preview.text
        assert written(session) == before

        applied = client.post(
            "/admin/users/import/apply",
            data={
                "csrf_token": csrf_from(preview.text),
                "invite": "1",
                "organization_id": str(organization.id),
                "csv_text": ROSTER.replace("\n", "\r\n"),
            },
            follow_redirects=True,
        )
        assert applied.status_code == 200
        assert "Roster imported into Northwind: 3 new (3 invited by email)" in applied.text
        assert count(session, User) == before[0] + 3

    def test_a_bad_file_shows_each_refused_line(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        create_user(session, role=Role.ADMIN, email="root@example.test", password=PASSWORD)
        assert log_in(client, "root@example.test").status_code == 303
        form = client.get("/admin/users/import")
        preview = client.post(
            "/admin/users/import",
            data={"csrf_token": csrf_from(form.text), "organization_id": str(organization.id)},
            files={"file": ("roster.csv", (ROSTER + "x,,boss,\n").encode(), "text/csv")},
        )
        assert preview.status_code == 422
        assert "nothing will be imported" in preview.text
        for words in ("not a valid email address", "must not be empty", "is not customer"):
            assert words in preview.text
        assert "/admin/users/import/apply" not in preview.text


class TestRaces:
    def test_a_user_made_between_preview_and_apply_is_a_conflict(
        self, session: Session, organization: Organization, settings: Settings
    ) -> None:
        plan = roster_service.plan_import(
            session,
            principal=None,
            organization=organization,
            roster=roster_service.read_roster(ROSTER.encode()),
            invite=True,
        )
        assert not plan.errors
        create_user(
            session, role=Role.CUSTOMER, organization=organization, email="grace@example.test"
        )
        with pytest.raises(Conflict, match="came first"):
            roster_service.apply_import(session, principal=None, plan=plan, settings=settings)
