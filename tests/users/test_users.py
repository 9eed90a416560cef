"""User management through the API, played by each role: who may reach whom, and grant what."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Organization, Role, TrackType, User
from tests.factories import bearer, create_organization, create_track, create_user


class Org:
    """A customer organisation with a customer_admin and a plain customer user."""

    def __init__(self, session: Session) -> None:
        self.organization: Organization = create_organization(session)
        self.admin, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=self.organization
        )
        self.headers = bearer(token)
        self.member, member_token = create_user(
            session, role=Role.CUSTOMER, organization=self.organization
        )
        self.member_headers = bearer(member_token)


@pytest.fixture
def acme(session: Session) -> Org:
    return Org(session)


@pytest.fixture
def globex(session: Session) -> Org:
    return Org(session)


def new_user(**fields: Any) -> dict[str, Any]:
    body = {"email": f"{fields.get('name', 'x').lower()}@example.test", "name": "New Person"}
    body.update(fields)
    return body


class TestAdmin:
    def test_creates_a_customer_user(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json={
                "email": "Kim.Lee@Example.test",
                "name": "Kim Lee",
                "role": "customer",
                "organizationId": acme.organization.id,
                "password": "a long password",
            },
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {
            "id", "email", "name", "role", "organizationId", "isActive", "createdAt", "locale"
        }  # fmt: skip
        assert body["role"] == "customer"
        assert body["organizationId"] == acme.organization.id
        assert body["isActive"] is True
        assert "password" not in response.text

    def test_creates_staff_without_organization(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json={"email": "ops2@example.test", "name": "Ops", "role": "internal"},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert response.json()["organizationId"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"role": "customer"}, "organizationId"),
            ({"role": "customer_admin"}, "organizationId"),
            ({"role": "internal", "organizationId": "ORG"}, "organizationId"),
            ({"role": "boss"}, "role"),
            ({"role": "admin", "password": "short"}, "password"),
            ({"role": "admin", "email": "not-an-email"}, "email"),
            ({"role": "admin", "name": "   "}, "name"),
        ],
    )
    def test_invalid_users_name_the_field(
        self,
        client: TestClient,
        admin_headers: dict[str, str],
        acme: Org,
        body: dict[str, Any],
        field: str,
    ) -> None:
        if body.get("organizationId") == "ORG":
            body["organizationId"] = acme.organization.id
        response = client.post(
            "/api/v1/users",
            json={"email": "someone@example.test", "name": "Some One", **body},
            headers=admin_headers,
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]

    def test_unknown_organization_is_422(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user(role="customer", organizationId=999_999),
            headers=admin_headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "organizationId"

    def test_duplicate_email_is_409(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user(email=acme.member.email.upper(), role="internal"),
            headers=admin_headers,
        )
        assert response.status_code == 409

    def test_lists_searches_and_filters(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org, globex: Org
    ) -> None:
        everyone = client.get("/api/v1/users", headers=admin_headers).json()
        assert everyone["total"] >= 5 and everyone["limit"] == 50 and everyone["offset"] == 0
        by_org = client.get(
            "/api/v1/users",
            params={"organizationId": globex.organization.id},
            headers=admin_headers,
        ).json()
        assert {u["id"] for u in by_org["items"]} == {globex.admin.id, globex.member.id}
        found = client.get(
            "/api/v1/users", params={"search": acme.member.email[:6]}, headers=admin_headers
        ).json()
        assert acme.member.id in {u["id"] for u in found["items"]}
        none = client.get("/api/v1/users", params={"search": "%_"}, headers=admin_headers)
        assert none.json()["total"] == 0

    def test_changes_role_and_organization(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org, globex: Org
    ) -> None:
        response = client.patch(
            f"/api/v1/users/{acme.member.id}",
            json={"role": "customer_admin", "organizationId": globex.organization.id},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "customer_admin"
        assert response.json()["organizationId"] == globex.organization.id
        # Tokens from before the change are over: none carries the old role or tenant on.
        assert client.get("/api/v1/me", headers=acme.member_headers).status_code == 401

    def test_making_a_customer_staff_needs_the_organization_cleared(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org
    ) -> None:
        path = f"/api/v1/users/{acme.member.id}"
        refused = client.patch(path, json={"role": "internal"}, headers=admin_headers)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "organizationId"
        done = client.patch(
            path, json={"role": "internal", "organizationId": None}, headers=admin_headers
        )
        assert done.status_code == 200 and done.json()["organizationId"] is None

    def test_null_for_a_required_field_is_422(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org
    ) -> None:
        response = client.patch(
            f"/api/v1/users/{acme.member.id}", json={"name": None}, headers=admin_headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"

    def test_cannot_demote_or_deactivate_itself(self, client: TestClient, session: Session) -> None:
        admin, token = create_user(session, role=Role.ADMIN)
        path = f"/api/v1/users/{admin.id}"
        for body in ({"isActive": False}, {"role": "internal"}):
            response = client.patch(path, json=body, headers=bearer(token))
            assert response.status_code == 409, body
        renamed = client.patch(path, json={"name": "Still Admin"}, headers=bearer(token))
        assert renamed.status_code == 200

    def test_unknown_user_is_404(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        assert client.get("/api/v1/users/999999", headers=admin_headers).status_code == 404


class TestCustomerAdmin:
    def test_creates_a_customer_of_its_own_organization(
        self, client: TestClient, acme: Org
    ) -> None:
        response = client.post(
            "/api/v1/users", json=new_user(name="Mo", role="customer"), headers=acme.headers
        )
        assert response.status_code == 201, response.text
        assert response.json()["organizationId"] == acme.organization.id

    def test_may_make_another_customer_admin(self, client: TestClient, acme: Org) -> None:
        response = client.patch(
            f"/api/v1/users/{acme.member.id}", json={"role": "customer_admin"}, headers=acme.headers
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("role", ["admin", "internal"])
    def test_never_creates_staff(self, client: TestClient, acme: Org, role: str) -> None:
        response = client.post(
            "/api/v1/users", json=new_user(name="Eve", role=role), headers=acme.headers
        )
        assert response.status_code == 403
        assert (
            client.get("/api/v1/users", params={"search": "eve@"}, headers=acme.headers).json()[
                "total"
            ]
            == 0
        )

    @pytest.mark.parametrize("role", ["admin", "internal"])
    def test_never_promotes_anyone_to_staff(
        self, client: TestClient, session: Session, acme: Org, role: str
    ) -> None:
        path = f"/api/v1/users/{acme.member.id}"
        for body in ({"role": role}, {"role": role, "organizationId": None}):
            assert client.patch(path, json=body, headers=acme.headers).status_code == 403
        session.expire_all()
        member = session.get(User, acme.member.id)
        assert member is not None and member.role is Role.CUSTOMER

    def test_cannot_create_in_another_organization(
        self, client: TestClient, acme: Org, globex: Org
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user(name="Spy", role="customer", organizationId=globex.organization.id),
            headers=acme.headers,
        )
        assert response.status_code == 404

    def test_cannot_move_its_users_to_another_organization(
        self, client: TestClient, acme: Org, globex: Org
    ) -> None:
        response = client.patch(
            f"/api/v1/users/{acme.member.id}",
            json={"organizationId": globex.organization.id},
            headers=acme.headers,
        )
        assert response.status_code == 404

    def test_never_reaches_another_organizations_users(
        self, client: TestClient, acme: Org, globex: Org
    ) -> None:
        other = globex.member.id
        attempts = [
            client.get(f"/api/v1/users/{other}", headers=acme.headers),
            client.patch(f"/api/v1/users/{other}", json={"isActive": False}, headers=acme.headers),
            client.patch(f"/api/v1/users/{other}", json={"name": "X"}, headers=acme.headers),
            client.get(f"/api/v1/users/{other}/tokens", headers=acme.headers),
            client.post(f"/api/v1/users/{other}/tokens", json={"label": "x"}, headers=acme.headers),
            client.post(f"/api/v1/users/{other}/password-link", headers=acme.headers),
            client.get(
                "/api/v1/users",
                params={"organizationId": globex.organization.id},
                headers=acme.headers,
            ),
        ]
        assert [r.status_code for r in attempts] == [404] * len(attempts)
        # The same answer as for a user who does not exist: nothing confirms it.
        assert attempts[0].json()["detail"] == f"User {other} not found."
        assert globex.member.is_active

    def test_never_reaches_staff(self, client: TestClient, session: Session, acme: Org) -> None:
        staff, _ = create_user(session, role=Role.ADMIN)
        assert client.get(f"/api/v1/users/{staff.id}", headers=acme.headers).status_code == 404
        listed = client.get("/api/v1/users", headers=acme.headers).json()
        assert {u["id"] for u in listed["items"]} == {acme.admin.id, acme.member.id}

    def test_cannot_revoke_another_organizations_tokens(
        self, client: TestClient, admin_headers: dict[str, str], acme: Org, globex: Org
    ) -> None:
        issued = client.post(
            f"/api/v1/users/{globex.member.id}/tokens", json={"label": "x"}, headers=admin_headers
        ).json()
        response = client.delete(f"/api/v1/tokens/{issued['id']}", headers=acme.headers)
        assert response.status_code == 404
        assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 200


class TestOthers:
    @pytest.mark.parametrize("role", [Role.INTERNAL, Role.CUSTOMER])
    def test_are_refused_user_management(
        self, client: TestClient, session: Session, acme: Org, role: Role
    ) -> None:
        _, token = create_user(session, role=role)
        headers = bearer(token)
        assert client.get("/api/v1/users", headers=headers).status_code == 403
        assert (
            client.post(
                "/api/v1/users", json=new_user(role="customer"), headers=headers
            ).status_code
            == 403
        )
        assert client.get(f"/api/v1/users/{acme.member.id}", headers=headers).status_code == 403

    def test_anonymous_is_401(self, client: TestClient) -> None:
        assert client.get("/api/v1/users").status_code == 401
        assert client.post("/api/v1/users", json=new_user(role="admin")).status_code == 401


class TestCustomerAdminIsACustomer:
    """Everywhere a customer is kept to its organisation, a customer_admin is too."""

    def test_sees_only_its_own_organization(
        self, client: TestClient, acme: Org, globex: Org
    ) -> None:
        listed = client.get("/api/v1/organizations", headers=acme.headers).json()
        assert [o["id"] for o in listed["items"]] == [acme.organization.id]
        other = f"/api/v1/organizations/{globex.organization.id}"
        assert client.get(other, headers=acme.headers).status_code == 404
        benchmark = f"/api/v1/benchmarks/organizations/{globex.organization.id}"
        assert client.get(benchmark, headers=acme.headers).status_code == 404

    def test_sees_customer_training_only(
        self, client: TestClient, session: Session, acme: Org
    ) -> None:
        internal = create_track(session, type=TrackType.INTERNAL)
        public = create_track(session, type=TrackType.CUSTOMER)
        listed = {
            t["id"] for t in client.get("/api/v1/training/tracks", headers=acme.headers).json()
        }
        assert public.id in listed and internal.id not in listed
        hidden = client.get(f"/api/v1/training/tracks/{internal.id}", headers=acme.headers)
        assert hidden.status_code == 404

    def test_is_not_staff(self, client: TestClient, acme: Org) -> None:
        assert client.get("/api/v1/benchmarks/runs", headers=acme.headers).status_code == 403
        assert (
            client.post(
                "/api/v1/organizations", json={"name": "X"}, headers=acme.headers
            ).status_code
            == 403
        )
