"""How `opsportal serve` runs uvicorn: logs without secrets, and forwarded headers believed
only from the proxies named in OPSPORTAL_FORWARDED_ALLOW_IPS. Through the real server."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from opsportal.web.logs import log_config
from opsportal.web.serving import (
    SECRET_PATH_PREFIXES,
    SECRET_QUERY_PARAMETERS,
    RedactSecrets,
)
from tests.factories import bearer, create_organization, create_user
from tests.pages import csrf_from
from tests.processes import serving

NEW_PASSWORD = "a brand new password"
# Path parameters that are not secrets: ids, metric names, language codes, and the
# public verification codes printed on certificates.
PUBLIC_PATH_PARAMETERS = frozenset({"code", "verification_code", "metric", "locale"})


def all_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from all_routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_path_that_carries_a_secret_is_redacted(settings: Settings) -> None:
    checked = 0
    for route in all_routes(create_app(settings).routes):
        for parameter in route.dependant.path_params:
            name = parameter.name
            if name.endswith("_id") or name in PUBLIC_PATH_PARAMETERS:
                continue
            checked += 1
            assert route.path.startswith(SECRET_PATH_PREFIXES), (
                f"{route.path}: is {{{name}}} a secret? List its prefix in "
                "SECRET_PATH_PREFIXES (web/serving.py), or as public here"
            )
        for parameter in route.dependant.query_params:
            if parameter.name in SECRET_QUERY_PARAMETERS:
                continue
            assert not re.search(
                r"token|secret|password|key|code|state|ticket|assertion", parameter.name, re.I
            ), (
                f"{route.path}: is ?{parameter.name}= a secret? List it in "
                "SECRET_QUERY_PARAMETERS (web/serving.py)"
            )
    assert checked >= 2  # GET and POST /set-password/{token}


def formatted(message: str, *args: object, logger: str = "opsportal.test") -> str:
    """The line the served process's handlers would write for this record."""
    record = logging.LogRecord(logger, logging.WARNING, __file__, 1, message, args, None)
    RedactSecrets().filter(record)
    return record.getMessage()


class TestRedaction:
    def test_a_password_link_in_a_path_or_a_whole_url(self) -> None:
        token = "Zm9vYmFyLXNlY3JldC10b2tlbi1vZi1mb3J0eS10d28"
        assert token not in formatted("busy on %s %s", "POST", f"/set-password/{token}")
        assert token not in formatted(f"link: https://ops.example/set-password/{token}?x=1")
        assert "/set-password/[redacted]" in formatted("GET /set-password/%s", token)
        # The router decodes the path; the access log writes it as it was sent.
        for sent in (f"/set-password%2F{token}", f"/%73et-password/{token}"):
            assert token not in formatted('"GET %s HTTP/1.1" 404', sent)

    def test_an_oidc_callbacks_code_and_state(self) -> None:
        line = formatted(
            '"GET %s HTTP/1.1" 303', "/auth/oidc/7/callback?code=c0de5ecret&state=st4te"
        )
        assert "c0de5ecret" not in line and "st4te" not in line
        assert "/auth/oidc/7/callback?code=[redacted]&state=[redacted]" in line

    def test_an_api_token_anywhere(self) -> None:
        token = "ops_" + "A1b2C3d4" * 5
        assert token not in formatted("Authorization: Bearer %s", token)
        assert token not in formatted("failed: %s", ValueError(f"bad {token}"))

    def test_the_access_log_keeps_its_shape(self) -> None:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", "/set-password/secret-link-token", "1.1", 200),
            None,
        )
        RedactSecrets().filter(record)
        assert record.args == ("127.0.0.1:5000", "GET", "/set-password/[redacted]", "1.1", 200)

    def test_every_handler_of_the_served_process_filters(self, settings: Settings) -> None:
        config = log_config(settings)
        assert config["handlers"] and all(
            "no_secrets" in handler["filters"] for handler in config["handlers"].values()
        )
        assert config["root"]["handlers"] == ["default"]


