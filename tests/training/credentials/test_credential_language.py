"""The Open Badges credential names the achievement in the holder's language, and says which.

Open Badges 3.0 gives an Achievement `inLanguage`, a BCP 47 language tag; its
name, description and criteria stay plain strings in that language. The name
comes from one hook, `achievement_name` (training/achievements.py), which the
track translations fill in. Verified with
PyJWT, as an employer's system would, not with the library that signs.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Track, User
from opsportal.training.achievements import Achievement
from opsportal.training.credentials import service
from opsportal.training.schemas import CertificateRead
from tests.catalogues import install_catalogue
from tests.factories import certify, create_track_with_quizzes, create_user
from tests.factories.translations import translate_track, translated
from tests.training.credentials.test_credentials import credential_token, verify


@pytest.fixture
def holder(session: Session) -> User:
    user, _ = create_user(session, email="anna@example.test", name="Anna Schmidt")
    return user


@pytest.fixture
def certificate(session: Session, holder: User, settings: Settings) -> CertificateRead:
    track, quizzes = create_track_with_quizzes(
        session, settings=settings, name="Incident Response", version="2.3"
    )
    return certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)


def achievement(client: TestClient, certificate: CertificateRead) -> dict[str, Any]:
    claims = verify(client, credential_token(client, certificate.verification_code))
    found: dict[str, Any] = claims["credentialSubject"]["achievement"]
    assert claims["name"] == found["name"]  # what a wallet lists is the same name
    return found


def test_without_a_translation_the_name_is_the_tracks_in_its_language(
    client: TestClient, certificate: CertificateRead
) -> None:
    found = achievement(client, certificate)
    assert found["name"] == "Incident Response"
    assert found["inLanguage"] == "en"


def test_a_german_holder_gets_the_tracks_german_name_and_says_so(
    client: TestClient,
    session: Session,
    holder: User,
    certificate: CertificateRead,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install_catalogue(monkeypatch, "de")
    track = session.get(Track, certificate.track_id)
    assert track is not None
    texts = translate_track(session, track=track, locale="de")
    holder.locale = "de"
    session.commit()

    found = achievement(client, certificate)

    assert found["name"] == texts["name"] == translated("de", "Incident Response")
    assert found["inLanguage"] == "de"
    # Our own words about it are in the same language as the name.
    assert found["criteria"]["narrative"] == (
        f"Das Quiz jedes Kurses des Pfads „{texts['name']}“, Version 2.3, "
        "mit mindestens der geforderten Punktzahl bestanden."
    )
    assert found["version"] == "2.3"


def test_an_incomplete_translation_leaves_the_name_in_the_tracks_language(
    client: TestClient, session: Session, holder: User, certificate: CertificateRead
) -> None:
    track = session.get(Track, certificate.track_id)
    assert track is not None
    translate_track(session, track=track, locale="fr", only=lambda field: field.key == "name")
    holder.locale = "fr"
    session.commit()

    found = achievement(client, certificate)

    assert found["name"] == "Incident Response"
    assert found["inLanguage"] == "en"


def test_the_language_is_a_bcp47_tag(
    client: TestClient,
    session: Session,
    certificate: CertificateRead,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def brazilian(
        session: Session, track: Track, locale: str, *, issued_name: str | None = None
    ) -> Achievement:
        return Achievement("Resposta a incidentes", "", "pt_BR")

    monkeypatch.setattr(service, "achievement_name", brazilian)
    found = achievement(client, certificate)
    assert found["inLanguage"] == "pt-BR"
    assert found["name"] == "Resposta a incidentes"
