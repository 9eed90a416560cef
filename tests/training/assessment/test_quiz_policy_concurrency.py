"""maxAttempts under real concurrent starts: in one server, and across two server processes.

Many tabs (or a script) starting the same quiz at once must never get more
attempts than the policy allows: the per-learner counter row is locked before
attempts are counted. Both tests run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from opsportal.db import SessionFactory, session_scope
from opsportal.models import QuizAttempt, Role
from tests.factories import bearer, create_course, create_quiz, create_track, create_user
from tests.processes import serve_processes
from tests.together import run_together

STARTS = 24
MAX_ATTEMPTS = 3


def limited_quiz(factory: SessionFactory) -> tuple[int, list[str]]:
    """A quiz allowing MAX_ATTEMPTS, and two learners' tokens."""
    with session_scope(factory) as session:
        track = create_track(session)
        quiz = create_quiz(
            session, course=create_course(session, track=track), maxAttempts=MAX_ATTEMPTS
        )
        tokens = [create_user(session, role=Role.CUSTOMER)[1] for _ in range(2)]
        return quiz.id, tokens


def attempts_in_database(factory: SessionFactory, quiz_id: int) -> Counter[int]:
    with session_scope(factory) as session:
        rows = session.execute(
            select(QuizAttempt.user_id, func.count())
            .where(QuizAttempt.quiz_id == quiz_id)
            .group_by(QuizAttempt.user_id)
        )
        return Counter({int(user_id): int(count) for user_id, count in rows.tuples()})


def check(responses: list[httpx.Response]) -> None:
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: MAX_ATTEMPTS, 409: STARTS - MAX_ATTEMPTS}, codes
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["rule"] == "maxAttempts"


class TestOneServer:
    def test_simultaneous_starts_never_exceed_max_attempts(
        self, live_server: str, committed_session_factory: SessionFactory
    ) -> None:
        quiz_id, (token, other) = limited_quiz(committed_session_factory)

        def go(_: int) -> httpx.Response:
            return httpx.post(
                f"{live_server}/api/v1/training/quizzes/{quiz_id}/start",
                headers=bearer(token),
                timeout=60,
            )

        check(run_together(STARTS, go))
        assert sorted(attempts_in_database(committed_session_factory, quiz_id).values()) == [
            MAX_ATTEMPTS
        ]
        # Another learner's limit is their own.
        assert go(0).status_code == 409
        assert (
            httpx.post(
                f"{live_server}/api/v1/training/quizzes/{quiz_id}/start",
                headers=bearer(other),
                timeout=60,
            ).status_code
            == 201
        )


@pytest.fixture
def two_servers(
    database_url: str, committed_session_factory: SessionFactory
) -> Iterator[list[str]]:
    """Two `opsportal serve` processes on the test database (migrated by the engine fixture)."""
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = database_url
    env["OPSPORTAL_SCHEDULER_ENABLED"] = "false"
    with serve_processes(env) as urls:
        yield urls


@pytest.mark.slow
class TestTwoProcesses:
    def test_starts_split_across_processes_never_exceed_max_attempts(
        self, two_servers: list[str], committed_session_factory: SessionFactory
    ) -> None:
        quiz_id, (token, _) = limited_quiz(committed_session_factory)

        def go(index: int) -> httpx.Response:
            url = two_servers[index % 2]
            return httpx.post(
                f"{url}/api/v1/training/quizzes/{quiz_id}/start",
                headers=bearer(token),
                timeout=60,
            )

        responses = run_together(STARTS, go)
        check(responses)
        assert sorted(attempts_in_database(committed_session_factory, quiz_id).values()) == [
            MAX_ATTEMPTS
        ]
