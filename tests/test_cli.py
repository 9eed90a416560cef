"""The fixed CLI verbs: db upgrade, user create, import organizations."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.db import SessionFactory, make_engine
from opsportal.models import ApiToken, Organization, OrganizationStatus, User
from opsportal.models.base import utcnow
from tests.factories import bearer, create_organization

runner = CliRunner()


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orgs.csv"
    path.write_text(text, encoding="utf-8")
    return path


class TestDbUpgrade:
    def test_creates_schema_on_fresh_sqlite(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from opsportal.config import get_settings

        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        monkeypatch.setenv("OPSPORTAL_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            result = runner.invoke(cli_app, ["db", "upgrade"])
            again = runner.invoke(cli_app, ["db", "upgrade"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        assert again.exit_code == 0, again.output
        engine = make_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"organizations", "users", "api_tokens", "alembic_version"} <= tables


@pytest.mark.usefixtures("cli_session_factory")
class TestUserCreate:
    def test_prints_id_and_a_working_token(self, client: TestClient, session: Session) -> None:
        result = runner.invoke(
            cli_app,
            ["user", "create", "--email", "new@example.test", "--name", "New", "--role", "admin"],
        )
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert set(printed) == {"id", "token"}
        me = client.get("/api/v1/me", headers=bearer(printed["token"]))
        assert me.status_code == 200
        assert me.json()["id"] == printed["id"]
        assert me.json()["role"] == "admin"

    def test_customer_with_org_and_password(self, session: Session) -> None:
        org = create_organization(session)
        result = runner.invoke(
            cli_app,
            [
                "user", "create", "--email", "c@example.test", "--name", "C",
                "--role", "customer", "--org", str(org.id), "--password", "long-enough-pw",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        user = session.get(User, json.loads(result.stdout)["id"])
        assert user is not None and user.organization_id == org.id
        assert user.password_hash and "long-enough-pw" not in user.password_hash

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--role", "customer"], "belongs to exactly one organization"),
            (["--role", "customer", "--org", "999999"], "does not exist"),
            (["--role", "admin", "--password", "short"], "at least 8"),
        ],
    )
    def test_invalid_users_are_refused(
        self, session: Session, extra: list[str], message: str
    ) -> None:
        result = runner.invoke(
            cli_app, ["user", "create", "--email", "x@example.test", "--name", "X", *extra]
        )
        assert result.exit_code == 1
        assert message in result.stderr
        assert session.scalar(select(func.count()).select_from(User)) == 0

    def test_customer_admin_and_an_expiring_token(
        self, client: TestClient, session: Session
    ) -> None:
        org = create_organization(session)
        result = runner.invoke(
            cli_app,
            [
                "user", "create", "--email", "ca@example.test", "--name", "CA",
                "--role", "customer_admin", "--org", str(org.id), "--token-expires-days", "3",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert client.get("/api/v1/me", headers=bearer(printed["token"])).json()["role"] == (
            "customer_admin"
        )
        token = session.scalars(select(ApiToken).where(ApiToken.user_id == printed["id"])).one()
        assert token.expires_at is not None
        assert abs(token.expires_at - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)

    @pytest.mark.parametrize("days", ["0", "-1", "3651", "soon"])
    def test_token_expiry_must_be_a_sensible_number_of_days(self, days: str) -> None:
        result = runner.invoke(
            cli_app,
            ["user", "create", "--email", "x@e.test", "--name", "X", "--role", "admin",
             "--token-expires-days", days],
        )  # fmt: skip
        assert result.exit_code == 2

    def test_unknown_role_is_a_usage_error(self) -> None:
        result = runner.invoke(
            cli_app, ["user", "create", "--email", "x@e.test", "--name", "X", "--role", "boss"]
        )
        assert result.exit_code == 2

    def test_duplicate_email_is_refused(self, session: Session) -> None:
        args = ["user", "create", "--email", "dup@example.test", "--name", "D", "--role", "admin"]
        assert runner.invoke(cli_app, args).exit_code == 0
        second = runner.invoke(cli_app, args)
        assert second.exit_code == 1
        assert "already exists" in second.stderr


@pytest.mark.usefixtures("cli_session_factory")
class TestImportOrganizations:
    def test_creates_then_updates_by_external_id(self, tmp_path: Path, session: Session) -> None:
        first = write_csv(
            tmp_path,
            "externalId,name,industrySector,employeeCount,status\n"
            "ext-1,Acme,Retail,120,ACTIVE\n"
            "ext-2,Globex,Energy,,CHURNED\n",
        )
        result = runner.invoke(cli_app, ["import", "organizations", str(first)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"created": 2, "updated": 0, "total": 2}

        second = write_csv(
            tmp_path,
            "externalId,name,industrySector,employeeCount,status\n"
            "ext-1,Acme Corp,Retail,150,INACTIVE\n",
        )
        result = runner.invoke(cli_app, ["import", "organizations", str(second)])
        assert json.loads(result.stdout) == {"created": 0, "updated": 1, "total": 1}
        orgs = {o.external_id: o for o in session.scalars(select(Organization))}
        assert orgs["ext-1"].name == "Acme Corp"
        assert orgs["ext-1"].employee_count == 150
        assert orgs["ext-1"].status is OrganizationStatus.INACTIVE
        assert orgs["ext-2"].employee_count is None
        assert orgs["ext-2"].status is OrganizationStatus.CHURNED

    @pytest.mark.parametrize(
        ("bad_line", "message"),
        [
            ("ext-9,Bad Size,Retail,many,ACTIVE", "Line 4: employeeCount"),
            ("ext-9,Bad Status,Retail,10,ASLEEP", "Line 4: status"),
            (",No Id,Retail,10,ACTIVE", "Line 4: externalId is required"),
            ("ext-9,,Retail,10,ACTIVE", "Line 4: name"),
            ("ext-1,Repeat,Retail,10,ACTIVE", "Line 4: externalId 'ext-1' repeats line 2"),
        ],
    )
    def test_a_bad_line_writes_nothing(
        self, tmp_path: Path, session: Session, bad_line: str, message: str
    ) -> None:
        path = write_csv(
            tmp_path,
            "externalId,name,industrySector,employeeCount,status\n"
            "ext-1,Fine,Retail,10,ACTIVE\n"
            "ext-2,Also Fine,Retail,20,ACTIVE\n"
            f"{bad_line}\n",
        )
        result = runner.invoke(cli_app, ["import", "organizations", str(path)])
        assert result.exit_code == 1
        assert message in result.stderr
        assert session.scalar(select(func.count()).select_from(Organization)) == 0

    def test_missing_columns_are_named(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path, "id,title\n1,x\n")
        result = runner.invoke(cli_app, ["import", "organizations", str(path)])
        assert result.exit_code == 1
        assert "missing externalId, name" in result.stderr

    def test_missing_file_is_a_usage_error(self, tmp_path: Path) -> None:
        result = runner.invoke(cli_app, ["import", "organizations", str(tmp_path / "nope.csv")])
        assert result.exit_code == 2


def test_cli_factory_is_the_test_transaction(cli_session_factory: SessionFactory) -> None:
    from opsportal.cli import base as cli

    assert cli.session_factory() is cli_session_factory
