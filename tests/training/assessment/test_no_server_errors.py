"""Whatever JSON arrives at a training endpoint, the answer is never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.factories import Customer, create_track_with_quizzes, sample_questions
from tests.hypothesis_profiles import examples

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["CUSTOMER", "MULTI_SELECT", "TRUE_FALSE", "1.0", "q1", "a", "\x00", "NaN"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "name", "type", "level", "version", "slug", "validityDays", "estimatedMinutes",
        "questions", "passThreshold", "answers", "questionId", "selectedOptionIds",
        "options", "correctOptionIds", "id", "text", "question", "reason", "title",
    ]
)  # fmt: skip
bodies = json_values | st.dictionaries(keys, json_values, max_size=6)


def mutated_quiz(data: st.DataObject) -> dict[str, Any]:
    questions = sample_questions()
    question = data.draw(st.sampled_from(questions))
    question[data.draw(keys)] = data.draw(json_values)
    return {"questions": questions, "passThreshold": data.draw(json_values)}


@pytest.fixture
def world(session: Session, admin_headers: dict[str, str], customer: Customer) -> dict[str, Any]:
    track, (quiz,) = create_track_with_quizzes(session, courses=1)
    return {"track": track, "quiz": quiz, "admin": admin_headers, "learner": customer.headers}


FUZZ = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(body=bodies)
def test_authoring_bodies(client: TestClient, world: dict[str, Any], body: Any) -> None:
    track = world["track"]
    for method, url in (
        ("POST", "/api/v1/training/tracks"),
        ("PATCH", f"/api/v1/training/tracks/{track.id}"),
        ("POST", f"/api/v1/training/tracks/{track.id}/courses"),
        ("PUT", f"/api/v1/training/courses/{world['quiz'].course_id}/quiz"),
    ):
        response = client.request(method, url, json=body, headers=world["admin"])
        assert response.status_code < 500, (method, url, body, response.text)


@FUZZ
@given(data=st.data())
def test_mutated_quizzes(client: TestClient, world: dict[str, Any], data: st.DataObject) -> None:
    response = client.put(
        f"/api/v1/training/courses/{world['quiz'].course_id}/quiz",
        json=mutated_quiz(data),
        headers=world["admin"],
    )
    assert response.status_code in (200, 422), response.text


@FUZZ
@given(body=bodies)
def test_submit_and_revoke_bodies(client: TestClient, world: dict[str, Any], body: Any) -> None:
    started = client.post(
        f"/api/v1/training/quizzes/{world['quiz'].id}/start", headers=world["learner"]
    )
    response = client.post(
        f"/api/v1/training/attempts/{started.json()['attemptId']}/submit",
        json=body,
        headers=world["learner"],
    )
    assert response.status_code < 500, (body, response.text)
    response = client.post(
        "/api/v1/training/certificates/1/revoke", json=body, headers=world["admin"]
    )
    assert response.status_code < 500, (body, response.text)


@FUZZ
@given(code=st.text(max_size=80))
def test_verify_any_code(client: TestClient, code: str) -> None:
    response = client.get("/api/v1/certificates/verify/" + quote(code, safe=""))
    assert response.status_code == 404
