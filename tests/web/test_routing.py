"""The flat route table (web/routing.py) finds the route FastAPI's own walk would find."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from opsportal.web.routing import install_route_index


def nested_app() -> FastAPI:
    app = FastAPI()
    inner = APIRouter(prefix="/a")

    @inner.get("/{x}")
    def by_id(x: str) -> dict[str, str]:
        return {"route": "a/{x}", "x": x}

    @inner.get("/c")
    def c() -> dict[str, str]:  # declared after /a/{x}: never reached by GET /a/c
        return {"route": "a/c"}

    @inner.post("/post-only")
    def post_only() -> dict[str, str]:
        return {"route": "post"}

    pages = APIRouter(include_in_schema=False)

    @pages.get("/{y}/b")
    def any_first(y: str) -> dict[str, str]:
        return {"route": "{y}/b", "y": y}

    middle = APIRouter()
    middle.include_router(inner)
    app.include_router(middle)
    app.include_router(pages)
    return app


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/a/c"),
        ("GET", "/a/7"),
        ("GET", "/a/b"),
        ("GET", "/z/b"),
        ("GET", "/a/post-only"),
        ("POST", "/a/post-only"),
        ("GET", "/nowhere/at/all"),
        ("GET", "/a/7/"),
        ("DELETE", "/a/7"),
    ],
)
def test_the_same_answer_as_the_nested_routers(method: str, path: str) -> None:
    flat = nested_app()
    install_route_index(flat)
    with TestClient(nested_app()) as nested_client, TestClient(flat) as flat_client:
        nested = nested_client.request(method, path, follow_redirects=False)
        answer = flat_client.request(method, path, follow_redirects=False)
    assert (answer.status_code, answer.text) == (nested.status_code, nested.text)
    assert answer.headers.get("allow") == nested.headers.get("allow")
    assert answer.headers.get("location") == nested.headers.get("location")


def test_the_schema_is_unchanged() -> None:
    flat = nested_app()
    install_route_index(flat)
    assert flat.openapi() == nested_app().openapi()


def test_an_include_that_adds_settings_is_refused() -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/x")
    def x() -> None:
        return None

    app.include_router(router, prefix="/api")
    with pytest.raises(ValueError, match="its own settings"):
        install_route_index(app)
