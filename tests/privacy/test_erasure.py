"""Erasing a leaver, checked the way an auditor would: through the API, the pages, the public
verification page, and a dump of the whole database, which must hold neither the name nor the
email afterwards. Committed data, so the dump (pg_dump on PostgreSQL) sees what a backup would."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import make_url

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory, is_sqlite, session_scope
from opsportal.models import Role
from opsportal.notifications.service import enqueue_mail
from tests.factories import (
    bearer,
    certify,
    create_notification,
    create_track_with_quizzes,
    create_user,
)
from tests.pages import PASSWORD, csrf_from, log_in, post_form

NAME = "Zelda Quintessa-Marlowe"
EMAIL = "zelda.quintessa@leaver.example"


def claims(jwt: str) -> dict[str, object]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@dataclass
class World:
    client: TestClient
    leaver_id: int
    leaver_token: str
    admin_id: int
    admin: dict[str, str]
    customer_admin: dict[str, str]
    code: str
    number: str
    certificate_id: int


@pytest.fixture
def world(settings: Settings, committed_session_factory: SessionFactory) -> Iterator[World]:
    with session_scope(committed_session_factory) as session:
        admin, admin_token = create_user(session, role=Role.ADMIN, password=PASSWORD)
        leaver, leaver_token = create_user(
            session, role=Role.CUSTOMER, name=NAME, email=EMAIL, password=PASSWORD
        )
        manager, manager_token = create_user(
            session,
            role=Role.CUSTOMER_ADMIN,
            organization=None,
            email="manager.of.leaver@example.test",
        )
        manager.organization_id = leaver.organization_id
        track, quizzes = create_track_with_quizzes(session, settings=settings)
        certificate = certify(session, user=leaver, track=track, quizzes=quizzes, settings=settings)
        create_notification(session, user=leaver, title=f"Welcome, {NAME}")
        create_notification(session, user=admin, body=f"{NAME} <{EMAIL}> finished a track.")
        enqueue_mail(
            session,
            recipient=EMAIL,
            subject="Your certificate",
            body=f"Dear {NAME}, well done.",
            dedupe_key="erasure-test:1",
        )
        enqueue_mail(
            session,
            recipient="boss@example.test",
            subject=f"{NAME} completed training",
            body=f"{NAME} ({EMAIL}) completed it.",
            dedupe_key="erasure-test:2",
        )
        ids = (admin.id, leaver.id, certificate.id)
        code, number = certificate.verification_code, certificate.certificate_number
    app = create_app(settings, session_factory=committed_session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(
            client,
            leaver_id=ids[1],
            leaver_token=leaver_token,
            admin_id=ids[0],
            admin=bearer(admin_token),
            customer_admin=bearer(manager_token),
            code=code,
            number=number,
            certificate_id=ids[2],
        )


def status_list(client: TestClient, credential_jwt: str) -> str:
    status = claims(credential_jwt)["credentialStatus"]
    assert isinstance(status, dict)
    listed = client.get(str(status["statusListCredential"]).replace("http://testserver", ""))
    assert listed.status_code == 200
    subject = claims(listed.text)["credentialSubject"]
    assert isinstance(subject, dict)
    return str(subject["encodedList"])


def dump(database_url: str) -> str:
    """The whole database as SQL text, as a backup would hold it."""
    if is_sqlite(database_url):
        import sqlite3

        path = make_url(database_url).database
        assert path is not None
        with sqlite3.connect(path) as connection:
            return "\n".join(connection.iterdump())
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    plain = make_url(database_url).set(drivername="postgresql")
    result = subprocess.run(
        ["pg_dump", "--data-only", f"--dbname={plain.render_as_string(hide_password=False)}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def test_erasure_leaves_no_trace_and_keeps_the_certificate_verifiable(
    world: World, settings: Settings
) -> None:
    client = world.client
    path = f"/api/v1/users/{world.leaver_id}"
    leaver_api = bearer(world.leaver_token)
    credential = client.get(f"/api/v1/certificates/verify/{world.code}/credential")
    assert credential.status_code == 200
    list_before = status_list(client, credential.text)
    # The leaver is signed in on the web as well.
    web = TestClient(client.app, raise_server_exceptions=False)
    assert log_in(web, EMAIL).status_code == 303
    assert web.get("/certificates").status_code == 200
    assert NAME in dump(settings.database_url) and EMAIL in dump(settings.database_url)

    # Nobody but an admin may erase.
    assert client.post(f"{path}/erase", headers=world.customer_admin).status_code == 403
    assert client.post(f"{path}/erase", headers=leaver_api).status_code == 403
    assert (
        client.post(f"/api/v1/users/{world.admin_id}/erase", headers=world.admin).status_code == 409
    )
    assert client.post("/api/v1/users/999999/erase", headers=world.admin).status_code == 404

    erased = client.post(f"{path}/erase", headers=world.admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["id"] == world.leaver_id and erased.json()["rows"]["users"] == 1
    assert client.post(f"{path}/erase", headers=world.admin).status_code == 409

    # The API: the account keeps its id, and nothing of the person.
    shown = client.get(path, headers=world.admin).json()
    assert NAME not in json.dumps(shown) and EMAIL not in json.dumps(shown)
    assert shown["isActive"] is False
    # An account of no one: it cannot be reactivated (nor given tokens, being inactive).
    revived = client.patch(path, json={"isActive": True}, headers=world.admin)
    assert revived.status_code == 409
    assert (
        client.post(f"{path}/tokens", json={"label": "x"}, headers=world.admin).status_code == 409
    )
    # Sessions and tokens end.
    assert client.get("/api/v1/me", headers=leaver_api).status_code == 401
    assert web.get("/certificates", follow_redirects=False).status_code in (303, 307)
    login = client.post("/api/v1/login", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 401
    # The audit trail records the erasure, and no entry holds the name or the email.
    trail = client.get("/api/v1/audit?limit=200", headers=world.admin).json()["items"]
    assert any(e["action"] == "user.erase" and e["targetId"] == world.leaver_id for e in trail)
    assert NAME not in json.dumps(trail) and EMAIL not in json.dumps(trail)
    assert NAME.lower() not in json.dumps(trail).lower()

    # The certificate: still valid by its code, with the name withheld.
    verified = client.get(f"/api/v1/certificates/verify/{world.code}").json()
    assert verified["valid"] is True and verified["certificateNumber"] == world.number
    assert verified["recipientName"] is None  # withheld
    page = client.get(f"/verify/{world.code}")
    assert page.status_code == 200
    assert "Holder&#39;s name withheld" in page.text or "Holder's name withheld" in page.text
    assert NAME not in page.text and "Check a name" in page.text
    # Someone who holds the name can confirm it; any other name does not match.
    for typed, verdict in (
        ("  zelda   QUINTESSA-marlowe ", "The name matches this certificate."),
        ("Zelda Marlowe", "The name does not match this certificate."),
    ):
        checked = client.post(
            f"/verify/{world.code}/name",
            data={"name": typed, "csrf_token": csrf_from(page.text)},
        )
        assert checked.status_code == 200 and verdict in checked.text
    # The credential names the holder only by the name's salted hash; the status list is as it was.
    credential = client.get(f"/api/v1/certificates/verify/{world.code}/credential")
    assert credential.status_code == 200
    subject = claims(credential.text)["credentialSubject"]
    assert isinstance(subject, dict) and "name" not in subject
    assert NAME not in json.dumps(subject)
    assert [i["identityType"] for i in subject["identifier"]] == ["name"]
    assert status_list(client, credential.text) == list_before
    # An admin's PDF of it says the name is withheld.
    pdf = client.get(
        f"/api/v1/training/certificates/{world.certificate_id}/pdf", headers=world.admin
    )
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "name withheld" in text and "Zelda" not in text

    # The whole database: neither the name nor the email, in any table.
    everything = dump(settings.database_url)
    assert world.number in everything  # the dump is real
    assert NAME not in everything and EMAIL not in everything
    assert NAME.lower() not in everything.lower() and EMAIL.lower() not in everything.lower()


def test_the_user_page_erases_with_a_confirmation(world: World) -> None:
    client = world.client
    with session_scope(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        admin, _ = create_user(
            session, role=Role.ADMIN, email="page-admin@example.test", password=PASSWORD
        )
    assert log_in(client, "page-admin@example.test").status_code == 303
    user_page = f"/admin/users/{world.leaver_id}"
    shown = client.get(user_page)
    assert "Download data" in shown.text and "Erase personal data" in shown.text
    unconfirmed = post_form(client, f"{user_page}/erase", from_page=user_page)
    assert unconfirmed.status_code == 303
    assert NAME in client.get(user_page).text  # nothing erased without the box ticked
    done = post_form(client, f"{user_page}/erase", from_page=user_page, data={"confirm": "erase"})
    assert done.status_code == 303
    after = client.get(user_page).text
    assert NAME not in after and EMAIL not in after and "were erased on" in after
    assert admin.id
