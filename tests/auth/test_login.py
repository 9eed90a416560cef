"""Password logins: throttled per email and per address (API and form), constant-time,
and bounded, played as an attacker would through the real routes."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from argon2 import PasswordHasher, extract_parameters
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.auth import login as login_module
from opsportal.auth.login import password_check_slot
from opsportal.auth.secrets import use_password_hash_cost
from opsportal.auth.throttle import email_key
from opsportal.config import (
    SECURE_PASSWORD_HASH_MEMORY_KIB,
    SECURE_PASSWORD_HASH_TIME_COST,
    Settings,
)
from opsportal.db import SessionFactory
from opsportal.errors import PROBLEM_JSON, ServiceBusy
from opsportal.models import LoginFailure, Role, User
from opsportal.models.base import utcnow
from tests.factories import bearer, create_user
from tests.pages import PASSWORD, log_in


@pytest.fixture
def user(session: Session) -> User:
    created, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
    return created


def api_login(client: TestClient, email: str, password: str) -> Any:
    return client.post("/api/v1/login", json={"email": email, "password": password})


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The login's notion of now, to be moved forward by the test."""
    now = [utcnow()]
    monkeypatch.setattr(login_module, "utcnow", lambda: now[0])
    yield now


class TestApiLogin:
    def test_a_good_password_gives_a_token_that_expires_like_a_session(
        self, client: TestClient, user: User, settings: Settings
    ) -> None:
        response = api_login(client, user.email.upper(), PASSWORD)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["label"] == "login"
        assert client.get("/api/v1/me", headers=bearer(body["token"])).json()["id"] == user.id
        expires = datetime.fromisoformat(body["expiresAt"])
        expected = utcnow() + timedelta(seconds=settings.session_max_age_seconds)
        assert abs(expires - expected) < timedelta(minutes=1)

    @pytest.mark.parametrize(
        ("email", "password"),
        [("nobody@example.test", PASSWORD), ("{user}", "wrong password")],
    )
    def test_wrong_credentials_are_the_same_401(
        self, client: TestClient, user: User, email: str, password: str
    ) -> None:
        response = api_login(client, email.format(user=user.email), password)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["detail"] == "Email or password is wrong."

    def test_nul_characters_are_refused_not_a_500(self, client: TestClient) -> None:
        assert api_login(client, "a\x00b@x.test", "x").status_code == 422
        assert log_in(client, "a\x00b@x.test", "x\x00").status_code == 401


class TestThrottlePerEmail:
    def test_the_eleventh_attempt_is_429_even_with_the_right_password(
        self, client: TestClient, session: Session, user: User
    ) -> None:
        for _ in range(10):
            assert api_login(client, user.email, "guess").status_code == 401
        refused = api_login(client, user.email, PASSWORD)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert 840 <= int(refused.headers["Retry-After"]) <= 900
        assert (
            refused.json()["status"] == 429
            and "Try again in 15 minutes" in refused.json()["detail"]
        )
        # The email, however it is spelt.
        assert api_login(client, f"  {user.email.upper()} ", PASSWORD).status_code == 429
        # Another account from the same address is not locked out by it.
        other, _ = create_user(session, role=Role.INTERNAL)
        assert api_login(client, other.email, "guess").status_code == 401

    def test_the_web_form_shares_the_count_and_says_why(
        self, client: TestClient, user: User
    ) -> None:
        for _ in range(5):
            assert api_login(client, user.email, "guess").status_code == 401
        for _ in range(5):
            assert log_in(client, user.email, "guess").status_code == 401
        page = log_in(client, user.email, PASSWORD)
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert int(page.headers["Retry-After"]) > 0
        assert "Too many failed logins" in page.text
        assert client.get("/training", follow_redirects=False).status_code == 303

    def test_waiting_out_the_window_ends_it_and_success_resets_the_count(
        self, client: TestClient, session: Session, user: User, clock: list[datetime]
    ) -> None:
        for _ in range(10):
            api_login(client, user.email, "guess")
            clock[0] += timedelta(seconds=30)  # 10 failures over 5 minutes
        for _ in range(3):  # refused attempts do not count, nor extend the wait
            assert api_login(client, user.email, PASSWORD).status_code == 429
        first_failure_leaves = timedelta(minutes=15) - timedelta(seconds=300)
        clock[0] += first_failure_leaves - timedelta(seconds=5)
        assert api_login(client, user.email, PASSWORD).status_code == 429
        clock[0] += timedelta(seconds=6)
        assert api_login(client, user.email, PASSWORD).status_code == 201
        stored = session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.email_hash == email_key(user.email))
        )
        assert stored == 0
        # A fresh count: nine failures in a row do not lock the account.
        for _ in range(9):
            assert api_login(client, user.email, "guess").status_code == 401
        assert api_login(client, user.email, PASSWORD).status_code == 201

    def test_the_table_holds_no_email_address(
        self, client: TestClient, session: Session, user: User
    ) -> None:
        api_login(client, user.email, "guess")
        rows = session.scalars(select(LoginFailure)).all()
        assert rows and all(user.email not in (r.email_hash + r.address) for r in rows)