@pytest.fixture
def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = database_url
    env["OPSPORTAL_SECRET_KEY"] = "serving-test-secret-key-long-enough-for-it"
    env.pop("OPSPORTAL_FORWARDED_ALLOW_IPS", None)
    env.pop("FORWARDED_ALLOW_IPS", None)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_the_servers_log_holds_no_secret(
    server_env: dict[str, str],
    committed_session_factory: SessionFactory,
    tmp_path: Path,
    workers: int,
) -> None:
    with session_scope(committed_session_factory) as session:
        _, admin_token = create_user(session, role=Role.ADMIN)
        organization = create_organization(session)
    log = tmp_path / "serve.log"
    secrets: dict[str, str] = {"admin token": admin_token, "new password": NEW_PASSWORD}
    with serving(server_env, log=log, workers=workers) as url:
        with httpx.Client(base_url=url, timeout=30) as api:
            api.headers.update(bearer(admin_token))
            created = api.post(
                "/api/v1/users",
                json={
                    "email": f"logs{workers}@example.test",
                    "name": "Log Reader",
                    "role": "customer",
                    "organizationId": organization.id,
                },
            )
            assert created.status_code == 201, created.text
            user = created.json()
            link = api.post(f"/api/v1/users/{user['id']}/password-link")
            assert link.status_code == 201, link.text
        link_url = link.json()["url"]
        link_path = "/set-password/" + link_url.rsplit("/set-password/", 1)[1]
        secrets["password link"] = link_path.rsplit("/", 1)[1]

        with httpx.Client(base_url=url, timeout=30) as browser:
            form = browser.get(link_path)
            assert form.status_code == 200
            done = browser.post(
                link_path,
                data={
                    "password": NEW_PASSWORD,
                    "password_again": NEW_PASSWORD,
                    "csrf_token": csrf_from(form.text),
                },
            )
            assert done.status_code == 200, done.text
            assert browser.get(link_path).status_code == 404  # spent; still a logged request
            login_page = browser.get("/login")
            signed_in = browser.post(
                "/login",
                data={
                    "email": user["email"],
                    "password": NEW_PASSWORD,
                    "csrf_token": csrf_from(login_page.text),
                },
                follow_redirects=False,
            )
            assert signed_in.status_code == 303
            secrets["session cookie"] = browser.cookies["opsportal_session"]
            assert browser.get("/training").status_code == 200

        token = httpx.post(
            f"{url}/api/v1/login",
            json={"email": user["email"], "password": NEW_PASSWORD},
            timeout=30,
        ).json()["token"]
        secrets["login token"] = token
        assert httpx.get(f"{url}/api/v1/me", headers=bearer(token), timeout=30).is_success
        # A token sent in a path by mistake is in the request line of the access log.
        assert httpx.get(f"{url}/api/v1/{token}", timeout=30).status_code == 404

    written = log.read_text()
    assert '"GET /set-password/' in written  # the access log was captured
    for what, secret in secrets.items():
        assert secret not in written, f"the {what} is in the server's log"
    assert '"POST /set-password/[redacted] HTTP/1.1" 200' in written


def failed_logins(url: str, count: int, *, forwarded_for: list[str]) -> list[int]:
    """`count` failed logins, each for a different email, as if from the addresses given."""
    statuses = []
    for index in range(count):
        response = httpx.post(
            f"{url}/api/v1/login",
            json={"email": f"nobody{index}@example.test", "password": "wrong password"},
            headers={"X-Forwarded-For": forwarded_for[index % len(forwarded_for)]},
            timeout=60,
        )
        statuses.append(response.status_code)
    return statuses


@pytest.mark.slow
class TestForwardedHeaders:
    LIMIT = 3

    @pytest.fixture
    def env(
        self, server_env: dict[str, str], committed_session_factory: SessionFactory
    ) -> dict[str, str]:
        return {**server_env, "OPSPORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS": str(self.LIMIT)}

    def test_by_default_a_forwarded_address_is_ignored(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        rotating = [f"203.0.113.{n}" for n in range(1, 50)]
        with serving(env, log=tmp_path / "serve.log") as url:
            statuses = failed_logins(url, self.LIMIT + 2, forwarded_for=rotating)
        # Every attempt came from this machine, whatever the header said: the
        # per-address limit held.
        assert statuses == [401] * self.LIMIT + [429, 429]

    def test_a_configured_proxy_is_believed(self, env: dict[str, str], tmp_path: Path) -> None:
        env = {**env, "OPSPORTAL_FORWARDED_ALLOW_IPS": "127.0.0.1"}
        with serving(env, log=tmp_path / "serve.log") as url:
            # Behind the trusted proxy, different clients are counted apart...
            spread = failed_logins(
                url, self.LIMIT + 2, forwarded_for=["198.51.100.1", "198.51.100.2"]
            )
            # ...and one client is still stopped at its limit.
            one = failed_logins(url, self.LIMIT + 1, forwarded_for=["198.51.100.9"])
        assert spread == [401] * (self.LIMIT + 2)
        assert one == [401] * self.LIMIT + [429]
