"""The user management pages: admins for everyone, a customer_admin for its organisation;
every form carries the CSRF token; tokens and links shown once."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.auth.service import issue_token
from opsportal.models import ApiToken, Organization, OutboxMessage, Role, User
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, log_in, post_form


def signed_in(client: TestClient, session: Session, role: Role, **fields: object) -> User:
    user, _ = create_user(session, role=role, password=PASSWORD, **fields)  # type: ignore[arg-type]
    assert log_in(client, user.email).status_code == 303
    return user


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([A-Za-z ]+)</(?:a|button)>", nav)


@pytest.fixture
def organization(session: Session) -> Organization:
    return create_organization(session)


class TestNavigation:
    def test_admin_gets_users_and_audit(self, client: TestClient, session: Session) -> None:
        signed_in(client, session, Role.ADMIN)
        links = nav_links(client.get("/training").text)
        assert "Users" in links and "Audit" in links

    def test_customer_admin_gets_users_only(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        signed_in(client, session, Role.CUSTOMER_ADMIN, organization=organization)
        links = nav_links(client.get("/training").text)
        assert "Users" in links and "Audit" not in links
        assert "Organizations" not in links

    @pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INTERNAL])
    def test_others_get_neither_and_are_refused(
        self, client: TestClient, session: Session, role: Role
    ) -> None:
        signed_in(client, session, role)
        links = nav_links(client.get("/training").text)
        assert "Users" not in links and "Audit" not in links
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/audit").status_code == 403

    def test_anonymous_is_sent_to_log_in(self, client: TestClient) -> None:
        response = client.get("/admin/users", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/admin/users"


class TestAdminPages:
    def test_creates_a_user_with_a_password(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        response = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={
                "email": "pat@example.test",
                "name": "Pat Doe",
                "role": "customer",
                "organization_id": str(organization.id),
                "password": "long enough password",
            },
        )
        assert response.status_code == 303
        created = session.scalars(select(User).where(User.email == "pat@example.test")).one()
        assert response.headers["location"] == f"/admin/users/{created.id}"
        assert created.organization_id == organization.id
        detail = client.get(response.headers["location"])
        assert "Pat Doe" in detail.text and "can log in with the password given" in detail.text

    def test_creates_a_user_without_password_and_emails_the_invitation(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        response = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={"email": "new@example.test", "name": "New Hire", "role": "internal"},
        )
        assert response.status_code == 303
        created = session.scalars(select(User).where(User.email == "new@example.test")).one()
        detail = client.get(response.headers["location"])
        assert "Invitation sent to new@example.test" in detail.text
        # The link goes by email only: no page shows it.
        assert "/set-password/" not in detail.text
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "new@example.test")
        ).one()
        link = re.search(r"http://testserver(/set-password/\S+)", mail.body)
        assert link and client.get(link[1]).status_code == 200
        assert f'action="/admin/users/{created.id}/invitation"' in detail.text

    def test_invalid_input_is_shown_on_the_form(self, client: TestClient, session: Session) -> None:
        signed_in(client, session, Role.ADMIN)
        response = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={"email": "c@example.test", "name": "C", "role": "customer"},
        )
        assert response.status_code == 422
        assert "belongs to exactly one organization" in response.text
        assert 'value="c@example.test"' in response.text

    def test_form_without_csrf_token_is_refused(self, client: TestClient, session: Session) -> None:
        signed_in(client, session, Role.ADMIN)
        response = client.post(
            "/admin/users", data={"email": "x@example.test", "name": "X", "role": "admin"}
        )
        assert response.status_code == 403
        assert session.scalars(select(User).where(User.email == "x@example.test")).first() is None

    def test_changes_role_deactivates_and_reactivates(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        member, token = create_user(session, role=Role.CUSTOMER, organization=organization)
        page = f"/admin/users/{member.id}"
        saved = post_form(
            client,
            page,
            from_page=page,
            data={
                "name": "Renamed",
                "role": "customer_admin",
                "organization_id": str(organization.id),
            },
        )
        assert saved.status_code == 303
        session.refresh(member)
        assert member.name == "Renamed" and member.role is Role.CUSTOMER_ADMIN
        # A token from before the role change is over.
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
        token = issue_token(session, user=member)
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

        off = post_form(client, f"{page}/active", from_page=page, data={"active": "0"})
        assert off.status_code == 303
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
        assert "deactivated" in client.get(page).text
        post_form(client, f"{page}/active", from_page=page, data={"active": "1"})
        assert "deactivated" not in client.get(page).text
        # Reactivation brings back the user, not what it held before.
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401

    def test_cannot_deactivate_itself(self, client: TestClient, session: Session) -> None:
        me = signed_in(client, session, Role.ADMIN)
        page = f"/admin/users/{me.id}"
        response = post_form(client, f"{page}/active", from_page=page, data={"active": "0"})
        assert response.status_code == 409
        assert "You cannot" in response.text

    def test_issues_a_token_shown_once_and_revokes_it(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        member, _ = create_user(session, role=Role.INTERNAL)
        page = f"/admin/users/{member.id}"
        issued = post_form(
            client,
            f"{page}/tokens",
            from_page=page,
            data={"label": "Reporting", "expires_in_days": "30"},
        )
        assert issued.status_code == 200
        token = re.search(r'id="new-token" type="text" readonly value="(ops_[^"]+)"', issued.text)
        assert token, "the new token is shown"
        assert client.get("/api/v1/me", headers=bearer(token[1])).status_code == 200
        later = client.get(page).text
        assert token[1] not in later and "Reporting" in later

        row = session.scalars(
            select(ApiToken).where(ApiToken.user_id == member.id, ApiToken.label == "Reporting")
        ).one()
        revoked = post_form(client, f"/admin/tokens/{row.id}/revoke", from_page=page)
        assert revoked.status_code == 303
        assert client.get("/api/v1/me", headers=bearer(token[1])).status_code == 401

    def test_reset_password_shows_a_link(self, client: TestClient, session: Session) -> None:
        signed_in(client, session, Role.ADMIN)
        member, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        page = f"/admin/users/{member.id}"
        response = post_form(client, f"{page}/password-link", from_page=page)
        assert response.status_code == 200
        assert re.search(r'value="http://testserver/set-password/[^"]+"', response.text)


class TestCustomerAdminPages:
    def test_lists_only_its_organization_and_offers_customer_roles(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        signed_in(client, session, Role.CUSTOMER_ADMIN, organization=organization)
        colleague, _ = create_user(session, role=Role.CUSTOMER, organization=organization)
        stranger, _ = create_user(session, role=Role.CUSTOMER)
        page = client.get("/admin/users")
        assert colleague.email in page.text and stranger.email not in page.text
        for select_id in ("role-filter", "new-role"):
            offered = page.text.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
            roles = re.findall(r'<option value="([a-z_]+)"', offered)
            assert set(roles) == {"customer", "customer_admin"}
        assert 'name="organization_id"' not in page.text
        assert client.get(f"/admin/users/{stranger.id}").status_code == 404

    def test_creates_in_its_organization_and_never_staff(
        self, client: TestClient, session: Session, organization: Organization
    ) -> None:
        signed_in(client, session, Role.CUSTOMER_ADMIN, organization=organization)
        made = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={"email": "team@example.test", "name": "Team", "role": "customer",
                  "password": "long enough password"},
        )  # fmt: skip
        assert made.status_code == 303
        created = session.scalars(select(User).where(User.email == "team@example.test")).one()
        assert created.organization_id == organization.id

        refused = post_form(
            client,
            "/admin/users",
            from_page="/admin/users",
            data={"email": "boss@example.test", "name": "Boss", "role": "admin"},
        )
        assert refused.status_code == 403
        page = f"/admin/users/{created.id}"
        promoted = post_form(
            client, page, from_page=page, data={"name": "Team", "role": "internal"}
        )
        assert promoted.status_code == 403
        session.refresh(created)
        assert created.role is Role.CUSTOMER
