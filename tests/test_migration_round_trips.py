"""Every migration's downgrade and upgrade keep the data, on SQLite as on PostgreSQL.

A database is filled with the demo data (plus a row in each table the demo
leaves empty), then taken down one revision at a time; at each step it is
upgraded again and every table's row count compared with the count before the
step. Only tables that the step's downgrade drops are left out, for that step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, make_url, select, text
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import make_engine, make_session_factory, normalise_url, session_scope
from opsportal.demo import load_demo
from opsportal.kit.elected import claim_firing
from opsportal.migrate import alembic_config, upgrade
from opsportal.models import (
    Certificate,
    Course,
    CourseReadMark,
    CredentialStatusEntry,
    ExtraTime,
    LoginFailure,
    OrganizationDomain,
    OrganizationSso,
    PasswordReset,
    Quiz,
    QuizAttemptCounter,
    Role,
    SamlAssertionUse,
    SamlRequest,
    ScimToken,
    ScormAttempt,
    ScormFile,
    ScormFileChunk,
    ScormPackage,
    SsoProtocol,
    Track,
    TrackTranslation,
    TranslatedText,
    User,
    XapiStatement,
)
from opsportal.models.base import utcnow
from opsportal.training.compliance import wiring
from opsportal.training.compliance.reminders import send_reminders
from opsportal.training.credentials.signing import rotate_key
from opsportal.web.secret_key import shared_secret_key

pytestmark = pytest.mark.slow
SECRET = "test-secret-key-with-enough-length"


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        return {
            name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in names
        }


def foreign_key_violations(engine: Engine) -> list[tuple[object, ...]]:
    if engine.dialect.name != "sqlite":
        return []  # PostgreSQL checks every foreign key as it goes
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def populate(url: str) -> None:
    """The demo data, and a row in each table it leaves empty."""
    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        public_base_url="http://testserver",
    )
    wiring.install(settings)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            load_demo(session, settings=settings, say=lambda *args, **kwargs: None)
        shared_secret_key(factory)
        claim_firing(factory, job="round-trip", fire_time=datetime(2026, 1, 1, tzinfo=UTC))
        with session_scope(factory) as session:
            send_reminders(session, settings=settings)
            _fill_the_rest(session)
    finally:
        engine.dispose()


def _fill_the_rest(session: Session) -> None:
    """A row for each table the demo leaves empty, each pointing at demo rows."""
    learner = session.scalars(select(User).where(User.role == Role.CUSTOMER)).first()
    quiz = session.scalars(select(Quiz)).first()
    course = session.scalars(select(Course)).first()
    certificate = session.scalars(select(Certificate)).first()
    assert learner and quiz and course and certificate and learner.organization_id
    organization = learner.organization_id
    session.add_all(
        [
            PasswordReset(user_id=learner.id, token_hash="round-trip", expires_at=utcnow()),
            LoginFailure(email_hash="round-trip", address="192.0.2.1", failed_at=utcnow()),
            QuizAttemptCounter(user_id=learner.id, quiz_id=quiz.id, started=1),
            CourseReadMark(user_id=learner.id, course_id=course.id),
            ExtraTime(user_id=learner.id, extra_minutes=15),
            CredentialStatusEntry(
                certificate_id=certificate.id, list_id=1, list_index=7, salt="round-trip"
            ),
            ScimToken(organization_id=organization, token_hash="round-trip", label="round-trip"),
            OrganizationDomain(domain="round-trip.example", organization_id=organization),
            OrganizationSso(organization_id=organization, protocol=SsoProtocol.OIDC),
            SamlRequest(id="round-trip", organization_id=organization, expires_at=utcnow()),
            SamlAssertionUse(
                assertion_id="round-trip", organization_id=organization, expires_at=utcnow()
            ),
        ]
    )
    package = ScormPackage(
        version="1.2", launch_path="index.html", file_count=1, total_bytes=5, title="Round trip"
    )
    session.add(package)
    session.flush()
    scorm_file = ScormFile(
        package_id=package.id, path="index.html", content_type="text/html", size=5
    )
    session.add(scorm_file)
    session.flush()
    session.add_all(
        [
            ScormFileChunk(file_id=scorm_file.id, seq=0, data=b"<p>1"),
            ScormAttempt(user_id=learner.id, course_id=course.id, package_id=package.id),
            XapiStatement(
                statement_id="00000000-0000-4000-8000-000000000001",
                dedupe_key="round-trip",
                user_id=learner.id,
                verb="completed",
                statement={"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}},
            ),
        ]
    )
    internal = session.scalars(select(Track).where(Track.slug == "case-handling-operations")).one()
    translation = TrackTranslation(track_id=internal.id, locale="ar")
    session.add(translation)
    session.flush()
    session.add(
        TranslatedText(
            translation_id=translation.id, key="name", text="عمليات", source_hash="0" * 64
        )
    )
    rotate_key(session, secret=SECRET)
    session.flush()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own: a SQLite file, or a scratch one on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'round-trip.db'}"
        return
    test_url = os.environ.get("OPSPORTAL_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (set OPSPORTAL_TEST_DATABASE_URL)")
    server = make_url(normalise_url(test_url))
    name = f"{server.database}_round_trip"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_each_downgrade_and_upgrade_keeps_every_row(scratch_url: str) -> None:
    upgrade(scratch_url)
    populate(scratch_url)
    config = alembic_config(scratch_url)
    engine = make_engine(scratch_url)
    steps = revisions()
    lost: dict[str, dict[str, tuple[int, int | None]]] = {}
    broken: dict[str, list[tuple[object, ...]]] = {}
    try:
        full = row_counts(engine)
        assert all(full.values()), {t: n for t, n in full.items() if not n}  # every table has rows
        for revision, below in reversed(list(zip(steps[1:], steps, strict=False))):
            before = row_counts(engine)
            try:
                command.downgrade(config, below)
                engine.dispose()
                kept = set(row_counts(engine))  # tables that exist one step down
                broken[f"{revision}->{below}"] = foreign_key_violations(engine)
                command.upgrade(config, revision)
                engine.dispose()
                after = row_counts(engine)
                broken[f"{below}->{revision}"] = foreign_key_violations(engine)
            except Exception as exc:  # reported with what was lost before it
                raise AssertionError(
                    f"{revision}->{below}->{revision} failed; lost: {lost}"
                ) from exc
            lost[f"{revision}->{below}->{revision}"] = {
                table: (count, after.get(table))
                for table, count in before.items()
                if table in kept and after.get(table) != count
            }
            command.downgrade(config, below)  # and on, one step further down
            engine.dispose()
    finally:
        engine.dispose()
    lost = {step: rows for step, rows in lost.items() if rows}
    assert lost == {}
    assert {step: rows for step, rows in broken.items() if rows} == {}
