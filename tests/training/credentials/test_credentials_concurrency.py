"""Credentials under real concurrent requests: one signing key, one stable bit per certificate.

The first downloads after a deploy race to create the signing key and, for
certificates from before credentials existed, their status-list entries; the
unique constraints decide, and every response must still succeed.
"""

from __future__ import annotations

from collections import Counter

import httpx
import jwt
from sqlalchemy import delete, select

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import CredentialKey, CredentialStatusEntry
from tests.factories import certify, create_track_with_quizzes, create_user
from tests.together import run_together

CERTIFICATES = 8
REQUESTS = 24


def test_first_downloads_make_one_key_and_one_bit_each(
    live_server: str, committed_session_factory: SessionFactory, settings: Settings
) -> None:
    with session_scope(committed_session_factory) as session:
        track, quizzes = create_track_with_quizzes(session, settings=settings, courses=1)
        codes = []
        for _ in range(CERTIFICATES):
            user, _ = create_user(session)
            codes.append(
                certify(
                    session, user=user, track=track, quizzes=quizzes, settings=settings
                ).verification_code
            )
        # As if issued before credentials existed: no entries, no key yet.
        session.execute(delete(CredentialStatusEntry))
        session.execute(delete(CredentialKey))

    def download(index: int) -> httpx.Response:
        code = codes[index % CERTIFICATES]
        return httpx.get(f"{live_server}/api/v1/certificates/verify/{code}/credential", timeout=60)

    responses = run_together(REQUESTS, download)
    assert [r.status_code for r in responses] == [200] * REQUESTS

    with session_scope(committed_session_factory) as session:
        keys = session.scalars(select(CredentialKey)).all()
        entries = session.scalars(select(CredentialStatusEntry)).all()
    assert len(keys) == 1 and keys[0].current is True
    assert {jwt.get_unverified_header(r.text)["kid"] for r in responses} == {keys[0].kid}

    assert len(entries) == CERTIFICATES
    assert len({(e.list_id, e.list_index) for e in entries}) == CERTIFICATES
    # Every response for one certificate names the same bit.
    places = Counter()
    for index, response in enumerate(responses):
        status = jwt.decode(response.text, options={"verify_signature": False})["credentialStatus"]
        places[(codes[index % CERTIFICATES], status["statusListIndex"])] += 1
    assert len(places) == CERTIFICATES
