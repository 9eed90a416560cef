"""`opsportal backup FILE` and `opsportal restore FILE`, for both databases.

- SQLite: SQLite's online backup API copies the database in one read
  transaction, a consistent snapshot however much the server writes meanwhile
  (under WAL a reader never blocks the writers), into a file beside FILE that
  `PRAGMA integrity_check` must pass before it takes FILE's name.
- PostgreSQL: `pg_dump --format=custom`, when pg_dump is installed; otherwise
  the error says what to run. A restore is `pg_restore` into an empty database.

A restore never writes over data: the target must be empty (SQLite: no file,
or one without tables; PostgreSQL: no tables), and it is refused otherwise.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, create_engine, inspect, make_url, text

from opsportal.db import is_sqlite, normalise_url

# How long the PostgreSQL tools may run before the command gives up.
TOOL_TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    """What went wrong, for the operator: the message says what to do."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int
    tables: int
    revision: str | None


def _sqlite_path(url: URL) -> Path:
    database = url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _table_count(connection: sqlite3.Connection) -> int:
    row = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0])


def _check_integrity(connection: sqlite3.Connection, what: str) -> None:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise BackupError(f"{what} fails SQLite's integrity check: {'; '.join(problems[:5])}")


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def backup_sqlite(url: URL, target: Path, *, busy_timeout: float) -> Outcome:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=busy_timeout)
    try:
        copy = sqlite3.connect(partial)
        try:
            # All pages in one step: one read transaction, so one snapshot.
            source.backup(copy, pages=-1)
            _check_integrity(copy, "The copy")
            revision, tables = _revision(copy), _table_count(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Could not copy {source_path}: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    os.replace(partial, target)
    return Outcome(target, target.stat().st_size, tables, revision)


def restore_sqlite(url: URL, archive: Path) -> Outcome:
    target_path = _sqlite_path(url)
    try:
        backup = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {archive}: {exc}") from exc
    try:
        try:
            _check_integrity(backup, str(archive))
            revision = _revision(backup)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{archive} is not a SQLite backup: {exc}") from exc
        if revision is None:
            raise BackupError(f"{archive} holds no opsportal schema (no alembic_version).")
        target = sqlite3.connect(target_path)
        try:
            if _table_count(target):
                raise BackupError(
                    f"The database at {target_path} is not empty; restore into a new file "
                    "(point OPSPORTAL_DATABASE_URL at a path that does not exist yet)."
                )
            backup.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=WAL")
            tables = _table_count(target)
        finally:
            target.close()
    finally:
        backup.close()
    return Outcome(target_path, target_path.stat().st_size, tables, revision)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str, what: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed, so this command cannot {what}. Install the PostgreSQL "
            f"client tools (Debian: apt-get install postgresql-client), or run it yourself:\n  "
            + _suggestion(name)
        )
    return found


def _suggestion(name: str) -> str:
    if name == "pg_dump":
        return "pg_dump --format=custom --file=FILE 'postgresql://USER@HOST:PORT/DATABASE'"
    return (
        "pg_restore --no-owner --exit-on-error --single-transaction "
        "--dbname='postgresql://USER@HOST:PORT/DATABASE' FILE"
    )


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} took longer than {TOOL_TIMEOUT_SECONDS} s") from exc
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _postgres_state(url: URL) -> tuple[int, str | None]:
    """(tables, schema revision) of the PostgreSQL database at `url`."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            revision = None
            if "alembic_version" in names:
                revision = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
            return len(names), revision
    finally:
        engine.dispose()


def backup_postgres(url: URL, target: Path) -> Outcome:
    pg_dump = _tool("pg_dump", "back up PostgreSQL")
    conninfo, env = _libpq(url)
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    try:
        _run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={conninfo}"],
            env,
            "pg_dump",
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    tables, revision = _postgres_state(url)
    return Outcome(target, target.stat().st_size, tables, revision)


def restore_postgres(url: URL, archive: Path) -> Outcome:
    pg_restore = _tool("pg_restore", "restore PostgreSQL")
    tables, _ = _postgres_state(url)
    if tables:
        raise BackupError(
            f"The database {url.database} is not empty ({tables} tables); restore into a new, "
            "empty database (createdb NAME, then point OPSPORTAL_DATABASE_URL at it)."
        )
    conninfo, env = _libpq(url)
    _run(
        [
            pg_restore,
            *("--no-owner", "--exit-on-error", "--single-transaction"),
            f"--dbname={conninfo}",
            str(archive),
        ],
        env,
        "pg_restore",
    )
    tables, revision = _postgres_state(url)
    return Outcome(archive, archive.stat().st_size, tables, revision)


def backup(database_url: str, target: Path, *, busy_timeout: float = 30.0) -> Outcome:
    """A consistent copy of the database at `database_url` in `target` (replaced if there)."""
    if target.is_dir():
        raise BackupError(f"{target} is a directory; name the backup file.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no directory {target.parent} to write the backup to.")
    url = make_url(normalise_url(database_url))
    if is_sqlite(database_url):
        return backup_sqlite(url, target, busy_timeout=busy_timeout)
    return backup_postgres(url, target)


def restore(database_url: str, archive: Path) -> Outcome:
    """Restore `archive` (made by `backup`) into the empty database at `database_url`."""
    if not archive.is_file():
        raise BackupError(f"There is no backup file {archive}.")
    url = make_url(normalise_url(database_url))
    if is_sqlite(database_url):
        return restore_sqlite(url, archive)
    return restore_postgres(url, archive)
