"""Whether settings are fit for production: what `serve` and `create_app` refuse to start with."""

from __future__ import annotations

from urllib.parse import urlsplit

from opsportal.config import (
    MIN_SECRET_KEY_LENGTH,
    SECURE_PASSWORD_HASH_MEMORY_KIB,
    SECURE_PASSWORD_HASH_TIME_COST,
    Settings,
)


class ConfigurationError(Exception):
    """Settings the server must not start with; the message says what to change."""


def production_problems(settings: Settings) -> list[str]:
    """What makes these settings unfit for production (nothing outside production)."""
    if settings.environment != "production":
        return []
    problems = []
    if not settings.secret_key:
        problems.append(
            "OPSPORTAL_SECRET_KEY is not set; set a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, the same on every replica"
        )
    elif len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"OPSPORTAL_SECRET_KEY is {len(settings.secret_key)} characters long; "
            f"production needs at least {MIN_SECRET_KEY_LENGTH}"
        )
    if not settings.session_cookie_secure:
        problems.append(
            "OPSPORTAL_SESSION_COOKIE_SECURE is false; production serves over HTTPS "
            "and must set it to true"
        )
    if settings.password_hash_time_cost < SECURE_PASSWORD_HASH_TIME_COST:
        problems.append(
            f"OPSPORTAL_PASSWORD_HASH_TIME_COST is {settings.password_hash_time_cost}; "
            f"production needs at least {SECURE_PASSWORD_HASH_TIME_COST} (or leave it unset)"
        )
    if settings.password_hash_memory_kib < SECURE_PASSWORD_HASH_MEMORY_KIB:
        problems.append(
            f"OPSPORTAL_PASSWORD_HASH_MEMORY_KIB is {settings.password_hash_memory_kib}; "
            f"production needs at least {SECURE_PASSWORD_HASH_MEMORY_KIB} (or leave it unset)"
        )
    if (
        settings.content_base_url
        and urlsplit(settings.content_base_url).netloc
        == urlsplit(settings.public_base_url).netloc.lower()
    ):
        problems.append(
            "OPSPORTAL_CONTENT_BASE_URL is the portal's own origin; SCORM content needs "
            "an origin of its own (another host name)"
        )
    if not settings.public_base_url_configured:
        problems.append(
            "OPSPORTAL_PUBLIC_BASE_URL is not set; set it to the https address people "
            "reach the portal at (https://ops.example.com), the base of every link in "
            "emails, certificates and credentials"
        )
    elif not settings.public_base_url.startswith("https://"):
        problems.append(
            f"OPSPORTAL_PUBLIC_BASE_URL is {settings.public_base_url}; production serves "
            "over HTTPS and its links must start with https://"
        )
    if settings.database_url.startswith("sqlite"):
        problems.append(
            "OPSPORTAL_DATABASE_URL is SQLite; production needs PostgreSQL "
            "(postgresql://user@host/db)"
        )
    return problems


def check_production(settings: Settings) -> None:
    """Refuse production settings that are unsafe, naming every one of them at once."""
    problems = production_problems(settings)
    if problems:
        raise ConfigurationError(
            "refusing to start with OPSPORTAL_ENVIRONMENT=production: " + "; ".join(problems) + "."
        )
