"""Every error is a problem document; no malformed request gets a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


class TestProblemDocuments:
    def test_malformed_json_is_400_problem(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/organizations",
            content=b'{"name": "x",',
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 400

    def test_validation_error_names_the_field(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/organizations",
            json={"name": "Acme", "employeeCount": -3},
            headers=admin_headers,
        )
        assert response.status_code == 422
        body = response.json()
        assert body["errors"][0]["field"] == "employeeCount"
        assert "employeeCount" in body["detail"]

    def test_unknown_status_is_422(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/organizations",
            json={"name": "Acme", "status": "ZOMBIE"},
            headers=admin_headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "status"

    @pytest.mark.parametrize(
        "payload",
        [b"[]", b"null", b'"text"', b"12", b'{"name": null}', b'{"name": ["a"]}', b"\xff\xfe"],
    )
    def test_odd_bodies_are_4xx(
        self, client: TestClient, admin_headers: dict[str, str], payload: bytes
    ) -> None:
        response = client.post(
            "/api/v1/organizations",
            content=payload,
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("path_id", ["abc", "0", "-1", "99999999999999999999999"])
    def test_bad_ids_are_4xx(
        self, client: TestClient, admin_headers: dict[str, str], path_id: str
    ) -> None:
        response = client.get(f"/api/v1/organizations/{path_id}", headers=admin_headers)
        assert response.status_code == 422

    def test_unknown_route_is_404_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/nope")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    def test_wrong_method_is_405_problem(self, client: TestClient) -> None:
        response = client.delete("/api/v1/me")
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"


def test_healthz_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/api/v1/organizations" in client.get("/openapi.json").json()["paths"]
