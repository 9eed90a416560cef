"""A person's export: a ZIP with their account, training, certificates (PDF and credential),
notifications, mail and audit entries; for themselves, and for those who manage them only."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Role
from opsportal.notifications.service import enqueue_mail
from tests.factories import (
    bearer,
    certify,
    create_notification,
    create_organization,
    create_track_with_quizzes,
    create_user,
)
from tests.pages import PASSWORD, log_in


def unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_learners_own_export(client: TestClient, session: Session, settings: Settings) -> None:
    learner, token = create_user(
        session, role=Role.CUSTOMER, name="Ada Exporter", email="ada.export@example.test"
    )
    track, quizzes = create_track_with_quizzes(session, settings=settings)
    certificate = certify(session, user=learner, track=track, quizzes=quizzes, settings=settings)
    create_notification(session, user=learner, title="Your track is due")
    enqueue_mail(
        session, recipient=learner.email, subject="Reminder", body="Due soon.", dedupe_key="x:1"
    )
    response = client.get("/api/v1/me/export", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    files = unzip(response.content)
    number = certificate.certificate_number
    for name in (
        "README.txt",
        "person.json",
        "api-tokens.json",
        "training/attempts.json",
        "training/assignments.json",
        "training/course-reads.json",
        "certificates.json",
        "notifications.json",
        "mail.json",
        "audit.json",
        f"certificates/{number}.pdf",
        f"credentials/{number}.jwt",
    ):
        assert name in files, name
    person = json.loads(files["person.json"])
    assert person["email"] == "ada.export@example.test" and person["name"] == "Ada Exporter"
    attempts = json.loads(files["training/attempts.json"])
    assert len(attempts) == len(quizzes) and all(a["answers"] for a in attempts)
    assert all(a["passed"] for a in attempts)
    assert json.loads(files["certificates.json"])[0]["certificateNumber"] == number
    assert files[f"certificates/{number}.pdf"].startswith(b"%PDF")
    assert files[f"credentials/{number}.jwt"].count(b".") == 2
    assert json.loads(files["notifications.json"])[0]["title"] == "Your track is due"
    assert json.loads(files["mail.json"])[0]["subject"] == "Reminder"
    tokens = json.loads(files["api-tokens.json"])
    assert tokens and all("token" not in t and "tokenHash" not in t for t in tokens)
    assert token.encode() not in b"".join(files.values())  # no secret in it
    audit = json.loads(files["audit.json"])
    assert any(e["action"] == "user.create" for e in audit)


def test_who_may_export_whom(client: TestClient, session: Session) -> None:
    home, away = create_organization(session), create_organization(session)
    learner, learner_token = create_user(session, role=Role.CUSTOMER, organization=home)
    stranger, _ = create_user(session, role=Role.CUSTOMER, organization=away)
    _, manager_token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=home)
    _, admin_token = create_user(session, role=Role.ADMIN)
    _, internal_token = create_user(session, role=Role.INTERNAL)

    def export(user_id: int, token: str) -> int:
        return client.get(f"/api/v1/users/{user_id}/export", headers=bearer(token)).status_code

    assert export(learner.id, admin_token) == 200
    assert export(learner.id, manager_token) == 200
    assert export(stranger.id, manager_token) == 404  # another organisation: never confirmed
    assert export(stranger.id, learner_token) == 403
    assert export(learner.id, internal_token) == 403
    assert export(999_999, admin_token) == 404
    assert client.get(f"/api/v1/users/{learner.id}/export").status_code == 401
    assert client.get("/api/v1/me/export").status_code == 401


def test_the_pages_offer_it(client: TestClient, session: Session) -> None:
    learner, _ = create_user(
        session, role=Role.CUSTOMER, email="page.export@example.test", password=PASSWORD
    )
    assert log_in(client, "page.export@example.test").status_code == 303
    page = client.get("/certificates")
    assert 'href="/me/export"' in page.text and "Download my data" in page.text
    download = client.get("/me/export")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert json.loads(unzip(download.content)["person.json"])["id"] == learner.id
    # A learner has no user pages.
    assert client.get(f"/admin/users/{learner.id}/export").status_code in (403, 404)
