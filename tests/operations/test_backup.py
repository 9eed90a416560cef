"""`opsportal backup FILE` while the data is being written, then `opsportal restore FILE` into an
empty database: the copy is one consistent moment (every organisation with its audit entry),
its rows are the source's, and a restore never writes over a database that has data."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from opsportal.db import make_engine, make_session_factory, normalise_url, session_scope
from opsportal.migrate import upgrade
from opsportal.models import AuditEntry, Base, Organization, Role
from opsportal.tenants.schemas import OrganizationCreate
from opsportal.tenants.service import create_organization
from tests.factories import create_user
from tests.pgcluster import Cluster, private_cluster

pytestmark = pytest.mark.slow

# The writer's bounds: it stops when told, or after this many organisations.
MAX_WRITES = 20_000
WRITES_BEFORE_BACKUP = 30


def run_cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OPSPORTAL_DATABASE_URL=url, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@dataclass
class Writer:
    """Commits one organisation and its audit entry per transaction, until told to stop."""

    engine: Engine
    written: int = 0
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        factory = make_session_factory(self.engine)
        try:
            for n in range(MAX_WRITES):
                if self.stop.is_set():
                    return
                with session_scope(factory) as session:
                    create_organization(session, data=OrganizationCreate(name=f"Written {n:05}"))
                with self.progress:
                    self.written += 1
                    self.progress.notify_all()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.written >= count or self.error, 120)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def organizations(engine: Engine) -> dict[int, tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Organization.id, Organization.name, Organization.status)
        ).all()
    return {row.id: (row.name, str(row.status)) for row in rows}


def backup_during_writes_then_restore(source_url: str, target_url: str, archive: Path) -> None:
    upgrade(source_url)
    source = make_engine(source_url)
    with session_scope(make_session_factory(source)) as session:
        for role in (Role.ADMIN, Role.INTERNAL, Role.CUSTOMER):
            create_user(session, role=role)
    start = counts(source)
    writer = Writer(source)
    thread = threading.Thread(target=writer.run)
    thread.start()
    try:
        writer.wait_for(WRITES_BEFORE_BACKUP)
        before = writer.written
        made = run_cli("backup", str(archive), url=source_url)
        after = writer.written
    finally:
        writer.stop.set()
        thread.join(timeout=120)
    assert writer.error is None, writer.error
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stderr and "schema revision" in made.stderr
    assert after > before, "the writer must have been writing while the backup ran"

    restored = run_cli("restore", str(archive), url=target_url)
    assert restored.returncode == 0, restored.stderr
    target = make_engine(target_url)
    try:
        copied, now = counts(target), counts(source)
        # A moment between the writes before and after the backup...
        written = copied["organizations"] - start["organizations"]
        assert before <= written <= after + 1
        # ... and one moment: no organisation without its audit entry, nor the reverse.
        with target.connect() as connection:
            audited = connection.scalar(
                select(func.count()).where(AuditEntry.action == "organization.create")
            )
        assert audited == written
        assert copied["audit_entries"] - start["audit_entries"] == written
        # Every other table as it was (nothing else was written).
        for table, count in now.items():
            if table not in ("organizations", "audit_entries"):
                assert copied[table] == count, table
        # The rows themselves: each restored organisation is the source's.
        source_rows, copied_rows = organizations(source), organizations(target)
        assert copied_rows and all(source_rows[i] == row for i, row in copied_rows.items())
        with target.connect() as connection:
            revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
        assert revision and revision in made.stderr

        # A second restore would write over data: refused, and nothing changes.
        again = run_cli("restore", str(archive), url=target_url)
        assert again.returncode == 1 and "not empty" in again.stderr
        assert "Traceback" not in again.stderr
        assert counts(target) == copied
    finally:
        target.dispose()
        source.dispose()


def test_sqlite(tmp_path: Path, on_postgres: bool) -> None:
    if on_postgres:
        pytest.skip("its own SQLite files: run once, in the SQLite pass")
    backup_during_writes_then_restore(
        f"sqlite:///{tmp_path / 'live.db'}",
        f"sqlite:///{tmp_path / 'restored.db'}",
        tmp_path / "live.backup",
    )
    # The copy is one self-contained file that SQLite itself finds sound.
    import sqlite3

    with sqlite3.connect(tmp_path / "live.backup") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as cluster:
        yield cluster


def test_postgresql(postgres_only: None, cluster: Cluster, tmp_path: Path) -> None:
    """On the PostgreSQL run of the suite, against a private cluster (pg_dump, pg_restore)."""
    admin = make_engine(normalise_url(cluster.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE live"))
        connection.execute(text("CREATE DATABASE restored"))
    admin.dispose()
    base = cluster.url.rsplit("/", 1)[0]
    backup_during_writes_then_restore(f"{base}/live", f"{base}/restored", tmp_path / "live.dump")


def test_the_command_says_what_to_do_without_pg_dump(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path), COLUMNS="200")
    env["OPSPORTAL_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "backup", str(tmp_path / "x.dump")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "pg_dump is not installed" in result.stderr
    assert "pg_dump --format=custom --file=FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    result = run_cli("restore", str(junk), url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not a SQLite backup" in result.stderr or "Cannot open" in result.stderr
