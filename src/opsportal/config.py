"""Settings read from OPSPORTAL_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opsportal.config_values import (
    SizeBand,
    check_issuer_url,
    check_locale,
    check_public_base_url,
    parse_domains,
    parse_networks,
    parse_proxies,
    parse_reminder_days,
    parse_size_bands,
    parse_smtp_url,
)

# The privacy floor of the benchmarks: a deployment may raise it, never lower it.
MIN_PEER_FLOOR = 5
# Connections each process keeps, and so the requests it serves at once (the
# rest wait their turn; see web/admission.py). Jobs get a few more on top.
# Per process, whatever the cores: one process runs Python on one core at a
# time, and more requests in flight only make them take turns at that
# (bench/README.md: 8 beat 20 on every figure, on both databases).
DEFAULT_POOL_SIZE = 8
# In production the session signing key must be set and at least this long.
MIN_SECRET_KEY_LENGTH = 32
# argon2id's cost for password hashes, argon2-cffi's default (RFC 9106's low-memory
# profile, about 100-200 ms a hash): production may raise it, never lower it.
SECURE_PASSWORD_HASH_TIME_COST = 3
SECURE_PASSWORD_HASH_MEMORY_KIB = 64 * 1024
# The public address when none is configured and nothing serves (`serve` and
# `demo` name the address they listen on instead; see cli/server.py).
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPSPORTAL_", extra="ignore")

    database_url: str = "sqlite:///./opsportal.db"
    # A request waits this long for a database lock, then gets 503 with Retry-After.
    database_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    database_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=1000)
    # `production` refuses to start with settings that are only fit for a laptop
    # (see `production_problems`).
    environment: Literal["development", "production"] = "development"
    # Signs the session cookie. Unset, a random key is generated on first start
    # and kept in the database, so every process and replica shares it.
    secret_key: str | None = Field(default=None, repr=False)
    # Where people reach this portal: the base of every link it hands out (emails,
    # certificates and their QR codes, credentials, SSO and SCIM addresses).
    # Unset (or empty): `serve` and `demo` use the address they listen on, anything
    # else DEFAULT_PUBLIC_BASE_URL; production refuses to start without it.
    public_base_url: str = ""
    session_cookie_secure: bool = False
    session_max_age_seconds: int = 8 * 3600
    # Request bodies over this get 413 before they are read in full (CLI imports are not limited).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # A request body must arrive in full within this many seconds of the request's
    # head, or the request gets 408. Bodies are read before a request takes a slot
    # or a database lock, so a client that sends slowly holds nothing else. Raise
    # it if clients upload large files over slow links.
    body_read_timeout_seconds: float = Field(default=10.0, gt=0, le=3600)

    # The proxies whose X-Forwarded-For and X-Forwarded-Proto headers `serve`
    # believes: comma-separated addresses or networks (10.0.0.0/8), or * for any.
    # Empty (the default): none, and the client address is the connection's.
    # Name only your own reverse proxies: whoever is trusted here picks the client
    # address that the per-address login limit counts.
    forwarded_allow_ips: str = ""

    # The login throttle (per email, per client address) and the password checks
    # anonymous requests can start: at most this many at once per process.
    login_max_failures_per_email: int = Field(default=10, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    password_checks_concurrent: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), ge=1, le=64
    )
    password_check_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    # The argon2id cost of new password hashes (OPSPORTAL_PASSWORD_HASH_TIME_COST,
    # OPSPORTAL_PASSWORD_HASH_MEMORY_KIB): passes over memory, and KiB of memory.
    # Every hash records its own cost, so hashes made at another cost still
    # verify; a login upgrades a hash made at a lower cost. Production refuses
    # less than the default; the tests set a tiny cost (tests/conftest.py).
    password_hash_time_cost: int = Field(default=SECURE_PASSWORD_HASH_TIME_COST, ge=1, le=100)
    password_hash_memory_kib: int = Field(
        default=SECURE_PASSWORD_HASH_MEMORY_KIB, ge=64, le=4 * 1024 * 1024
    )
    # How long a one-time link to set a password (an invitation or a reset) stays valid.
    password_link_hours: int = Field(default=72, ge=1, le=24 * 30)
    # How long the emailed invitation of a user made without a password stays valid.
    invitation_days: int = Field(default=7, ge=1, le=90)

    # Staff sign-in through the company's OpenID Connect provider (the redirect URI
    # to register there is {public_base_url}/auth/oidc/callback). Verified emails of
    # the staff domains (comma-separated) become `internal` users on first sign-in.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_staff_domains: str = ""
    # false: admins and internal users sign in through OIDC only (the form and the API).
    staff_password_login: bool = True
    # How long a call to an identity provider (discovery, keys, token) may take.
    sso_http_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    scheduler_enabled: bool = True
    benchmark_cron: str = "0 2 * * *"
    benchmark_timezone: str = "UTC"
    benchmark_min_peers: int = MIN_PEER_FLOOR
    # Customers see a group's quartiles only from this many peers up.
    benchmark_min_peers_quartiles: int = 10
    benchmark_freshness_days: int = 35
    benchmark_size_bands: str = "1-100,101-500,501-2000,2001+"

    certificate_validity_days: int = 730
    # SCORM packages (training/content/): where their content is served from, an
    # origin of its own (another host name, or another port) so a package's script
    # can neither read the portal's pages nor call its API with the learner's
    # cookie. Unset: packages can be uploaded but not played.
    content_base_url: str | None = None
    # An upload's size (the zip as sent), its entries, and its size once unpacked.
    scorm_max_package_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    scorm_max_files: int = Field(default=10_000, ge=1)
    scorm_max_unpacked_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    # A package upload must arrive within this many seconds (other bodies: body_read_timeout).
    scorm_upload_timeout_seconds: float = Field(default=600.0, gt=0, le=3600)
    # Whom people write to about accessibility (an email address), named on /accessibility.
    accessibility_contact: str | None = None
    # The pages' language when neither the user nor the browser names a shipped one.
    default_locale: str = "en"
    # On: the pseudo-locale `en-XA` (every message accented) is offered, to find unmarked text.
    pseudo_locale: bool = False
    # The issuer named in Open Badges credentials and on LinkedIn's certification form.
    credential_issuer_name: str = Field(default="opsportal", min_length=1, max_length=200)
    # A required track is due this many days after a customer user is created.
    training_due_days: int = Field(default=30, ge=1, le=3650)
    # Reminders: an assignment this many days before its due day (and once
    # overdue); a certificate at each of these days before it expires.
    reminder_due_days: int = Field(default=7, ge=1, le=365)
    reminder_certificate_days: str = "60,30,7"
    reminder_cron: str = "0 7 * * *"
    reminder_timezone: str = "UTC"

    # The mail outbox's SMTP server: smtp://host:port, smtps:// (TLS) or
    # smtp+starttls://, with user:password@ when it needs a login. Unset, mail is
    # written to the log and kept in the outbox.
    smtp_url: str | None = Field(default=None, repr=False)
    mail_from: str = "opsportal@localhost"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # A message that failed this many times is marked FAILED (and kept).
    mail_max_attempts: int = Field(default=24, ge=1, le=1000)

    # xAPI: the Learning Record Store that learning events are sent to, as its
    # base URL (statements go to {endpoint}/statements) with HTTP basic auth.
    # Unset, no statement is queued. `xapi_actor` names what identifies a
    # person there: their email (`mbox`), its SHA-1 (`mbox_sha1sum`), or an
    # `account` (the user's id at `xapi_account_home_page`, the public base URL
    # by default).
    xapi_endpoint: str | None = None
    xapi_username: str | None = None
    xapi_password: str | None = Field(default=None, repr=False)
    xapi_actor: Literal["mbox", "mbox_sha1sum", "account"] = "mbox"
    xapi_account_home_page: str | None = None
    xapi_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # A statement that failed this many times is marked FAILED (and kept).
    xapi_max_attempts: int = Field(default=24, ge=1, le=1000)
    # When the sender runs (each firing in one process): every minute by default.
    xapi_send_cron: str = "* * * * *"

    # Logs: "text" (plain lines) or "json" (one JSON object per line), and the
    # level of opsportal's own messages (the libraries log warnings and up).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # GET /metrics: when set, a scrape must send `Authorization: Bearer <token>`;
    # when addresses are set (IP addresses or networks, comma-separated), it must
    # come from one of them. Both unset, /metrics answers anyone.
    metrics_token: str | None = Field(default=None, repr=False)
    metrics_allowed_addresses: str = ""

    # Retention (`opsportal retention apply`, and a daily job): rows older than
    # this many days are deleted; unset keeps them for ever. Sent mail counts
    # from its sending; metric history is the reported values (never the newest
    # value of an organisation and metric).
    retention_audit_days: int | None = Field(default=None, ge=1, le=36500)
    retention_login_failures_days: int | None = Field(default=30, ge=1, le=36500)
    retention_sent_mail_days: int | None = Field(default=None, ge=1, le=36500)
    retention_notifications_days: int | None = Field(default=None, ge=1, le=36500)
    retention_metric_history_days: int | None = Field(default=None, ge=1, le=36500)
    retention_cron: str = "30 3 * * *"
    retention_timezone: str = "UTC"

    _size_bands: tuple[SizeBand, ...] = PrivateAttr(default=())
    _public_base_url_configured: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._public_base_url_configured = bool(self.public_base_url)
        if not self.public_base_url:
            self.public_base_url = DEFAULT_PUBLIC_BASE_URL
        self._size_bands = parse_size_bands(self.benchmark_size_bands)
        if self.benchmark_min_peers_quartiles < self.benchmark_min_peers:
            raise ValueError(
                "OPSPORTAL_BENCHMARK_MIN_PEERS_QUARTILES must be at least "
                f"OPSPORTAL_BENCHMARK_MIN_PEERS ({self.benchmark_min_peers})"
            )

    @property
    def public_base_url_configured(self) -> bool:
        """Whether OPSPORTAL_PUBLIC_BASE_URL was given (not the fallback)."""
        return self._public_base_url_configured

    @property
    def trusted_proxies(self) -> tuple[str, ...]:
        """`forwarded_allow_ips` as a tuple of addresses and networks (or "*")."""
        return parse_proxies(self.forwarded_allow_ips)

    @property
    def login_window(self) -> timedelta:
        return timedelta(seconds=self.login_window_seconds)

    @property
    def size_bands(self) -> tuple[SizeBand, ...]:
        """The benchmark size bands, parsed once when the settings are loaded."""
        return self._size_bands

    @field_validator("benchmark_min_peers")
    @classmethod
    def _never_below_floor(cls, value: int) -> int:
        if value < MIN_PEER_FLOOR:
            raise ValueError(f"must be at least {MIN_PEER_FLOOR}; the privacy minimum only goes up")
        return value

    @field_validator("benchmark_freshness_days", "certificate_validity_days")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be positive")
        return value

    @field_validator("benchmark_size_bands")
    @classmethod
    def _size_bands_parse(cls, value: str) -> str:
        # Checked at start-up, so a typo fails `serve` at once, not the 02:00 run.
        parse_size_bands(value)
        return value

    @property
    def certificate_reminder_days(self) -> tuple[int, ...]:
        """The certificate reminder thresholds, largest first."""
        return parse_reminder_days(self.reminder_certificate_days)

    @field_validator("reminder_certificate_days")
    @classmethod
    def _reminder_days_parse(cls, value: str) -> str:
        parse_reminder_days(value)
        return value

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The addresses /metrics answers (empty: any), parsed once at start-up."""
        return parse_networks(self.metrics_allowed_addresses)

    @field_validator("metrics_allowed_addresses")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("metrics_token")
    @classmethod
    def _token_or_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("benchmark_cron", "reminder_cron", "retention_cron", "xapi_send_cron")
    @classmethod
    def _cron_parses(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(value, timezone="UTC")
        return value

    @field_validator("benchmark_timezone", "reminder_timezone", "retention_timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a timezone name like UTC or Europe/Berlin"
            ) from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_parses(cls, value: str | None) -> str | None:
        if value:
            parse_smtp_url(value)
        return value or None

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_proxies(value)
        return value

    @property
    def staff_domains(self) -> frozenset[str]:
        """The staff email domains, lower case."""
        return parse_domains(self.oidc_staff_domains)

    @property
    def staff_oidc_configured(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @field_validator("oidc_staff_domains")
    @classmethod
    def _staff_domains_parse(cls, value: str) -> str:
        parse_domains(value)
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_is_https(cls, value: str | None) -> str | None:
        if value:
            check_issuer_url(value)
        return value or None

    @field_validator("mail_from")
    @classmethod
    def _mail_from_is_one_address(cls, value: str) -> str:
        # Checked at start-up: a From that no message can carry would fail every one.
        from opsportal.addresses import sender_problem

        problem = sender_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("accessibility_contact")
    @classmethod
    def _contact_is_an_address(cls, value: str | None) -> str | None:
        from opsportal.addresses import email_problem

        problem = email_problem(value) if value else None
        if problem is not None:
            raise ValueError(problem)
        return value or None

    @field_validator("default_locale")
    @classmethod
    def _locale_is_shipped(cls, value: str) -> str:
        return check_locale(value)

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url_parses(cls, value: str) -> str:
        # Checked at start-up: a typo here would otherwise only show in a dead link.
        return check_public_base_url(value) if value.strip() else ""

    @field_validator("content_base_url")
    @classmethod
    def _content_origin(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlsplit(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("OPSPORTAL_CONTENT_BASE_URL must be an http(s) origin")
        if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
            raise ValueError("OPSPORTAL_CONTENT_BASE_URL is an origin only, with no path")
        return f"{parsed.scheme}://{parsed.netloc}".lower()

    @field_validator("xapi_endpoint")
    @classmethod
    def _endpoint_is_http(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL (the LRS's xAPI base)")
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
