"""The OpenAPI document describes the errors the API really sends: RFC 9457 problem documents.

FastAPI documents a 422 with its own `HTTPValidationError` body, but every error here
is rendered by `opsportal.errors` as `application/problem+json`. `install_openapi`
rewrites the generated schema once: the problem schemas become components, and every
API operation lists the problem responses it can give. A route documents an extra
error status (say 503) with `responses={503: {"description": ...}}`; its body is
described as a problem here too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from opsportal.errors import PROBLEM_JSON, PROBLEM_TYPE_BASE

API_PREFIX = "/api/"
COMPONENTS = "#/components/schemas/"


class Problem(BaseModel):
    """An error as an RFC 9457 problem document; some carry further members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="Names the kind of problem", examples=[PROBLEM_TYPE_BASE + "not-found"]
    )
    title: str = Field(description="Short summary of the kind of problem", examples=["Not found"])
    status: int = Field(ge=400, le=599, description="The HTTP status code", examples=[404])
    detail: str = Field(description="What went wrong this time, for a person to read")


class FieldError(BaseModel):
    field: str = Field(description="The offending field, as a dotted path", examples=["name"])
    message: str = Field(description="What is wrong with it")


class ValidationProblem(Problem):
    """A 422: invalid input, naming the offending fields."""

    errors: list[FieldError] = Field(
        default_factory=list, description="One entry per offending field"
    )


# Status -> (description, schema) of the problems an API operation can answer with.
_INPUT_ERRORS = {
    400: ("Malformed request: the body is not valid JSON", Problem),
    422: ("Invalid input; `errors` names the offending fields", ValidationProblem),
}
_AUTH_ERRORS = {
    401: ("Missing, invalid or expired API token", Problem),
    403: ("The caller's role may not do this", Problem),
}
_STATE_ERRORS = {
    404: ("Not found, or outside the caller's organisation", Problem),
    409: ("Conflicts with the current state", Problem),
    503: ("The database is busy; nothing was changed. Retry after `Retry-After` seconds", Problem),
}

_UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}},
}

_RETRY_HEADERS = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer"},
    },
}

# FastAPI's own 422 body, which this API never sends.
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _problem_components() -> dict[str, Any]:
    _, top = models_json_schema(
        [(Problem, "validation"), (ValidationProblem, "validation")],
        ref_template=COMPONENTS + "{model}",
    )
    defs: dict[str, Any] = top["$defs"]
    return defs


def _content(model: type[Problem]) -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": COMPONENTS + model.__name__}}}


def _describe_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    errors: dict[int, tuple[str, type[Problem]]] = dict(_STATE_ERRORS)
    if operation.get("security"):
        errors.update(_AUTH_ERRORS)
    if operation.get("parameters") or operation.get("requestBody"):
        errors[422] = _INPUT_ERRORS[422]
    if operation.get("requestBody"):
        errors[400] = _INPUT_ERRORS[400]
    # Error statuses that the route declared itself get a problem body as well.
    for key, declared in responses.items():
        if key.isdigit() and int(key) >= 400 and int(key) not in errors:
            errors[int(key)] = (declared.get("description") or "Error", Problem)
    for status, (description, model) in errors.items():
        entry: dict[str, Any] = {"description": description, "content": _content(model)}
        declared = responses.get(str(status), {})
        if declared.get("description") and status not in _INPUT_ERRORS:
            entry["description"] = declared["description"]
        if status == 401:
            entry["headers"] = _UNAUTHORIZED_HEADERS
        if status in (429, 503):
            entry["headers"] = _RETRY_HEADERS
        responses[str(status)] = entry
    operation["responses"] = dict(sorted(responses.items()))


def describe_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a generated OpenAPI document (in place) so its errors are problem documents."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _HTTP_METHODS:
                continue
            if path.startswith(API_PREFIX):
                _describe_errors(operation)
            elif "422" in operation.get("responses", {}):
                operation["responses"]["422"] = {
                    "description": _INPUT_ERRORS[422][0],
                    "content": _content(ValidationProblem),
                }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        components.pop(name, None)
    components.update(_problem_components())
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the problem-describing OpenAPI document at /openapi.json (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_problems(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