class TestThrottlePerAddress:
    @pytest.fixture
    def strict_app(self, settings: Settings, session_factory: SessionFactory) -> FastAPI:
        strict = settings.model_copy(update={"login_max_failures_per_address": 3})
        return create_app(strict, session_factory=session_factory)

    def test_many_emails_from_one_address_are_refused(
        self, strict_app: FastAPI, user: User
    ) -> None:
        with TestClient(strict_app) as client:
            for n in range(3):
                assert api_login(client, f"spray{n}@example.test", "guess").status_code == 401
            assert api_login(client, "spray-next@example.test", "guess").status_code == 429
            assert api_login(client, user.email, PASSWORD).status_code == 429
            assert log_in(client, user.email).status_code == 429


class TestConstantTime:
    @pytest.fixture
    def no_password(self, session: Session) -> User:
        created, _ = create_user(session, role=Role.INTERNAL)
        return created

    def test_every_failure_costs_one_argon2_verification_at_the_cost_of_real_ones(
        self,
        client: TestClient,
        user: User,
        no_password: User,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        verified: list[str] = []
        real_verify = PasswordHasher.verify

        def counting_verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
            verified.append(password_hash)
            return real_verify(hasher, password_hash, password)

        monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
        assert user.password_hash is not None
        for email in ("nobody@example.test", no_password.email, user.email):
            verified.clear()
            assert api_login(client, email, "a guess").status_code == 401
            assert len(verified) == 1, email
            # The hash checked for a missing one is made at the cost of a real one.
            assert extract_parameters(verified[0]) == extract_parameters(user.password_hash)

    @pytest.mark.real_password_cost
    def test_a_user_without_a_password_answers_as_slowly_as_a_wrong_password(
        self, client: TestClient, user: User, no_password: User
    ) -> None:
        assert user.password_hash is not None
        made_at = extract_parameters(user.password_hash)
        assert (made_at.time_cost, made_at.memory_cost) == (
            SECURE_PASSWORD_HASH_TIME_COST,
            SECURE_PASSWORD_HASH_MEMORY_KIB,
        )

        def median_ms(email: str) -> float:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                assert api_login(client, email, "a guess").status_code == 401
                times.append((time.perf_counter() - started) * 1000)
            return statistics.median(times)

        wrong, without = median_ms(user.email), median_ms(no_password.email)
        unknown = median_ms("nobody@example.test")
        # Before: about 179 ms against 5 ms. Loosely, for a busy machine.
        assert without > 0.4 * wrong and unknown > 0.4 * wrong, (wrong, without, unknown)


class TestHashCost:
    """A deployment may raise the cost: old hashes still verify, and a login upgrades them."""

    LOW = {"password_hash_time_cost": 1, "password_hash_memory_kib": 64}
    HIGH = {"password_hash_time_cost": 2, "password_hash_memory_kib": 128}

    def user_hashed_at(self, session: Session, cost: dict[str, int]) -> User:
        use_password_hash_cost(
            time_cost=cost["password_hash_time_cost"], memory_kib=cost["password_hash_memory_kib"]
        )
        created, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        assert created.password_hash is not None
        assert (
            extract_parameters(created.password_hash).memory_cost
            == cost["password_hash_memory_kib"]
        )
        return created

    def client_at(
        self, settings: Settings, session_factory: SessionFactory, cost: dict[str, int]
    ) -> TestClient:
        return TestClient(
            create_app(settings.model_copy(update=cost), session_factory=session_factory)
        )

    def test_a_good_login_upgrades_a_hash_made_at_a_lower_cost(
        self, settings: Settings, session_factory: SessionFactory, session: Session
    ) -> None:
        user = self.user_hashed_at(session, self.LOW)
        old_hash = user.password_hash
        with self.client_at(settings, session_factory, self.HIGH) as client:
            assert api_login(client, user.email, "a guess").status_code == 401
            session.refresh(user)
            assert user.password_hash == old_hash
            assert api_login(client, user.email, PASSWORD).status_code == 201
            session.refresh(user)
            assert user.password_hash is not None and user.password_hash != old_hash
            made_at = extract_parameters(user.password_hash)
            assert (made_at.time_cost, made_at.memory_cost) == (2, 128)
            # The same password still signs in, through the API and the form.
            assert api_login(client, user.email, PASSWORD).status_code == 201
            assert log_in(client, user.email).status_code == 303

    def test_a_hash_made_at_a_higher_cost_verifies_and_is_kept(
        self, settings: Settings, session_factory: SessionFactory, session: Session
    ) -> None:
        user = self.user_hashed_at(session, self.HIGH)
        old_hash = user.password_hash
        with self.client_at(settings, session_factory, self.LOW) as client:
            assert api_login(client, user.email, PASSWORD).status_code == 201
        session.refresh(user)
        assert user.password_hash == old_hash


class TestBoundedHashing:
    def test_a_login_waits_for_a_free_slot_then_gets_503(self) -> None:
        settings = Settings(password_checks_concurrent=1, password_check_wait_seconds=0.05)
        request: Any = SimpleNamespace(
            app=SimpleNamespace(state=SimpleNamespace(settings=settings))
        )

        async def scenario() -> None:
            holder = password_check_slot(request)
            await anext(holder)
            waiting = password_check_slot(request)
            with pytest.raises(ServiceBusy) as refused:
                await anext(waiting)
            assert refused.value.headers["Retry-After"] == "1"
            await holder.aclose()  # the first check ends: the slot is free again
            third = password_check_slot(request)
            await anext(third)
            await third.aclose()

        asyncio.run(scenario())
