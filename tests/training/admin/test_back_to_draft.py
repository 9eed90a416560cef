"""Taking a published track back to draft: a secondary action behind a confirmation step."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Role, Track, User
from tests.factories import create_track_with_quizzes, create_user
from tests.pages import PASSWORD, csrf_from, log_in


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303
    return user


@pytest.fixture
def track(session: Session, settings: Settings) -> Track:
    track, _ = create_track_with_quizzes(session, settings=settings, name="Speak Up")
    assert track.is_active
    return track


def test_is_a_secondary_link_to_a_confirmation_and_cancel_keeps_it_published(
    client: TestClient, session: Session, admin: User, track: Track
) -> None:
    page = client.get(f"/admin/tracks/{track.id}").text
    link = f'<a class="button secondary" href="/admin/tracks/{track.id}/unpublish"'
    assert link in page and "Back to draft…</a>" in page
    # No button that takes it back to draft in one click.
    assert (
        f'<form method="post" action="/admin/tracks/{track.id}/unpublish">\n'
        not in (page.split("<dialog")[0])
    )
    confirmation = client.get(f"/admin/tracks/{track.id}/unpublish")
    assert confirmation.status_code == 200
    assert "Take “Speak Up” back to draft?" in confirmation.text
    assert "Learners stop seeing the track" in confirmation.text
    assert f'class="button secondary" href="/admin/tracks/{track.id}">Cancel</a>' in (
        confirmation.text
    )
    session.expire_all()
    assert session.get(Track, track.id).is_active  # type: ignore[union-attr]

    done = client.post(
        f"/admin/tracks/{track.id}/unpublish",
        data={"csrf_token": csrf_from(confirmation.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    assert not session.get(Track, track.id).is_active  # type: ignore[union-attr]
    assert "is a draft already" in client.get(f"/admin/tracks/{track.id}/unpublish").text
