"""The admin learner list pages in the database, its status filter too.

A status (in progress, completed, certified) is the catalogue's progress rule,
worked out in Python for the rows shown; to page a filtered list the database
applies the same rule. These tests hold the two to agreeing on learners in
every state the rule knows (lapsed, revoked and superseded certificates, passes
before and after them, an inactive course), and check that a page costs the
same queries, with as many bound values, whether the track has two hundred
learners or four hundred.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Certificate, QuizAttempt, Role, Track, User
from opsportal.models.base import utcnow
from opsportal.training.admin import service
from opsportal.training.admin.lists import ROWS_PER_PAGE
from tests.factories import create_course, create_organization, create_quiz, create_track
from tests.factories import create_user as create_user_with_token
from tests.pages import PASSWORD, log_in
from tests.queries import recorded

# Each learner's history on the track, by its number modulo the number of states:
# (quiz passes, certificate), the passes as offsets in days from now and the
# certificate as (issued days ago, expires in days, revoked, certified major version).
NOW = utcnow()
STATES: list[dict[str, Any]] = [
    {"passes": [(-5, True), (-4, True)]},  # both passed: COMPLETED
    {"passes": [(-5, True), (-4, False)]},  # one passed: IN_PROGRESS
    {"passes": [(-5, False)]},  # only failed: IN_PROGRESS
    {"passes": [(-9, True), (-8, True)], "certificate": (-7, 300, False, 2)},  # CERTIFIED
    # Lapsed certificate, passes before it: they count no more (IN_PROGRESS).
    {"passes": [(-400, True), (-399, True)], "certificate": (-398, -33, False, 2)},
    # Lapsed certificate, both passed again after it: COMPLETED.
    {
        "passes": [(-400, True), (-399, True), (-3, True), (-2, True)],
        "certificate": (-398, -33, False, 2),
    },
    # Revoked, one passed again since: IN_PROGRESS.
    {"passes": [(-9, True), (-8, True), (-1, True)], "certificate": (-7, 300, True, 2)},
    # Certified an earlier major version (the track is at 2 now): lapsed; passed again: COMPLETED.
    {
        "passes": [(-9, True), (-8, True), (-2, True), (-1, True)],
        "certificate": (-7, 300, False, 1),
    },
    # Passed only the inactive course's quiz and one other: IN_PROGRESS.
    {"passes": [(-5, True), (-4, None)]},
    # Certified, a failed retake since: still CERTIFIED.
    {"passes": [(-9, True), (-8, True), (-1, False)], "certificate": (-7, 300, False, 2)},
    # Certified, expiring tomorrow: CERTIFIED today.
    {"passes": [(-400, True), (-399, True)], "certificate": (-364, 1, False, 2)},
    # Nothing done yet: not a learner of the track.
    {"passes": []},
]


def learners_in_every_state(session: Session, *, count: int) -> tuple[Track, list[User]]:
    """A track at version 2.0 with two counted quizzes and an inactive course's quiz,
    and `count` learners cycling through STATES (rows written directly: hundreds of them)."""
    track = create_track(session, name="Paging ethics", version="2.0")
    quizzes = [create_quiz(session, course=create_course(session, track=track)) for _ in range(2)]
    retired = create_quiz(session, course=create_course(session, track=track, is_active=False))
    session.refresh(track)
    organization = create_organization(session)
    users = [
        User(
            email=f"learner{n:04d}@track{track.id}.paging.test",
            name=f"Learner {n:04d}",
            role=Role.CUSTOMER,
            organization_id=organization.id,
        )
        for n in range(count)
    ]
    session.add_all(users)
    session.flush()
    rows: list[Any] = []
    for n, user in enumerate(users):
        state = STATES[n % len(STATES)]
        for course, (days, passed) in enumerate(state["passes"]):
            quiz = retired if passed is None else quizzes[course % 2]
            at = NOW + timedelta(days=days)
            rows.append(
                QuizAttempt(
                    quiz_id=quiz.id,
                    user_id=user.id,
                    questions=[],
                    pass_threshold=Decimal("0.80"),
                    started_at=at - timedelta(minutes=5),
                    submitted_at=at,
                    score=100 if passed is not False else 20,
                    passed=passed is not False,
                )
            )
        if "certificate" in state:
            issued, expires, revoked, major = state["certificate"]
            rows.append(
                Certificate(
                    certificate_number=f"CERT-{track.id:04d}-{n:05d}",
                    issue_year=2026,
                    serial=track.id * 10_000 + n,
                    verification_code=f"paging-{track.id}-{n:05d}",
                    user_id=user.id,
                    track_id=track.id,
                    recipient_name=user.name,
                    track_name=track.name,
                    track_version=f"{major}.0",
                    track_major=major,
                    issued_at=NOW + timedelta(days=issued),
                    expires_at=NOW + timedelta(days=expires),
                    revoked_at=NOW - timedelta(days=2) if revoked else None,
                )
            )
    session.add_all(rows)
    session.flush()
    return track, users


def _page(
    session: Session, track: Track, status: str | None, page: int, size: int = ROWS_PER_PAGE
) -> Any:
    return service.learners_page(
        session,
        track=service.get_track(session, track.id),
        status=status,
        organization_id=None,
        search=None,
        limit=size,
        offset=(page - 1) * size,
    )


@pytest.mark.parametrize("status", [None, *service.LEARNER_STATUSES])
def test_a_status_pages_in_the_database_and_agrees_with_the_progress_rule(
    session: Session, status: str | None
) -> None:
    track, _ = learners_in_every_state(session, count=len(STATES) * 28)  # 336 learners
    loaded = service.get_track(session, track.id)
    everyone = service.list_learners(
        session, track=loaded, status=None, organization_id=None, search=None
    )
    expected = [row for row in everyone if status is None or row.status == status]
    assert status is None or 50 < len(expected) < len(everyone)  # a second page, and a filter
    rows, total = _page(session, track, status, page=2)
    assert total == len(expected)
    assert [(r.name, r.status) for r in rows] == [
        (r.name, r.status) for r in expected[ROWS_PER_PAGE : 2 * ROWS_PER_PAGE]
    ]


def test_every_learner_gets_the_status_the_progress_rule_gives(session: Session) -> None:
    track, users = learners_in_every_state(session, count=len(STATES))
    statuses = {
        row.name: row.status
        for status in service.LEARNER_STATUSES
        for row in _page(session, track, status, page=1)[0]
    }
    assert statuses == {
        users[0].name: "COMPLETED",
        users[1].name: "IN_PROGRESS",
        users[2].name: "IN_PROGRESS",
        users[3].name: "CERTIFIED",
        users[4].name: "IN_PROGRESS",
        users[5].name: "COMPLETED",
        users[6].name: "IN_PROGRESS",
        users[7].name: "COMPLETED",
        users[8].name: "IN_PROGRESS",
        users[9].name: "CERTIFIED",
        users[10].name: "CERTIFIED",
    }  # users[11] has not started: not listed


def test_a_page_costs_the_same_queries_whatever_the_total(session: Session) -> None:
    # 240 and 480: a full second page of each status
    small, _ = learners_in_every_state(session, count=len(STATES) * 20)
    large, _ = learners_in_every_state(session, count=len(STATES) * 40)
    for status in (None, *service.LEARNER_STATUSES):
        with recorded(session) as few:
            assert len(_page(session, small, status, page=2, size=20)[0]) == 20
        with recorded(session) as many:
            assert len(_page(session, large, status, page=2, size=20)[0]) == 20
        assert many == few, status


def test_the_page_shows_the_second_page_of_a_status(client: TestClient, session: Session) -> None:
    track, _ = learners_in_every_state(session, count=len(STATES) * 28)
    admin, _ = create_user_with_token(session, role=Role.ADMIN, password=PASSWORD)
    assert log_in(client, admin.email).status_code == 303
    url = f"/admin/tracks/{track.id}/learners"
    first = client.get(url, params={"status": "IN_PROGRESS"}).text
    second = client.get(url, params={"status": "IN_PROGRESS", "page": 2}).text
    loaded = service.get_track(session, track.id)
    in_progress = [
        row.name
        for row in service.list_learners(
            session, track=loaded, status="IN_PROGRESS", organization_id=None, search=None
        )
    ]
    assert in_progress[ROWS_PER_PAGE] in second and in_progress[ROWS_PER_PAGE] not in first
    assert in_progress[0] in first and in_progress[0] not in second
