"""Request ids and structured logs: `X-Request-ID` is accepted when it is safe, made when not,
returned, and on every record logged while the request runs; JSON lines when configured."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.web.logs import log_config

ROUTE_LOGGER = "opsportal.test_route"


@pytest.fixture
def logging_app(settings: Settings, session_factory: SessionFactory) -> FastAPI:
    """The app with one more route, which logs from a worker thread as the routes do."""
    app = create_app(settings, session_factory=session_factory)

    @app.get("/test-logs")
    def logs_something() -> dict[str, str]:
        logging.getLogger(ROUTE_LOGGER).warning("working on it")
        return {"ok": "yes"}

    return app


@pytest.fixture
def json_lines(settings: Settings) -> Iterator[io.StringIO]:
    """The server's logging configuration in JSON, writing to a buffer instead of stderr."""
    config = log_config(settings.model_copy(update={"log_format": "json"}))
    buffer = io.StringIO()
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        logging.getLogger().handlers.clear()


class TestRequestId:
    def test_made_when_absent_and_returned(self, client: TestClient) -> None:
        first = client.get("/healthz").headers["x-request-id"]
        second = client.get("/healthz").headers["x-request-id"]
        assert first and second and first != second

    def test_the_callers_id_is_kept(self, client: TestClient) -> None:
        for rid in ("abc-123", "7f1c2d9e.span:42", "a" * 64):
            response = client.get("/api/v1/me", headers={"X-Request-ID": rid})
            assert response.status_code == 401  # errors carry it too
            assert response.headers["x-request-id"] == rid

    @pytest.mark.parametrize(
        "unsafe",
        ["a" * 65, "two words", 'quote"d', "tab\tinside", "-starts-with-dash", "a;b", "<script>"],
    )
    def test_an_unsafe_id_is_replaced(self, client: TestClient, unsafe: str) -> None:
        returned = client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["x-request-id"]
        assert returned != unsafe and len(returned) == 32


def test_every_record_of_a_request_carries_its_id_as_json(
    logging_app: FastAPI, json_lines: io.StringIO
) -> None:
    with TestClient(logging_app) as client:
        assert client.get("/test-logs", headers={"X-Request-ID": "req-77"}).status_code == 200
        assert client.get("/test-logs").status_code == 200
    logging.getLogger("opsportal.elsewhere").warning("outside any request")
    entries = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    ours = [e for e in entries if e["logger"] == ROUTE_LOGGER]
    assert [e["message"] for e in ours] == ["working on it", "working on it"]
    assert ours[0]["requestId"] == "req-77"
    assert ours[1]["requestId"] not in ("req-77", "-")
    assert ours[0]["level"] == "WARNING" and ours[0]["time"].endswith("+00:00")
    (outside,) = [e for e in entries if e["logger"] == "opsportal.elsewhere"]
    assert outside["requestId"] == "-"


def test_every_filter_sits_on_every_handler(settings: Settings) -> None:
    """A filter added to the configuration (a redaction, say) covers every line written."""
    config = log_config(settings)
    assert config["handlers"]
    for handler in config["handlers"].values():
        assert set(handler["filters"]) == set(config["filters"])
    text = log_config(settings)["formatters"]["default"]["format"]
    assert "%(request_id)s" in text
