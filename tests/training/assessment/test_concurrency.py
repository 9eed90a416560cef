"""Real concurrent HTTP requests against a live server with committed data.

These are the claims that a unique constraint or a read-then-write check alone
would not hold: gapless certificate numbers, one certificate per user and
track, one grading per attempt. They run on SQLite too (where transactions are
serialised) and must hold on PostgreSQL under READ COMMITTED.
"""

from __future__ import annotations

from collections import Counter

import httpx
from sqlalchemy import func, select

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Certificate, QuizAttempt
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.assessment import attempts
from opsportal.training.certification import service as certification
from tests.factories import (
    bearer,
    correct_answers,
    create_track_with_quizzes,
    create_user,
    pass_quiz,
)
from tests.together import run_together

CONCURRENCY = 24


class TestConcurrentIssuance:
    def test_numbers_have_no_duplicates_and_no_gaps(
        self, live_server: str, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            track, (quiz,) = create_track_with_quizzes(session, courses=1)
            tokens = []
            for _ in range(CONCURRENCY):
                user, token = create_user(session)
                pass_quiz(session, user=user, quiz=quiz)
                tokens.append(token)
            track_id = track.id

        def ask(index: int) -> httpx.Response:
            return httpx.post(
                f"{live_server}/api/v1/training/tracks/{track_id}/certificate",
                headers=bearer(tokens[index]),
                timeout=60,
            )

        responses = run_together(CONCURRENCY, ask)
        assert [r.status_code for r in responses] == [201] * CONCURRENCY
        year = utcnow().year
        numbers = sorted(r.json()["certificateNumber"] for r in responses)
        assert numbers == [f"CERT-{year}-{n:05d}" for n in range(1, CONCURRENCY + 1)]
        assert len({r.json()["verificationCode"] for r in responses}) == CONCURRENCY

    def test_one_user_gets_one_certificate(
        self, live_server: str, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            track, quizzes = create_track_with_quizzes(session, courses=2)
            user, token = create_user(session)
            for quiz in quizzes:
                pass_quiz(session, user=user, quiz=quiz)
            track_id, user_id = track.id, user.id

        def ask(_: int) -> httpx.Response:
            return httpx.post(
                f"{live_server}/api/v1/training/tracks/{track_id}/certificate",
                headers=bearer(token),
                timeout=60,
            )

        responses = run_together(12, ask)
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {201: 1, 200: 11}
        assert len({r.json()["id"] for r in responses}) == 1
        with session_scope(committed_session_factory) as session:
            count = session.scalar(
                select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id)
            )
            assert count == 1
            listed = certification.list_certificates(
                session, principal=Principal(user_id, "", "", user.role, user.organization_id)
            )
            assert [c.certificate_number for c in listed] == [f"CERT-{utcnow().year}-00001"]


class TestConcurrentSubmit:
    def test_one_attempt_is_graded_once(
        self, live_server: str, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            _, (quiz,) = create_track_with_quizzes(session, courses=1)
            user, token = create_user(session)
            started = attempts.start_attempt(session, principal=Principal.of(user), quiz_id=quiz.id)
            attempt_id = started.attempt_id

        # Half the callers send a perfect sheet, half a failing one: whichever
        # wins, the stored grade must be exactly that one submission's.
        perfect = correct_answers()
        failing = correct_answers()[:1]

        def ask(index: int) -> httpx.Response:
            return httpx.post(
                f"{live_server}/api/v1/training/attempts/{attempt_id}/submit",
                json={"answers": perfect if index % 2 else failing},
                headers=bearer(token),
                timeout=60,
            )

        responses = run_together(CONCURRENCY, ask)
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 409: CONCURRENCY - 1}
        winner = next(r.json() for r in responses if r.status_code == 200)
        with session_scope(committed_session_factory) as session:
            stored = session.get(QuizAttempt, attempt_id)
            assert stored is not None
            assert stored.score == winner["score"]
            assert stored.correct_count == winner["correctCount"]
            assert stored.passed is winner["passed"]
        result = httpx.get(
            f"{live_server}/api/v1/training/attempts/{attempt_id}/result",
            headers=bearer(token),
            timeout=30,
        ).json()
        assert result["score"] == winner["score"]
