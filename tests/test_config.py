"""Settings refuse values that would break the service later."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError

from opsportal.config import Settings


def test_passwords_are_hashed_at_argon2s_secure_default_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # tests/conftest.py lowers the cost for the test run; a deployment does not.
    monkeypatch.delenv("OPSPORTAL_PASSWORD_HASH_TIME_COST", raising=False)
    monkeypatch.delenv("OPSPORTAL_PASSWORD_HASH_MEMORY_KIB", raising=False)
    settings = Settings()
    secure = PasswordHasher()
    assert settings.password_hash_time_cost == secure.time_cost
    assert settings.password_hash_memory_kib == secure.memory_cost


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
        ("password_hash_time_cost", 0),
        ("password_hash_memory_kib", 8),
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
