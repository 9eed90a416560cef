"""Token authentication, roles and tenant isolation."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.auth.repository import list_tokens
from opsportal.auth.secrets import hash_token
from opsportal.auth.service import revoke_token
from opsportal.models import Role
from tests.factories import Customer, bearer, create_organization, create_user


class TestTokenAuthentication:
    def test_missing_token_is_401_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 401
        assert body["title"] and body["detail"] and body["type"]

    def test_bad_token_is_401(self, client: TestClient) -> None:
        response = client.get("/api/v1/me", headers=bearer("ops_not-a-real-token"))
        assert response.status_code == 401

    def test_wrong_scheme_is_401(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session, role=Role.ADMIN)
        response = client.get("/api/v1/me", headers={"Authorization": f"Basic {token}"})
        assert response.status_code == 401

    def test_revoked_token_is_401(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session, role=Role.ADMIN)
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        revoke_token(session, token=token)
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401

    def test_valid_token_identifies_user(self, client: TestClient, session: Session) -> None:
        org = create_organization(session)
        user, token = create_user(session, role=Role.CUSTOMER, organization=org, name="Kim Lee")
        response = client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 200
        assert response.json() == {
            "id": user.id,
            "email": user.email,
            "name": "Kim Lee",
            "role": "customer",
            "organizationId": org.id,
            "locale": None,
        }

    def test_token_is_stored_hashed(self, session: Session) -> None:
        user, token = create_user(session, role=Role.INTERNAL)
        stored = list_tokens(session, user.id)
        assert [t.token_hash for t in stored] == [hash_token(token)]
        assert token not in stored[0].token_hash


class TestRoles:
    def test_customer_cannot_create_organization(
        self, client: TestClient, customer: Customer
    ) -> None:
        response = client.post(
            "/api/v1/organizations", json={"name": "X"}, headers=customer.headers
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    def test_internal_can_create_organization(
        self, client: TestClient, staff_headers: dict[str, str]
    ) -> None:
        response = client.post("/api/v1/organizations", json={"name": "X"}, headers=staff_headers)
        assert response.status_code == 201


class TestTenantIsolation:
    def test_customer_gets_404_for_other_organization(
        self, client: TestClient, session: Session
    ) -> None:
        other = create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER)
        response = client.get(f"/api/v1/organizations/{other.id}", headers=bearer(token))
        assert response.status_code == 404
        # Same answer as for an id that does not exist at all: existence is not confirmed.
        missing = client.get("/api/v1/organizations/999999", headers=bearer(token))
        assert missing.status_code == 404
        assert response.json()["title"] == missing.json()["title"]

    def test_customer_sees_own_organization(self, client: TestClient, session: Session) -> None:
        org = create_organization(session, name="Own Org")
        _, token = create_user(session, role=Role.CUSTOMER, organization=org)
        response = client.get(f"/api/v1/organizations/{org.id}", headers=bearer(token))
        assert response.status_code == 200
        assert response.json()["name"] == "Own Org"

    def test_customer_list_shows_only_own(self, client: TestClient, session: Session) -> None:
        create_organization(session, name="Someone Else")
        org = create_organization(session, name="Mine")
        _, token = create_user(session, role=Role.CUSTOMER, organization=org)
        body = client.get("/api/v1/organizations", headers=bearer(token)).json()
        assert [o["name"] for o in body["items"]] == ["Mine"]
        assert body["total"] == 1
