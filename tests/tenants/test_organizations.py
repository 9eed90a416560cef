"""Organisation routes: create, read, list with search, patch."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import Customer, create_organization


class TestCreate:
    def test_returns_the_organization(
        self, client: TestClient, staff_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/organizations",
            json={
                "name": "  Acme Health ",
                "externalId": "acme-1",
                "industrySector": "Healthcare",
                "employeeCount": 120,
            },
            headers=staff_headers,
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Acme Health"
        assert body["externalId"] == "acme-1"
        assert body["status"] == "ACTIVE"
        assert set(body) == {
            "id", "externalId", "name", "industrySector", "employeeCount", "status", "createdAt",
        }  # fmt: skip
        assert (
            client.get(f"/api/v1/organizations/{body['id']}", headers=staff_headers).json() == body
        )

    def test_duplicate_external_id_is_409(
        self, client: TestClient, staff_headers: dict[str, str]
    ) -> None:
        first = client.post(
            "/api/v1/organizations", json={"name": "A", "externalId": "x-1"}, headers=staff_headers
        )
        assert first.status_code == 201
        second = client.post(
            "/api/v1/organizations", json={"name": "B", "externalId": "x-1"}, headers=staff_headers
        )
        assert second.status_code == 409
        assert second.headers["content-type"] == "application/problem+json"

    def test_unknown_field_is_422(self, client: TestClient, staff_headers: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/organizations", json={"name": "A", "employees": 3}, headers=staff_headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "employees"


class TestList:
    def test_search_and_pagination(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        for name in ["Blue Harbor", "Blue Ridge", "Red Rock", "100% Blue_ish"]:
            create_organization(session, name=name)
        found = client.get("/api/v1/organizations?search=blue", headers=staff_headers).json()
        assert [o["name"] for o in found["items"]] == ["100% Blue_ish", "Blue Harbor", "Blue Ridge"]
        literal = client.get("/api/v1/organizations?search=%25", headers=staff_headers).json()
        assert [o["name"] for o in literal["items"]] == ["100% Blue_ish"]
        page = client.get("/api/v1/organizations?limit=2&offset=2", headers=staff_headers).json()
        assert page["total"] == 4
        assert [o["name"] for o in page["items"]] == ["Blue Ridge", "Red Rock"]

    def test_limit_is_bounded(self, client: TestClient, staff_headers: dict[str, str]) -> None:
        assert (
            client.get("/api/v1/organizations?limit=100000", headers=staff_headers).status_code
            == 422
        )


class TestPatch:
    def test_changes_only_given_fields(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        org = create_organization(session, name="Old", employee_count=50)
        response = client.patch(
            f"/api/v1/organizations/{org.id}", json={"status": "CHURNED"}, headers=staff_headers
        )
        assert response.status_code == 200
        assert response.json()["status"] == "CHURNED"
        assert response.json()["name"] == "Old"
        assert response.json()["employeeCount"] == 50

    def test_null_name_is_422(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        org = create_organization(session)
        response = client.patch(
            f"/api/v1/organizations/{org.id}", json={"name": None}, headers=staff_headers
        )
        assert response.status_code == 422

    def test_taken_external_id_is_409(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        create_organization(session, external_id="taken")
        org = create_organization(session)
        response = client.patch(
            f"/api/v1/organizations/{org.id}", json={"externalId": "taken"}, headers=staff_headers
        )
        assert response.status_code == 409

    def test_customer_cannot_patch(self, client: TestClient, customer: Customer) -> None:
        response = client.patch(
            f"/api/v1/organizations/{customer.organization.id}",
            json={"name": "Mine now"},
            headers=customer.headers,
        )
        assert response.status_code == 403
