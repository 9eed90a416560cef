"""Emails and names go into mail headers: one plain address, no line break, on every way in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.addresses import email_problem, name_problem, sender_problem
from opsportal.cli import app as cli_app
from opsportal.config import Settings
from opsportal.models import Organization, Role, User
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, log_in, post_form

runner = CliRunner()

BAD_EMAILS = [
    "victim@x.test\r\nBcc: attacker@evil.test",
    "victim@x.test\nBcc: attacker@evil.test",
    "victim@x.test\rattacker@evil.test",
    "victim@x.test, attacker@evil.test",
    "Victim <victim@x.test>",
    "victim(comment)@x.test",
    "vic tim@x.test",
    "victim\x85@x.test",
    "victim\u2028@x.test",
    "victim@x\u2029.test",
    "victim@x.test\x00",
    "victim@@x.test",
    "not-an-email",
    "@x.test",
    "victim@",
    "a..b@x.test",
    "zoë@x.test",
    "x" * 65 + "@x.test",
    "a@" + "b" * 250 + ".test",
]
BAD_NAMES = ["Eve\r\nBcc: attacker@evil.test", "Eve\nMallory", "Eve\rX", "Eve\x00", "Eve\u2028X"]


class TestTheRules:
    @pytest.mark.parametrize(
        "email",
        ["kim.lee@example.test", "Kim.Lee+ops@Example.test", '"kim lee"@example.test',
         "a@localhost", "a@[192.0.2.1]", "o'brien@xn--bcher-kva.example"],
    )  # fmt: skip
    def test_plain_addresses_pass(self, email: str) -> None:
        assert email_problem(email) is None

    @pytest.mark.parametrize("email", BAD_EMAILS)
    def test_anything_else_is_refused(self, email: str) -> None:
        assert email_problem(email) is not None

    def test_names_take_any_text_but_control_characters(self) -> None:
        assert name_problem("Zoë Łukasz-Ångström (Ops) <team>, “QA”") is None
        assert all(name_problem(name) is not None for name in BAD_NAMES)

    def test_the_sender_must_be_one_address(self) -> None:
        assert sender_problem("Ops Portal <ops@example.test>") is None
        assert sender_problem("ops@example.test") is None
        for bad in ["ops@example.test, x@y.test", "ops@example.test\nBcc: x@y.test", "nobody"]:
            assert sender_problem(bad) is not None
            with pytest.raises(ValueError):
                Settings(mail_from=bad)


@pytest.fixture
def organization(session: Session) -> Organization:
    return create_organization(session)


@pytest.fixture
def customer_admin_headers(session: Session, organization: Organization) -> dict[str, str]:
    """The attacker of the report: a customer_admin creating users in its organisation."""
    _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
    return bearer(token)


def users_named(session: Session, text: str) -> int:
    query = select(func.count()).where(User.email.contains(text) | User.name.contains(text))
    return int(session.scalar(query) or 0)


class TestTheApi:
    @pytest.mark.parametrize("email", BAD_EMAILS)
    def test_a_bad_email_is_422_naming_it(
        self,
        client: TestClient,
        session: Session,
        customer_admin_headers: dict[str, str],
        email: str,
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json={"email": email, "name": "Victim", "role": "customer"},
            headers=customer_admin_headers,
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == ["email"]
        assert users_named(session, "victim") == 0

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_a_bad_name_is_422_naming_it_on_create_and_on_update(
        self,
        client: TestClient,
        session: Session,
        customer_admin_headers: dict[str, str],
        name: str,
    ) -> None:
        created = client.post(
            "/api/v1/users",
            json={"email": "eve@example.test", "name": name, "role": "customer"},
            headers=customer_admin_headers,
        )
        assert created.status_code == 422, created.text
        assert [e["field"] for e in created.json()["errors"]] == ["name"]

        fine = client.post(
            "/api/v1/users",
            json={"email": "eve@example.test", "name": "Eve", "role": "customer"},
            headers=customer_admin_headers,
        )
        assert fine.status_code == 201, fine.text
        renamed = client.patch(
            f"/api/v1/users/{fine.json()['id']}",
            json={"name": name},
            headers=customer_admin_headers,
        )
        assert renamed.status_code == 422, renamed.text
        assert [e["field"] for e in renamed.json()["errors"]] == ["name"]
        assert users_named(session, "Mallory") + users_named(session, "attacker") == 0


class TestThePages:
    def test_the_create_form_refuses_a_line_break_in_the_email(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        response = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={
                "email": "victim@x.test\r\nBcc: attacker@evil.test",
                "name": "Victim",
                "role": "internal",
            },
        )
        assert response.status_code == 422, response.text
        assert "email" in response.text and "line breaks" in response.text
        assert users_named(session, "attacker") == 0

    def test_the_edit_form_refuses_a_line_break_in_the_name(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        member, _ = create_user(session, organization=organization)
        assert log_in(client, admin.email).status_code == 303
        response = post_form(
            client,
            f"/admin/users/{member.id}",
            from_page=f"/admin/users/{member.id}",
            data={"name": "Eve\r\nMallory", "role": "customer",
                  "organization_id": str(organization.id)},
        )  # fmt: skip
        assert response.status_code == 422, response.text
        assert "name" in response.text
        assert users_named(session, "Mallory") == 0


@pytest.mark.usefixtures("cli_session_factory")
class TestTheCommandLine:
    @pytest.mark.parametrize(
        ("email", "name", "field"),
        [
            ("victim@x.test\nBcc: attacker@evil.test", "Victim", "line breaks"),
            ("victim@x.test, attacker@evil.test", "Victim", "Not an email address"),
            ("victim@x.test", "Victim\nBcc: attacker@evil.test", "line breaks"),
        ],
    )
    def test_user_create_refuses_it(
        self, session: Session, email: str, name: str, field: str
    ) -> None:
        result = runner.invoke(
            cli_app, ["user", "create", "--email", email, "--name", name, "--role", "admin"]
        )
        assert result.exit_code == 1, result.output
        assert field in result.stderr
        assert users_named(session, "victim") == 0
