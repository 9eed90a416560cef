"""Content tests' fixtures: an app whose SCORM content is served on its own host
(`content.testserver`), and xAPI settings (an LRS configured, the statement hooks
installed, undone after)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from opsportal import wiring
from opsportal.config import Settings
from opsportal.db import SessionFactory

CONTENT = "http://content.testserver"


@pytest.fixture
def content_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"content_base_url": CONTENT})


@pytest.fixture
def content_app(content_settings: Settings, session_factory: SessionFactory) -> FastAPI:
    from opsportal.app import create_app

    return create_app(content_settings, session_factory=session_factory)


@pytest.fixture
def scorm_client(content_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(content_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def xapi_settings(settings: Settings) -> Iterator[Settings]:
    configured = settings.model_copy(
        update={
            "xapi_endpoint": "http://127.0.0.1:9/xAPI",
            "xapi_username": "portal",
            "xapi_password": "secret",
            "xapi_max_attempts": 3,
        }
    )
    wiring.install(configured)
    yield configured
    wiring.install(settings)
