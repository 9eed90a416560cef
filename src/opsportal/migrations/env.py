"""Alembic environment: the URL comes from opsportal's settings unless a connection is handed in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from opsportal import models
from opsportal.config import get_settings
from opsportal.db import make_engine
from opsportal.models.base import UTCDateTime

config = context.config
target_metadata = models.Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations spell UTCDateTime as the plain column type it stores.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=sqlite,
        compare_type=True,
        render_item=_render_item,
        # SQLite runs DDL in transactions too: all the steps of a run commit
        # together, after the foreign-key check below, or not at all.
        transactional_ddl=True if sqlite else None,
    )
    with _foreign_keys_off(connection) if sqlite else nullcontext():
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while the migrations run, as its manual says for table rebuilds.

    A batch rebuild drops the old table: with foreign keys on, that deletes
    every row whose key points at it through ON DELETE CASCADE (a downgrade
    emptied benchmark_results so), or fails on the first restricting one. The
    pragma works only outside a transaction, so it is set on the connection
    before the run begins; `_check_foreign_keys` then checks what the run left.
    """
    if connection.in_transaction():
        raise RuntimeError("SQLite migrations need a connection outside any transaction")
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a run that leaves a row whose foreign key points nowhere."""
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        shown = ", ".join(
            f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in dangling
        )
        raise RuntimeError(f"the migration would leave dangling foreign keys: {shown[:1000]}")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
