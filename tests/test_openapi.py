"""The OpenAPI document tells the truth, and no request that it allows gets a 500.

Schemathesis generates requests for every operation of /openapi.json (valid and
invalid ones, with a fixed seed and a few examples each), once as an admin and
once as a customer, through the in-process ASGI app and the test's rolled-back
transaction; every response must be a non-5xx that the document describes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.python import asgi
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.errors import PROBLEM_JSON
from opsportal.metrics.registry import METRICS
from opsportal.metrics.service import utc_today
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.training.assessment import attempts
from tests.factories import (
    Customer,
    add_values,
    bearer,
    certify,
    create_customer,
    create_organization,
    create_track_with_quizzes,
    create_user,
)

# Not loaded for every run (see pyproject.toml's addopts): only where it is needed.
pytest_plugins = ["schemathesis.pytest.plugin"]

pytestmark = pytest.mark.slow

# Fixed, so a run is repeatable; a few examples per operation keep the module
# under half a minute (raise them locally to search harder).
SEED = 20261128
EXAMPLES_PER_OPERATION = 8
ERROR_STATUSES = {"400", "401", "403", "404", "409", "422"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [op for op in _operations(document) if op[1].startswith("/api/v1/")]


class TestDocument:
    @pytest.fixture
    def document(self, client: TestClient) -> dict[str, Any]:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        document: dict[str, Any] = response.json()
        return document

    def test_has_no_fastapi_validation_error(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas
        assert "HTTPValidationError" not in str(document)
        assert {"Problem", "ValidationProblem", "FieldError"} <= set(schemas)
        assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
        assert "errors" in schemas["ValidationProblem"]["properties"]

    def test_api_errors_are_problem_documents(self, document: dict[str, Any]) -> None:
        operations = _api_operations(document)
        assert ("GET", "/api/v1/certificates/verify/{verification_code}") in {
            (method, path) for method, path, _ in operations
        }
        for method, path, operation in operations:
            responses = operation["responses"]
            expected = {"404", "409"}
            if operation.get("security"):
                expected |= {"401", "403"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if operation.get("requestBody"):
                expected.add("400")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in set(responses) & ERROR_STATUSES:
                content = responses[status]["content"]
                assert set(content) == {PROBLEM_JSON}, (method, path, status)
                model = "ValidationProblem" if status == "422" else "Problem"
                assert content[PROBLEM_JSON]["schema"] == {"$ref": f"#/components/schemas/{model}"}


class TestBoundedInput:
    """What the fuzzing found (or could): each is a 422 naming the field, never a 500."""

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"offset": 2**111}, "offset"),
            ({"offset": 2**31}, "offset"),
            ({"limit": 501}, "limit"),
            ({"limit": 0}, "limit"),
            ({"search": "a\x00b"}, "search"),
        ],
    )
    def test_organization_list(
        self, client: TestClient, admin_headers: dict[str, str], params: dict[str, Any], field: str
    ) -> None:
        response = client.get("/api/v1/organizations", params=params, headers=admin_headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        assert [error["field"] for error in response.json()["errors"]] == [field]

    def test_nul_in_a_body(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/organizations", json={"name": "Acme\x00"}, headers=admin_headers
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "name"

    def test_nul_in_a_peer_group_filter(self, client: TestClient, customer: Customer) -> None:
        response = client.get(
            f"/api/v1/benchmarks/organizations/{customer.organization.id}",
            params={"industrySector": "\x00"},
            headers=customer.headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "industrySector"


# ----------------------------------------------------------------------------- fuzzing


def _world(session: Session, settings: Settings, role: Role) -> dict[str, Any]:
    """The caller and one of each kind of object, for half the generated ids to find."""
    organization = create_organization(session)
    if role is Role.CUSTOMER:
        customer = create_customer(session, organization=organization)
        user, headers = customer.user, customer.headers
    else:
        user, token = create_user(session, role=role)
        headers = bearer(token)
    yesterday = utc_today() - timedelta(days=1)
    add_values(
        session, organization, yesterday, **{m.name: m.min for m in METRICS if not m.computed}
    )
    track, quizzes = create_track_with_quizzes(session, courses=2)
    certificate = certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
    attempt = attempts.start_attempt(session, principal=Principal.of(user), quiz_id=quizzes[0].id)
    return {
        "headers": headers,
        "path": {
            "organization_id": organization.id,
            "track_id": track.id,
            "course_id": quizzes[0].course_id,
            "quiz_id": quizzes[1].id,
            "attempt_id": attempt.attempt_id,
            "certificate_id": certificate.id,
            "verification_code": certificate.verification_code,
            "metric": METRICS[0].name,
        },
    }


@pytest.fixture(params=[Role.ADMIN, Role.CUSTOMER], ids=lambda role: role.value)
def api_schema(
    request: pytest.FixtureRequest, app: FastAPI, session: Session, settings: Settings
) -> Iterator[schemathesis.BaseSchema]:
    world = _world(session, settings, request.param)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": world["headers"],
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "database": "none",
                "with-security-parameters": False,
            },
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    known = world["path"]

    @schema.hook
    def flatmap_path_parameters(
        context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        # Half the cases address the objects that exist, so the bodies reach the database.
        if not path_parameters:
            return st.just(path_parameters)
        existing = {name: known.get(name, value) for name, value in path_parameters.items()}
        return st.sampled_from([path_parameters, existing])

    yield schema
    # Schemathesis keeps every app it started for the rest of the process; let go of this one.
    asgi.shutdown_lifespans()


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
def test_no_server_errors_and_documented_responses(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ]
    )
