"""Open Badges 3.0 credentials: signed VC-JWTs, the JWKS, status lists and key rotation.

Signed with joserfc; verified here with PyJWT + cryptography only, against the
keys the server publishes, the way an employer's system would check one.
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import CredentialKey, CredentialStatusEntry, Role, Track, User
from opsportal.training.credentials import signing, statuslist
from opsportal.training.credentials.badge import identity_hash
from opsportal.training.schemas import CertificateRead
from tests.factories import certify, create_track_with_quizzes, create_user

BASE = "http://testserver"
EMAIL = "Grace.Hopper@Example.test"


@pytest.fixture
def holder(session: Session) -> User:
    user, _ = create_user(session, email=EMAIL, name="Grace Hopper")
    return user


@pytest.fixture
def certificate(session: Session, holder: User, settings: Settings) -> CertificateRead:
    track, quizzes = create_track_with_quizzes(
        session, settings=settings, name="Incident Response", version="2.3"
    )
    return certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)


def fetch_jwks(client: TestClient) -> dict[str, Any]:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    jwks: dict[str, Any] = response.json()
    return jwks


def verify(client: TestClient, token: str, *, check_time: bool = True) -> dict[str, Any]:
    """Verify a VC-JWT the independent way: PyJWT, with the key named by `kid` from the JWKS."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    keys = {k["kid"]: k for k in fetch_jwks(client)["keys"]}
    public = jwt.PyJWK.from_dict(keys[header["kid"]])
    claims: dict[str, Any] = jwt.decode(
        token,
        public.key,
        algorithms=["EdDSA"],
        issuer=f"{BASE}/api/v1/credentials/issuer",
        options={"require": ["iss", "jti", "nbf"], "verify_exp": check_time},
    )
    return claims


def credential_token(client: TestClient, code: str) -> str:
    response = client.get(f"/api/v1/certificates/verify/{code}/credential")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vc+jwt"
    return response.text


