"""Links handed out lead to the portal: the configured public address, else where it serves."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import DEFAULT_PUBLIC_BASE_URL, Settings, get_settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import OutboxMessage, Role, TrackType
from tests.factories import bearer, create_track_with_quizzes, create_user, pass_quiz
from tests.processes import serving
from tests.training.certification.test_pdf import decoded_qr_codes
from tests.training.credentials.test_credential_pages import hrefs


def pdf_link_targets(pdf: bytes) -> list[str]:
    """Every web address a PDF's link annotations open."""
    targets = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


@pytest.fixture
def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = database_url
    env["OPSPORTAL_SECRET_KEY"] = "public-address-test-secret-key-long-enough"
    env.pop("OPSPORTAL_PUBLIC_BASE_URL", None)
    return env


@pytest.fixture
def learner_and_admin(committed_session_factory: SessionFactory) -> Iterator[tuple[str, str, int]]:
    """(learner's token, admin's token, track id) with every quiz of the track passed."""
    with session_scope(committed_session_factory) as session:
        learner, learner_token = create_user(session, role=Role.INTERNAL)
        _, admin_token = create_user(session, role=Role.ADMIN)
        track, quizzes = create_track_with_quizzes(session, type=TrackType.INTERNAL)
        for quiz in quizzes:
            pass_quiz(session, user=learner, quiz=quiz)
        track_id = track.id
    yield learner_token, admin_token, track_id


@pytest.mark.slow
def test_served_on_another_port_every_link_leads_there(
    server_env: dict[str, str],
    learner_and_admin: tuple[str, str, int],
    committed_session_factory: SessionFactory,
    tmp_path: Path,
) -> None:
    learner_token, admin_token, track_id = learner_and_admin
    log = tmp_path / "serve.log"
    with serving(server_env, log=log) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert not url.endswith(":8000")
        issued = http.post(
            f"/api/v1/training/tracks/{track_id}/certificate", headers=bearer(learner_token)
        )
        assert issued.status_code == 201, issued.text
        code = issued.json()["verificationCode"]
        pdf = http.get(
            f"/api/v1/training/certificates/{issued.json()['id']}/pdf",
            headers=bearer(learner_token),
        )
        (scanned,) = decoded_qr_codes(pdf.content)
        assert scanned == f"{url}/verify/{code}"
        assert issued.json()["certificateNumber"] in httpx.get(scanned, timeout=30).text

        # The verifier's page links the signed credential; the holder's LinkedIn link
        # is printed on the PDF (and on their own certificate page).
        verify_page = http.get(f"/verify/{code}").text
        (credential,) = hrefs(verify_page, "Signed credential")
        (linkedin,) = [u for u in pdf_link_targets(pdf.content) if "linkedin.com" in u]
        assert credential.startswith(f"{url}/")
        assert httpx.get(credential, timeout=30).status_code == 200
        assert parse_qs(urlsplit(linkedin).query)["certUrl"] == [scanned]

        invited = http.post(
            "/api/v1/users",
            headers=bearer(admin_token),
            json={"email": "invited@example.test", "name": "Invited", "role": "internal"},
        )
        assert invited.status_code == 201, invited.text
        with session_scope(committed_session_factory) as session:
            body = session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.recipient == "invited@example.test")
            ).one()
        (link,) = re.findall(r"http\S+", body)
        assert link.startswith(f"{url}/set-password/")
        assert "Set your password" in httpx.get(link, timeout=30).text
    # The operator is told which address the links name, and how to change it.
    assert "OPSPORTAL_PUBLIC_BASE_URL is not set: links in emails, certificates" in log.read_text()
    assert url in log.read_text()


class TestConfiguredAddress:
    def test_unset_or_empty_falls_back_and_says_so(self) -> None:
        for value in (None, "", "  "):
            settings = Settings() if value is None else Settings(public_base_url=value)
            assert settings.public_base_url == DEFAULT_PUBLIC_BASE_URL
            assert not settings.public_base_url_configured

    def test_given_it_is_used_as_written(self) -> None:
        settings = Settings(public_base_url="https://ops.example.com/portal/")
        assert settings.public_base_url == "https://ops.example.com/portal"
        assert settings.public_base_url_configured

    @pytest.mark.parametrize(
        "value",
        [
            "ops.example.com",
            "ftp://ops.example.com",
            "https://",
            "https://ops.example.com:99999",
            "https://user:pw@ops.example.com",
            "https://ops.example.com/?a=1",
        ],
    )
    def test_an_address_that_cannot_be_a_link_is_refused_at_start(self, value: str) -> None:
        with pytest.raises(ValueError, match="public_base_url"):
            Settings(public_base_url=value)


def test_production_serve_refuses_without_a_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPSPORTAL_ENVIRONMENT", "production")
    monkeypatch.setenv("OPSPORTAL_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("OPSPORTAL_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("OPSPORTAL_DATABASE_URL", "postgresql://opsportal@db.invalid/opsportal")
    monkeypatch.setenv("OPSPORTAL_PASSWORD_HASH_TIME_COST", "3")
    monkeypatch.setenv("OPSPORTAL_PASSWORD_HASH_MEMORY_KIB", "65536")
    monkeypatch.delenv("OPSPORTAL_PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["serve", "--port", "8123"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "refusing to start with OPSPORTAL_ENVIRONMENT=production" in output
    assert "OPSPORTAL_PUBLIC_BASE_URL is not set" in output
    # Refused before it adopted the address it would have served on.
    assert "OPSPORTAL_PUBLIC_BASE_URL" not in os.environ
