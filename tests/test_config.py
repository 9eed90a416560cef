"""Settings refuse values that would break the service later."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from opsportal.config import Settings


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("benchmark_min_peers", 4),
        ("benchmark_size_bands", "1-100,50-200"),
        ("benchmark_size_bands", "small,large"),
        ("benchmark_cron", "every night"),
        ("benchmark_cron", "0 25 * * *"),
        ("benchmark_freshness_days", 0),
        ("certificate_validity_days", -1),
    ],
)
def test_bad_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})  # type: ignore[arg-type]


def test_privacy_minimum_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPORTAL_BENCHMARK_MIN_PEERS", "10")
    assert Settings().benchmark_min_peers == 10


def test_public_base_url_loses_trailing_slash() -> None:
    assert Settings(public_base_url="https://ops.example.com/").public_base_url == (
        "https://ops.example.com"
    )
