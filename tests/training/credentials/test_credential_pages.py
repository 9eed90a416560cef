"""Sharing a certificate: the verification page, the claim confirmation, the PDF's links,
`opsportal keys rotate`, and the demo's links following where it serves."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.cli import base as cli_base
from opsportal.cli import server as cli_server
from opsportal.config import Settings, get_settings
from opsportal.db import SessionFactory
from opsportal.models import Certificate, CredentialKey, Role, User
from opsportal.principal import Principal
from opsportal.training.certificates import verification_url
from opsportal.training.certification import service as certification
from opsportal.training.schemas import CertificateRead
from tests.factories import certify, create_track_with_quizzes, create_user, pass_quiz
from tests.pages import PASSWORD, log_in, post_form
from tests.training.certification.test_pdf import link_uris

BASE = "http://testserver"
runner = CliRunner()


@pytest.fixture
def holder(session: Session) -> User:
    user, _ = create_user(session, name="Katherine Johnson", password=PASSWORD)
    return user


@pytest.fixture
def certificate(session: Session, holder: User, settings: Settings) -> CertificateRead:
    track, quizzes = create_track_with_quizzes(session, settings=settings, name="Safe Escalation")
    return certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)


def hrefs(page: str, text: str) -> list[str]:
    """The targets of the links whose text starts with `text`."""
    return [
        html.unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]*)', page)
        if label.strip().startswith(text)
    ]


def check_linkedin(url: str, certificate: CertificateRead) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Safe Escalation",
        "organizationName": "opsportal",
        "issueYear": str(certificate.issued_at.year),
        "issueMonth": str(certificate.issued_at.month),
        "expirationYear": str(certificate.expires_at.year),
        "expirationMonth": str(certificate.expires_at.month),
        "certUrl": f"{BASE}/verify/{certificate.verification_code}",
        "certId": certificate.certificate_number,
    }


class TestVerificationPage:
    def test_speaks_plainly_to_a_verifier(
        self, client: TestClient, certificate: CertificateRead
    ) -> None:
        page = client.get(f"/verify/{certificate.verification_code}").text
        assert "Valid certificate" in page
        expires = certificate.expires_at.date().isoformat()
        assert f"This certificate is genuine and valid until {expires}." in page
        for fact in ("Katherine Johnson", "Safe Escalation", certificate.certificate_number):
            assert fact in page
        # Nothing for the holder to do here: no LinkedIn, no key files up front.
        assert not hrefs(page, "Add to LinkedIn")
        plain, technical = page.split('<details class="technical">')
        assert "jwks" not in plain and "VC-JWT" not in plain
        assert "<summary>Technical details</summary>" in technical
        (credential,) = hrefs(technical, "Signed credential")
        assert credential == (
            f"{BASE}/api/v1/certificates/verify/{certificate.verification_code}/credential"
        )
        assert hrefs(technical, "Issuer's public keys") == ["/.well-known/jwks.json"]

    def test_a_revoked_certificate_says_so_and_offers_nothing_to_share(
        self, client: TestClient, session: Session, certificate: CertificateRead, settings: Settings
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN)
        certification.revoke_certificate(
            session,
            principal=Principal.of(admin),
            certificate_id=certificate.id,
            reason="Error",
            settings=settings,
        )
        page = client.get(f"/verify/{certificate.verification_code}").text
        assert "Revoked certificate" in page and "no longer attests the training" in page
        assert "Valid certificate" not in page
        assert not hrefs(page, "Add to LinkedIn")


class TestHolderCertificatePage:
    def test_explains_the_badge_and_offers_linkedin_to_the_holder(
        self, client: TestClient, holder: User, certificate: CertificateRead
    ) -> None:
        log_in(client, holder.email)
        listing = client.get("/certificates").text
        assert f'<a href="/certificates/{certificate.id}">{certificate.certificate_number}</a>' in (
            listing
        )
        page = client.get(f"/certificates/{certificate.id}").text
        assert "Your digital badge" in page and "Open Badges 3.0" in page
        assert "digital wallet or badge backpack" in page
        assert "What a verifier checks" in page and "has not been revoked" in page
        filename = f"open-badge-safe-escalation-{certificate.certificate_number}.jwt"
        assert filename in page
        (download,) = hrefs(page, "Download badge file")
        badge = client.get(download.removeprefix(BASE))
        assert badge.headers["content-type"] == "application/vc+jwt"
        assert badge.headers["content-disposition"] == f'attachment; filename="{filename}"'
        (linkedin,) = hrefs(page, "Add to LinkedIn profile")
        check_linkedin(linkedin, certificate)

    def test_is_the_holders_alone(
        self, client: TestClient, session: Session, certificate: CertificateRead
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        assert client.get(f"/certificates/{certificate.id}").status_code == 404
        assert client.get("/certificates/999999").status_code == 404


class TestClaimConfirmation:
    def test_claiming_confirms_once_with_a_link_to_copy(
        self, client: TestClient, session: Session, holder: User, settings: Settings
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, settings=settings, courses=1)
        for quiz in quizzes:
            pass_quiz(session, user=holder, quiz=quiz)
        log_in(client, holder.email)
        claimed = post_form(
            client,
            f"/training/tracks/{track.id}/certificate",
            from_page="/training",
        )
        assert claimed.status_code == 303
        page = client.get(claimed.headers["location"]).text
        assert "Certificate issued" in page
        certificate = session.scalars(
            select(Certificate).where(Certificate.user_id == holder.id)
        ).one()
        url = f"{BASE}/verify/{certificate.verification_code}"
        assert re.search(
            rf'<input type="text" id="claimed-link" readonly value="{re.escape(url)}">', page
        )
        assert 'data-copy-target="claimed-link">Copy link</button>' in page
        assert '<script src="/static/copy-link.js" defer></script>' in page
        assert client.get("/static/copy-link.js").status_code == 200
        assert hrefs(page, "Add to LinkedIn profile")

        # Shown once; claiming again says it is the same certificate.
        assert "Certificate issued" not in client.get("/certificates").text
        again = post_form(client, f"/training/tracks/{track.id}/certificate", from_page="/training")
        assert "You already hold this certificate" in client.get(again.headers["location"]).text

    def test_the_table_becomes_cards_on_phones(
        self, client: TestClient, holder: User, certificate: CertificateRead
    ) -> None:
        log_in(client, holder.email)
        page = client.get("/certificates").text
        assert '<table class="table-cards">' in page
        assert '<td data-label="Files">' in page
        assert ".table-cards" in client.get("/static/style.css").text


def test_the_pdf_links_the_credential_and_linkedin(
    client: TestClient, holder: User, certificate: CertificateRead
) -> None:
    log_in(client, holder.email)
    response = client.get(f"/certificates/{certificate.id}/pdf")
    assert response.status_code == 200
    uris = link_uris(response.content)
    code = certificate.verification_code
    assert f"{BASE}/verify/{code}" in uris  # the QR code's link, as before
    assert f"{BASE}/api/v1/certificates/verify/{code}/credential" in uris
    (linkedin,) = [u for u in uris if "linkedin.com" in u]
    check_linkedin(linkedin, certificate)


class TestKeysRotate:
    def test_prints_the_new_kid_and_keeps_the_old_key_published(
        self,
        client: TestClient,
        session: Session,
        cli_session_factory: SessionFactory,
        certificate: CertificateRead,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("OPSPORTAL_SECRET_KEY", settings.secret_key or "")
        get_settings.cache_clear()
        try:
            client.get(f"/api/v1/certificates/verify/{certificate.verification_code}/credential")
            (old,) = session.scalars(select(CredentialKey)).all()
            result = runner.invoke(cli_app, ["keys", "rotate"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        new_kid = result.stdout.strip()
        assert new_kid and new_kid != old.kid
        kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
        assert kids == {old.kid, new_kid}
        current = session.scalars(select(CredentialKey).where(CredentialKey.current.is_(True)))
        assert [k.kid for k in current] == [new_kid]


class TestDemoBaseUrl:
    @pytest.fixture
    def fresh(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setenv("OPSPORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
        monkeypatch.setenv("OPSPORTAL_SCHEDULER_ENABLED", "false")
        monkeypatch.setenv("OPSPORTAL_PUBLIC_BASE_URL", "")
        monkeypatch.setattr(cli_base, "_session_factory", None)
        get_settings.cache_clear()
        yield tmp_path
        get_settings.cache_clear()

    def qr_code_url(self) -> str:
        """What a certificate's QR code would hold, in the settings the demo's server reads."""
        import os

        get_settings.cache_clear()  # as a freshly started worker would
        assert get_settings().public_base_url == os.environ["OPSPORTAL_PUBLIC_BASE_URL"]
        return verification_url(get_settings().public_base_url, "AbC")

    @pytest.mark.slow
    def test_follows_host_and_port(self, fresh: Path) -> None:
        result = runner.invoke(cli_app, ["demo", "--no-serve", "--port", "8123"])
        assert result.exit_code == 0, result.output
        assert "http://127.0.0.1:8123/login" in result.stdout
        assert self.qr_code_url() == "http://127.0.0.1:8123/verify/AbC"

    @pytest.mark.slow
    def test_an_explicit_public_url_wins(
        self, fresh: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("OPSPORTAL_PUBLIC_BASE_URL", "https://training.example.com")
        result = runner.invoke(cli_app, ["demo", "--no-serve", "--port", "8123"])
        assert result.exit_code == 0, result.output
        assert self.qr_code_url() == "https://training.example.com/verify/AbC"


def test_served_base_url_names_a_reachable_host() -> None:
    assert cli_server.served_base_url("127.0.0.1", 9000) == "http://127.0.0.1:9000"
    assert cli_server.served_base_url("::1", 9000) == "http://[::1]:9000"
    assert "0.0.0.0" not in cli_server.served_base_url("0.0.0.0", 9000)
