"""The admin learner list pages in the database: every learner once, in name order."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import create_organization, create_track_with_quizzes, create_user, pass_quiz
from tests.pages import PASSWORD, log_in


def test_learners_are_paged_in_name_order_with_the_total(
    client: TestClient, session: Session
) -> None:
    admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
    track, quizzes = create_track_with_quizzes(session, courses=1, name="Paging")
    organization = create_organization(session)
    for n in range(52):
        learner, _ = create_user(session, role=Role.CUSTOMER, organization=organization)
        learner.name = f"Learner {n:03d}"
        pass_quiz(session, user=learner, quiz=quizzes[0], passed=n % 2 == 0)
    session.flush()
    assert log_in(client, admin.email).status_code == 303
    url = f"/admin/tracks/{track.id}/learners"

    first = client.get(url).text
    second = client.get(url, params={"page": 2}).text

    names = re.findall(r"Learner \d{3}", first) + re.findall(r"Learner \d{3}", second)
    assert names == [f"Learner {n:03d}" for n in range(52)]
    assert "52 learners" in first and "52 learners" in second
    assert "1 of 1 courses passed" in second  # Learner 050 passed: progress on page 2 too
