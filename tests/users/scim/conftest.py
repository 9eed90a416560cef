"""SCIM test helpers: an organisation's directory (its SCIM token) and requests as it sends them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Organization
from tests.factories import create_organization

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@dataclass
class Directory:
    """An organisation's identity provider, holding a SCIM token for it."""

    client: TestClient
    organization: Organization
    token: str
    token_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.request(
            method,
            "/scim/v2" + path,
            json=body,
            params=params or None,
            headers={**self.headers, "Content-Type": "application/scim+json"},
        )

    def create(self, email: str, **attributes: Any) -> dict[str, Any]:
        body = {"schemas": [USER_SCHEMA], "userName": email, "active": True, **attributes}
        response = self.request("POST", "/Users", body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def patch(self, user_id: str, *operations: dict[str, Any]) -> httpx.Response:
        return self.request(
            "PATCH",
            f"/Users/{user_id}",
            {"schemas": [PATCH_SCHEMA], "Operations": list(operations)},
        )

    def find(self, scim_filter: str) -> dict[str, Any]:
        response = self.request("GET", "/Users", filter=scim_filter)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


def make_directory(
    client: TestClient, session: Session, admin_headers: dict[str, str], name: str
) -> Directory:
    organization = create_organization(session, name=name)
    response = client.post(
        f"/api/v1/organizations/{organization.id}/scim-tokens",
        json={"label": f"{name} IdP"},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    return Directory(client, organization, issued["token"], issued["id"])


@pytest.fixture
def directory(client: TestClient, session: Session, admin_headers: dict[str, str]) -> Directory:
    return make_directory(client, session, admin_headers, "Northwind")


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