def decode_list(encoded: str) -> bytes:
    assert encoded.startswith("u")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit(bits: bytes, index: int) -> int:
    return (bits[index // 8] >> (7 - index % 8)) & 1


def status_bit(client: TestClient, credential: dict[str, Any]) -> int:
    entry = credential["credentialStatus"]
    response = client.get(entry["statusListCredential"].removeprefix(BASE))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vc+jwt"
    status_list = verify(client, response.text)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = status_list["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = decode_list(subject["encodedList"])
    assert len(bits) * 8 >= 131_072  # the specification's 16 KiB minimum
    return bit(bits, int(entry["statusListIndex"]))


class TestCredential:
    def test_every_claim(self, client: TestClient, certificate: CertificateRead) -> None:
        token = credential_token(client, certificate.verification_code)
        claims = verify(client, token)

        assert claims["@context"] == [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ]
        assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        code = certificate.verification_code
        assert claims["id"] == f"{BASE}/api/v1/certificates/verify/{code}/credential"
        assert claims["jti"] == claims["id"]
        assert claims["issuer"] == {
            "id": f"{BASE}/api/v1/credentials/issuer",
            "type": ["Profile"],
            "name": "opsportal",
            "url": BASE,
        }
        assert claims["iss"] == claims["issuer"]["id"]
        valid_from = datetime.fromisoformat(claims["validFrom"])
        valid_until = datetime.fromisoformat(claims["validUntil"])
        assert valid_from == certificate.issued_at.replace(microsecond=0)
        assert valid_until == certificate.expires_at.replace(microsecond=0)
        assert claims["nbf"] == int(valid_from.timestamp())
        assert claims["exp"] == int(valid_until.timestamp())

        subject = claims["credentialSubject"]
        assert subject["type"] == ["AchievementSubject"]
        assert subject["name"] == "Grace Hopper"
        email_id = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
        assert email_id["type"] == "IdentityObject"
        assert email_id["hashed"] is True
        assert len(email_id["salt"]) >= 16
        # A verifier who knows the address can confirm it (case does not matter).
        assert email_id["identityHash"] == identity_hash(
            "grace.hopper@example.test", email_id["salt"]
        )
        achievement = subject["achievement"]
        assert achievement["type"] == ["Achievement"]
        assert achievement["name"] == "Incident Response"
        assert achievement["version"] == "2.3"
        assert achievement["criteria"]["narrative"]
        assert achievement["id"].startswith(f"{BASE}/")

        status = claims["credentialStatus"]
        assert status["type"] == "BitstringStatusListEntry"
        assert status["statusPurpose"] == "revocation"
        assert status["statusListCredential"].startswith(f"{BASE}/api/v1/credentials/status/")
        assert 0 <= int(status["statusListIndex"]) < 131_072

    def test_the_address_appears_nowhere(
        self, client: TestClient, certificate: CertificateRead
    ) -> None:
        token = credential_token(client, certificate.verification_code)
        header, payload, _ = token.split(".")
        decoded = "".join(
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
            for part in (header, payload)
        ).lower()
        assert "grace.hopper" not in decoded
        assert "example.test" not in decoded
        assert "grace.hopper" not in token.lower()

    def test_the_same_certificate_keeps_its_bit(
        self, client: TestClient, certificate: CertificateRead
    ) -> None:
        first = verify(client, credential_token(client, certificate.verification_code))
        again = verify(client, credential_token(client, certificate.verification_code))
        assert first["credentialStatus"] == again["credentialStatus"]
        assert first["credentialSubject"]["identifier"] == again["credentialSubject"]["identifier"]

    def test_a_tampered_token_fails(self, client: TestClient, certificate: CertificateRead) -> None:
        token = credential_token(client, certificate.verification_code)
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["credentialSubject"]["name"] = "Mallory"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        with pytest.raises(jwt.InvalidSignatureError):
            verify(client, f"{header}.{forged}.{signature}")

    @pytest.mark.parametrize("code", ["no-such-code", "CERT-2026-00001", "x" * 65, "a%20b"])
    def test_unknown_code_is_404_problem(self, client: TestClient, code: str) -> None:
        response = client.get(f"/api/v1/certificates/verify/{code}/credential")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    def test_unknown_status_list_is_404_problem(
        self, client: TestClient, certificate: CertificateRead
    ) -> None:
        response = client.get("/api/v1/credentials/status/999")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestRevocation:
    def test_revoking_sets_the_bit(
        self,
        client: TestClient,
        session: Session,
        certificate: CertificateRead,
        admin_headers: dict[str, str],
    ) -> None:
        credential = verify(client, credential_token(client, certificate.verification_code))
        assert status_bit(client, credential) == 0

        # The existing revoke endpoint (and the admin pages that call it) is all it takes.
        response = client.post(
            f"/api/v1/training/certificates/{certificate.id}/revoke",
            json={"reason": "Exam fraud"},
            headers=admin_headers,
        )
        assert response.status_code == 200
        assert status_bit(client, credential) == 1

    def test_only_the_revoked_bit_is_set(
        self,
        client: TestClient,
        session: Session,
        certificate: CertificateRead,
        settings: Settings,
        admin_headers: dict[str, str],
    ) -> None:
        other_user, _ = create_user(session, role=Role.CUSTOMER)
        track, quizzes = create_track_with_quizzes(session, settings=settings)
        other = certify(session, user=other_user, track=track, quizzes=quizzes, settings=settings)
        client.post(
            f"/api/v1/training/certificates/{certificate.id}/revoke",
            json={"reason": "Withdrawn"},
            headers=admin_headers,
        )
        mine = verify(client, credential_token(client, certificate.verification_code))
        theirs = verify(client, credential_token(client, other.verification_code))
        assert status_bit(client, mine) == 1
        assert status_bit(client, theirs) == 0

    def test_a_new_major_version_withdraws_it(
        self, client: TestClient, session: Session, certificate: CertificateRead
    ) -> None:
        credential = verify(client, credential_token(client, certificate.verification_code))
        session.execute(
            update(Track)
            .where(Track.name == certificate.track_name)
            .values(version_major=Track.version_major + 1)
        )
        assert status_bit(client, credential) == 1

    def test_a_certificate_from_before_credentials_gets_a_bit_on_first_download(
        self, client: TestClient, session: Session, certificate: CertificateRead
    ) -> None:
        session.query(CredentialStatusEntry).delete()
        credential = verify(client, credential_token(client, certificate.verification_code))
        assert status_bit(client, credential) == 0
        assert session.scalar(select(func.count()).select_from(CredentialStatusEntry)) == 1


class TestKeys:
    def test_jwks_publishes_public_keys_only(
        self, client: TestClient, certificate: CertificateRead
    ) -> None:
        (key,) = fetch_jwks(client)["keys"]
        assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
        assert "d" not in key

    def test_the_private_key_is_stored_encrypted(
        self, client: TestClient, session: Session, certificate: CertificateRead
    ) -> None:
        credential_token(client, certificate.verification_code)
        row = session.scalars(select(CredentialKey)).one()
        sealed = base64.urlsafe_b64decode(
            row.private_key_sealed + "=" * (-len(row.private_key_sealed) % 4)
        )
        assert len(sealed) == 12 + 32 + 16  # nonce, the 32-byte key, the GCM tag

    def test_a_rotated_out_key_still_verifies_old_credentials(
        self,
        client: TestClient,
        session: Session,
        certificate: CertificateRead,
        settings: Settings,
    ) -> None:
        old_token = credential_token(client, certificate.verification_code)
        old_kid = jwt.get_unverified_header(old_token)["kid"]
        new_kid = signing.rotate_key(session, secret=settings.secret_key or "")
        assert new_kid != old_kid

        assert {k["kid"] for k in fetch_jwks(client)["keys"]} == {old_kid, new_kid}
        assert verify(client, old_token)["jti"]
        new_token = credential_token(client, certificate.verification_code)
        assert jwt.get_unverified_header(new_token)["kid"] == new_kid
        assert verify(client, new_token)["jti"] == verify(client, old_token)["jti"]

    def test_a_changed_secret_key_is_a_clear_503(
        self,
        client: TestClient,
        settings: Settings,
        certificate: CertificateRead,
    ) -> None:
        credential_token(client, certificate.verification_code)
        settings.secret_key = "a-different-secret-key-of-enough-length"
        response = client.get(
            f"/api/v1/certificates/verify/{certificate.verification_code}/credential"
        )
        assert response.status_code == 503
        assert "opsportal keys rotate" in response.json()["detail"]


class TestStatusListEncoding:
    def test_round_trip(self) -> None:
        bits = decode_list(statuslist.encode([0, 7, 8, 131_071]))
        assert len(bits) == 16_384
        assert [i for i in range(131_072) if bit(bits, i)] == [0, 7, 8, 131_071]

    def test_a_free_index_is_never_a_used_one(self) -> None:
        used = set(range(0, statuslist.LIST_BITS - 3))
        assert statuslist.random_free_index(used) >= statuslist.LIST_BITS - 3

    def test_lists_roll_over_when_full_enough(self) -> None:
        assert statuslist.place_for(last_list_id=None, used_in_last=0) == 1
        assert statuslist.place_for(last_list_id=3, used_in_last=10) == 3
        assert statuslist.place_for(last_list_id=3, used_in_last=statuslist.FILL_LIMIT) == 4


def test_issuer_profile(client: TestClient) -> None:
    profile = client.get("/api/v1/credentials/issuer").json()
    assert profile["id"] == f"{BASE}/api/v1/credentials/issuer"
    assert profile["type"] == ["Profile"]


def test_issue_assigns_a_status_entry(session: Session, certificate: CertificateRead) -> None:
    entry = session.get(CredentialStatusEntry, certificate.id)
    assert entry is not None
    assert entry.list_id == 1
