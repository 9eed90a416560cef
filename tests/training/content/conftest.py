"""xAPI settings for a test: an LRS configured, the statement hooks installed, undone after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opsportal import wiring
from opsportal.config import Settings


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
