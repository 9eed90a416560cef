"""Extra time on timed quizzes (WCAG 2.2.1): who may grant it, and the server's deadline
that includes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.models import QuizAttempt, Role, Track
from tests.factories import (
    bearer,
    correct_answers,
    create_course,
    create_customer,
    create_organization,
    create_quiz,
    create_track,
    create_user,
)


def timed_quiz(session: Session, minutes: int = 10, track: Track | None = None) -> tuple[int, int]:
    track = track or create_track(session)
    quiz = create_quiz(
        session, course=create_course(session, track=track), timeLimitMinutes=minutes
    )
    return quiz.id, track.id


def grant(client: TestClient, headers: dict[str, str], user_id: int, **body: Any) -> Any:
    return client.put(f"/api/v1/training/users/{user_id}/extra-time", json=body, headers=headers)


def start(client: TestClient, quiz_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def minutes_allowed(attempt: dict[str, Any], session: Session) -> float:
    row = session.scalars(select(QuizAttempt).where(QuizAttempt.id == attempt["attemptId"])).one()
    assert row.deadline_at is not None
    return (row.deadline_at - row.started_at).total_seconds() / 60


def time_passes(session: Session, attempt_id: int, minutes: int) -> None:
    """Move the attempt `minutes` into the past: as if the learner took that long."""
    attempt = session.scalars(select(QuizAttempt).where(QuizAttempt.id == attempt_id)).one()
    shift = timedelta(minutes=minutes)
    assert attempt.deadline_at is not None
    started_at: datetime = attempt.started_at - shift
    session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .values(started_at=started_at, deadline_at=attempt.deadline_at - shift)
    )
    session.expire_all()


class TestGranting:
    def test_an_admin_grants_minutes_and_reads_them_back(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        learner = create_customer(session)
        response = grant(client, admin_headers, learner.user.id, extraMinutes=15)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["trackId"] is None and body["extraMinutes"] == 15
        assert body["multiplier"] is None
        listed = client.get(
            f"/api/v1/training/users/{learner.user.id}/extra-time", headers=admin_headers
        ).json()
        assert [(g["trackId"], g["extraMinutes"]) for g in listed] == [(None, 15)]

    def test_a_second_grant_for_the_same_scope_replaces_the_first(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        learner = create_customer(session)
        _, track_id = timed_quiz(session)
        grant(client, admin_headers, learner.user.id, extraMinutes=15)
        grant(client, admin_headers, learner.user.id, trackId=track_id, multiplier=1.5)
        grant(client, admin_headers, learner.user.id, trackId=track_id, multiplier=2)
        listed = client.get(
            f"/api/v1/training/users/{learner.user.id}/extra-time", headers=admin_headers
        ).json()
        assert [(g["trackId"], g["multiplier"], g["extraMinutes"]) for g in listed] == [
            (None, None, 15),
            (track_id, 2.0, None),
        ]

    def test_granting_and_removing_are_audited(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        learner = create_customer(session)
        grant_id = grant(client, admin_headers, learner.user.id, multiplier=1.5).json()["id"]
        removed = client.delete(f"/api/v1/training/extra-time/{grant_id}", headers=admin_headers)
        assert removed.status_code == 204
        entries = client.get(
            "/api/v1/audit", params={"targetType": "user"}, headers=admin_headers
        ).json()["items"]
        mine = [e for e in entries if e["targetId"] == learner.user.id]
        assert [e["action"] for e in mine][:2] == [
            "training_extra_time.remove",
            "training_extra_time.grant",
        ]
        assert mine[1]["detail"]["multiplier"] == 1.5

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"multiplier": 1.5, "extraMinutes": 10},
            {"multiplier": 11},
            {"multiplier": 1},
            {"extraMinutes": 0},
            {"extraMinutes": 100_000},
            {"extraMinutes": 10, "trackId": 0},
            {"extraMinutes": 10, "reason": "dyslexia"},
        ],
    )
    def test_bad_input_is_422_and_grants_nothing(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        body: dict[str, Any],
    ) -> None:
        learner = create_customer(session)
        response = grant(client, admin_headers, learner.user.id, **body)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        listed = client.get(
            f"/api/v1/training/users/{learner.user.id}/extra-time", headers=admin_headers
        )
        assert listed.json() == []

    def test_an_unknown_track_is_404(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        learner = create_customer(session)
        response = grant(client, admin_headers, learner.user.id, trackId=987654, extraMinutes=5)
        assert response.status_code == 404


class TestWhoMayGrant:
    def test_a_customer_admin_grants_its_own_customers(
        self, client: TestClient, session: Session
    ) -> None:
        learner = create_customer(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=learner.organization)
        response = grant(client, bearer(token), learner.user.id, extraMinutes=20)
        assert response.status_code == 200, response.text

    def test_a_customer_admin_gets_404_for_another_organisations_customer(
        self, client: TestClient, session: Session
    ) -> None:
        learner = create_customer(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN)
        assert grant(client, bearer(token), learner.user.id, extraMinutes=20).status_code == 404
        listed = client.get(
            f"/api/v1/training/users/{learner.user.id}/extra-time", headers=bearer(token)
        )
        assert listed.status_code == 404

    def test_a_customer_admin_cannot_grant_itself_or_a_peer(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        me, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
        peer, _ = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
        assert grant(client, bearer(token), me.id, extraMinutes=20).status_code == 403
        assert grant(client, bearer(token), peer.id, extraMinutes=20).status_code == 403

    @pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INTERNAL])
    def test_learners_and_internal_staff_cannot(
        self, client: TestClient, session: Session, role: Role
    ) -> None:
        learner = create_customer(session)
        organization = learner.organization if role.is_customer else None
        _, token = create_user(session, role=role, organization=organization)
        assert grant(client, bearer(token), learner.user.id, extraMinutes=20).status_code == 403


class TestTheDeadline:
    def test_minutes_and_multipliers_lengthen_the_server_deadline(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        quiz_id, track_id = timed_quiz(session, minutes=10)
        other_quiz, _ = timed_quiz(session, minutes=10)
        learner = create_customer(session)
        grant(client, admin_headers, learner.user.id, extraMinutes=15)
        grant(client, admin_headers, learner.user.id, trackId=track_id, multiplier=1.25)
        status = client.get(
            f"/api/v1/training/quizzes/{quiz_id}/status", headers=learner.headers
        ).json()
        assert status["timeLimitMinutes"] == 10 and status["extraMinutes"] == 3  # 2.5, rounded up
        on_track = start(client, quiz_id, learner.headers)
        assert on_track["extraMinutes"] == 3
        assert minutes_allowed(on_track, session) == 13
        elsewhere = start(client, other_quiz, learner.headers)
        assert elsewhere["extraMinutes"] == 15
        assert minutes_allowed(elsewhere, session) == 25

    def test_a_submit_late_without_extra_time_is_accepted_with_it(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        quiz_id, _ = timed_quiz(session, minutes=10)
        helped = create_customer(session)
        unhelped = create_customer(session)
        grant(client, admin_headers, helped.user.id, extraMinutes=15)
        results = {}
        for name, learner in (("helped", helped), ("unhelped", unhelped)):
            attempt = start(client, quiz_id, learner.headers)
            time_passes(session, attempt["attemptId"], minutes=20)
            results[name] = client.post(
                f"/api/v1/training/attempts/{attempt['attemptId']}/submit",
                json={"answers": correct_answers()},
                headers=learner.headers,
            ).json()
        assert results["unhelped"]["timeExpired"] is True
        assert results["unhelped"]["passed"] is False
        assert results["helped"]["timeExpired"] is False
        assert results["helped"]["passed"] is True

    def test_an_untimed_quiz_gets_no_deadline(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        quiz = create_quiz(session, course=create_course(session, track=create_track(session)))
        learner = create_customer(session)
        grant(client, admin_headers, learner.user.id, extraMinutes=15)
        attempt = start(client, quiz.id, learner.headers)
        assert attempt["deadlineAt"] is None and attempt["extraMinutes"] == 0
