"""Whatever arrives at the assignment and compliance routes, the answer is never a 500."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import bearer, create_organization, create_track_with_quizzes, create_user
from tests.hypothesis_profiles import examples

values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2030-01-01", "0001-01-01", "9999-12-31", "2030-02-30", "\x00", "1"])
    | st.lists(st.integers(min_value=-(2**40), max_value=2**40) | st.text(max_size=4), max_size=4)
)
bodies = (
    st.dictionaries(
        st.sampled_from(["trackId", "organizationId", "userIds", "dueOn", "extra"]),
        values,
        max_size=5,
    )
    | values
)
queries = st.dictionaries(
    st.sampled_from(["organizationId", "userId", "status", "limit", "offset"]),
    st.text(max_size=12) | st.integers(min_value=-(2**70), max_value=2**70).map(str),
    max_size=4,
)


@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=bodies, query=queries)
def test_never_a_server_error(
    client: TestClient, session: Session, body: Any, query: dict[str, str]
) -> None:
    org = create_organization(session)
    _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=org)
    track, _ = create_track_with_quizzes(session, courses=1)
    headers = bearer(token)
    if isinstance(body, dict):
        body = {
            **body,
            "trackId": body.get("trackId", track.id),
            "organizationId": body.get("organizationId", org.id),
        }
    posted = client.post("/api/v1/training/assignments", json=body, headers=headers)
    assert posted.status_code in (201, 403, 404, 422), posted.text
    listed = client.get("/api/v1/training/assignments", params=query, headers=headers)
    assert listed.status_code in (200, 404, 422), listed.text
    report = client.get(f"/api/v1/training/compliance/organizations/{org.id}", headers=headers)
    assert report.status_code == 200
