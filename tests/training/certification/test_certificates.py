"""Certificates: issue on completion, numbering, status, expiry, revocation, verification."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Certificate, Role, TrackType
from opsportal.models.base import utcnow
from opsportal.training.certificates import CertificateStatus, certificate_status
from tests.factories import (
    bearer,
    correct_answers,
    create_track_with_quizzes,
    create_user,
    pass_quiz,
)

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def issue(client: TestClient, track_id: int, token: str) -> Any:
    return client.post(f"/api/v1/training/tracks/{track_id}/certificate", headers=bearer(token))


def pass_all(client: TestClient, quiz_ids: list[int], token: str) -> None:
    for quiz_id in quiz_ids:
        started = client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=bearer(token))
        result = client.post(
            f"/api/v1/training/attempts/{started.json()['attemptId']}/submit",
            json={"answers": correct_answers()},
            headers=bearer(token),
        )
        assert result.json()["passed"] is True


class TestStatusRule:
    """The single status function: revoked beats expired beats active."""

    def status(self, **overrides: Any) -> CertificateStatus:
        fields: dict[str, Any] = {
            "expires_at": NOW + timedelta(days=1),
            "revoked_at": None,
            "certificate_major": 1,
            "track_major": 1,
            "now": NOW,
        }
        fields.update(overrides)
        return certificate_status(**fields)

    def test_active(self) -> None:
        assert self.status() is CertificateStatus.ACTIVE

    def test_expired_at_the_instant_of_expiry(self) -> None:
        assert self.status(expires_at=NOW) is CertificateStatus.EXPIRED
        assert self.status(expires_at=NOW + timedelta(microseconds=1)) is CertificateStatus.ACTIVE

    def test_major_version_moving_past_expires(self) -> None:
        assert self.status(track_major=2) is CertificateStatus.EXPIRED
        assert self.status(certificate_major=2, track_major=2) is CertificateStatus.ACTIVE

    def test_revoked_wins(self) -> None:
        assert self.status(revoked_at=NOW, track_major=3) is CertificateStatus.REVOKED
        assert (
            self.status(revoked_at=NOW, expires_at=NOW - timedelta(days=9))
            is CertificateStatus.REVOKED
        )


class TestIssue:
    def test_incomplete_track_is_409(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=2)
        _, token = create_user(session)
        assert issue(client, track.id, token).status_code == 409
        pass_all(client, [quizzes[0].id], token)
        response = issue(client, track.id, token)
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"

    def test_track_without_quizzes_cannot_be_certified(
        self, client: TestClient, session: Session
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=0)
        _, token = create_user(session)
        assert issue(client, track.id, token).status_code == 409

    def test_issue_then_same_certificate(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=2, version="1.3")
        user, token = create_user(session, name="Zoë Łukasz-Ångström")
        pass_all(client, [q.id for q in quizzes], token)
        first = issue(client, track.id, token)
        assert first.status_code == 201, first.text
        body = first.json()
        assert set(body) >= {
            "id", "certificateNumber", "verificationCode", "recipientName", "trackName",
            "trackVersion", "status", "issuedAt", "expiresAt",
        }  # fmt: skip
        assert re.fullmatch(r"CERT-\d{4}-\d{5}", body["certificateNumber"])
        assert body["certificateNumber"] == f"CERT-{utcnow().year}-00001"
        assert body["recipientName"] == "Zoë Łukasz-Ångström"
        assert body["trackName"] == track.name and body["trackVersion"] == "1.3"
        assert body["status"] == "ACTIVE"
        issued = datetime.fromisoformat(body["issuedAt"])
        expires = datetime.fromisoformat(body["expiresAt"])
        assert expires - issued == timedelta(days=730)

        again = issue(client, track.id, token)
        assert again.status_code == 200
        assert again.json() == body
        mine = client.get("/api/v1/training/certificates", headers=bearer(token)).json()
        assert [c["id"] for c in mine] == [body["id"]]

    def test_numbers_are_sequential_per_year(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        numbers = []
        for _ in range(3):
            _, token = create_user(session)
            pass_all(client, [quizzes[0].id], token)
            numbers.append(issue(client, track.id, token).json()["certificateNumber"])
        year = utcnow().year
        assert numbers == [f"CERT-{year}-0000{n}" for n in (1, 2, 3)]

    def test_verification_code_is_long_random_and_not_the_number(
        self, client: TestClient, session: Session
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        codes = set()
        for _ in range(2):
            _, token = create_user(session)
            pass_all(client, [quizzes[0].id], token)
            body = issue(client, track.id, token).json()
            code = body["verificationCode"]
            assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", code)  # >= 192 bits
            assert body["certificateNumber"] not in code
            codes.add(code)
        assert len(codes) == 2

    def test_validity_days_per_track(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1, validity_days=90)
        _, token = create_user(session)
        pass_all(client, [quizzes[0].id], token)
        body = issue(client, track.id, token).json()
        delta = datetime.fromisoformat(body["expiresAt"]) - datetime.fromisoformat(body["issuedAt"])
        assert delta == timedelta(days=90)

    def test_customer_cannot_certify_internal_track(
        self, client: TestClient, session: Session
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1, type=TrackType.INTERNAL)
        _, token = create_user(session)
        assert issue(client, track.id, token).status_code == 404
        assert issue(client, 777777, token).status_code == 404

    def test_certificates_are_private(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        _, owner = create_user(session)
        _, other = create_user(session)
        pass_all(client, [quizzes[0].id], owner)
        certificate = issue(client, track.id, owner).json()
        assert client.get("/api/v1/training/certificates", headers=bearer(other)).json() == []
        for suffix in ("", "/pdf"):
            url = f"/api/v1/training/certificates/{certificate['id']}{suffix}"
            assert client.get(url, headers=bearer(other)).status_code == 404
            assert client.get(url, headers=bearer(owner)).status_code == 200


def expire(session: Session, certificate_id: int) -> None:
    session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.expire_all()


class TestExpiryAndRecertification:
    def test_expired_by_time_then_certified_anew(
        self, client: TestClient, session: Session
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=2)
        _, token = create_user(session)
        pass_all(client, [q.id for q in quizzes], token)
        first = issue(client, track.id, token).json()
        expire(session, first["id"])

        listed = client.get("/api/v1/training/certificates", headers=bearer(token)).json()
        assert listed[0]["status"] == "EXPIRED"
        verified = client.get(f"/api/v1/certificates/verify/{first['verificationCode']}").json()
        assert verified["status"] == "EXPIRED" and verified["valid"] is False
        overview = client.get(f"/api/v1/training/tracks/{track.id}", headers=bearer(token)).json()
        assert overview["certificate"] is None

        # Old passes do not certify again: the track must be taken again.
        assert overview["isCompleted"] is False
        assert issue(client, track.id, token).status_code == 409
        pass_all(client, [q.id for q in quizzes], token)
        second = issue(client, track.id, token)
        assert second.status_code == 201
        assert second.json()["id"] != first["id"]
        assert second.json()["certificateNumber"] != first["certificateNumber"]
        assert second.json()["status"] == "ACTIVE"

    def test_major_version_bump_expires(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1, version="1.0")
        _, token = create_user(session)
        _, admin = create_user(session, role=Role.ADMIN)
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()

        client.patch(
            f"/api/v1/training/tracks/{track.id}", json={"version": "1.4"}, headers=bearer(admin)
        )
        session.expire_all()
        assert issue(client, track.id, token).status_code == 200  # a minor bump keeps it

        client.patch(
            f"/api/v1/training/tracks/{track.id}", json={"version": "2.0"}, headers=bearer(admin)
        )
        session.expire_all()
        mine = client.get("/api/v1/training/certificates", headers=bearer(token)).json()
        assert mine[0]["status"] == "EXPIRED"
        assert mine[0]["trackVersion"] == "1.0"
        pass_all(client, [quizzes[0].id], token)
        renewed = issue(client, track.id, token)
        assert renewed.status_code == 201
        assert renewed.json()["trackVersion"] == "2.0"
        assert renewed.json()["id"] != certificate["id"]


class TestRevocation:
    def test_admin_revokes_with_reason(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        _, admin = create_user(session, role=Role.ADMIN)
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()
        url = f"/api/v1/training/certificates/{certificate['id']}/revoke"

        assert client.post(url, json={"reason": "x"}, headers=bearer(token)).status_code == 403
        assert client.post(url, json={"reason": ""}, headers=bearer(admin)).status_code == 422
        assert client.post(url, json={}, headers=bearer(admin)).status_code == 422
        response = client.post(url, json={"reason": "Issued in error"}, headers=bearer(admin))
        assert response.status_code == 200
        assert response.json()["status"] == "REVOKED"
        assert response.json()["revocationReason"] == "Issued in error"
        stored = session.scalars(select(Certificate).where(Certificate.id == certificate["id"]))
        assert stored.one().revoked_reason == "Issued in error"
        assert client.post(url, json={"reason": "again"}, headers=bearer(admin)).status_code == 409

        verified = client.get(f"/api/v1/certificates/verify/{certificate['verificationCode']}")
        assert verified.json()["status"] == "REVOKED" and verified.json()["valid"] is False
        mine = client.get("/api/v1/training/certificates", headers=bearer(token)).json()
        assert mine[0]["status"] == "REVOKED"
        # A revoked certificate is not "already certified": re-take, then a new one.
        assert issue(client, track.id, token).status_code == 409
        pass_all(client, [quizzes[0].id], token)
        assert issue(client, track.id, token).status_code == 201

    def test_revoke_unknown_is_404(self, client: TestClient, session: Session) -> None:
        _, admin = create_user(session, role=Role.ADMIN)
        response = client.post(
            "/api/v1/training/certificates/55555/revoke",
            json={"reason": "x"},
            headers=bearer(admin),
        )
        assert response.status_code == 404


class TestVerification:
    def test_verify_without_auth(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1, version="3.2")
        _, token = create_user(session, name="Nguyễn Thị Hương")
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()
        response = client.get(f"/api/v1/certificates/verify/{certificate['verificationCode']}")
        assert response.status_code == 200
        assert response.json() == {
            "valid": True,
            "status": "ACTIVE",
            "certificateNumber": certificate["certificateNumber"],
            "recipientName": "Nguyễn Thị Hương",
            "trackName": track.name,
            "trackVersion": "3.2",
            "issuedAt": certificate["issuedAt"],
            "expiresAt": certificate["expiresAt"],
        }

    @pytest.mark.parametrize("code", ["unknown-code", "x" * 5000, "%00", "CERT"])
    def test_unknown_code_is_404(self, client: TestClient, code: str) -> None:
        response = client.get(f"/api/v1/certificates/verify/{code}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    def test_certificate_number_is_not_a_code(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()
        for not_a_code in (certificate["certificateNumber"], str(certificate["id"])):
            assert client.get(f"/api/v1/certificates/verify/{not_a_code}").status_code == 404


class TestServiceLevel:
    def test_pass_quiz_factory_and_list(self, session: Session, settings: Settings) -> None:
        from opsportal.principal import Principal
        from opsportal.training.certification import service as certification

        track, quizzes = create_track_with_quizzes(session, courses=1)
        user, _ = create_user(session)
        pass_quiz(session, user=user, quiz=quizzes[0])
        certificate, created = certification.issue_certificate(
            session, principal=Principal.of(user), track_id=track.id, settings=settings
        )
        assert created
        assert certification.verify_certificate(session, code=certificate.verification_code).valid
        assert [
            c.id for c in certification.list_certificates(session, principal=Principal.of(user))
        ] == [certificate.id]
