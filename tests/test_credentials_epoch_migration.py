"""Migration 0020 (credentials epoch) on a populated database, SQLite or PostgreSQL: up, down
and up again keep every row, and the tokens and links that worked before still work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.orm import Session

from opsportal.auth.secrets import hash_token
from opsportal.auth.service import authenticate_token
from opsportal.db import is_sqlite, make_engine
from opsportal.migrate import alembic_config
from opsportal.models.base import utcnow
from opsportal.users.password_links import user_for_password_link

SCHEMA = "credentials_epoch_migration"
TABLES = ("organizations", "users", "api_tokens", "password_resets")


@pytest.fixture
def own_database(database_url: str, tmp_path: Path) -> Iterator[Connection]:
    """A connection to an empty database of its own: a SQLite file, or a PostgreSQL schema."""
    url = f"sqlite:///{tmp_path / 'epoch.db'}" if is_sqlite(database_url) else database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not is_sqlite(url):
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
                conn.execute(text(f"SET search_path TO {SCHEMA}"))
                conn.commit()
            yield conn
            if not is_sqlite(url):
                conn.rollback()
                conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
                conn.commit()
    finally:
        engine.dispose()


def migrate(conn: Connection, revision: str) -> None:
    config = alembic_config(connection=conn)
    current = None
    if "alembic_version" in inspect(conn).get_table_names():
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    conn.commit()  # migrations begin their own transaction
    if current is None or revision == "head" or int(current) < int(revision):
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
    conn.commit()


def rows(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the identity tables, without the epoch columns, in id order."""
    found = {}
    for table in TABLES:
        columns = sorted(
            column["name"]
            for column in inspect(conn).get_columns(table)
            if column["name"] != "credentials_epoch"
        )
        found[table] = [
            tuple(row)
            for row in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))
        ]
    return found


def test_up_down_and_up_again_keeps_every_row(own_database: Connection) -> None:
    conn = own_database
    migrate(conn, "0019")
    now = utcnow()
    conn.execute(
        text(
            "INSERT INTO organizations (id, name, status, created_at, updated_at) "
            "VALUES (1, 'Acme', 'ACTIVE', :now, :now)"
        ),
        {"now": now},
    )
    for user_id, role in ((1, "CUSTOMER_ADMIN"), (2, "CUSTOMER")):
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, organization_id, is_active, "
                "created_at, session_version) VALUES (:id, :email, :name, :role, 1, :active, "
                ":now, 3)"
            ),
            {
                "id": user_id,
                "email": f"user{user_id}@example.test",
                "name": f"User {user_id}",
                "role": role,
                "active": True,
                "now": now,
            },
        )
    tokens = {1: "ops_working-token-one", 2: "ops_working-token-two", 3: "ops_revoked-token"}
    for token_id, token in tokens.items():
        conn.execute(
            text(
                "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, revoked_at) "
                "VALUES (:id, :user, :hash, 'x', :now, :revoked)"
            ),
            {
                "id": token_id,
                "user": 1 if token_id == 1 else 2,
                "hash": hash_token(token),
                "now": now,
                "revoked": now if token_id == 3 else None,
            },
        )
    conn.execute(
        text(
            "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) "
            "VALUES (1, 2, :hash, :now, :later)"
        ),
        {"hash": hash_token("a-link-token"), "now": now, "later": now + timedelta(hours=1)},
    )
    conn.commit()
    before = rows(conn)

    migrate(conn, "0020")
    assert rows(conn) == before
    for table in ("users", "api_tokens", "password_resets"):
        epochs = conn.execute(text(f"SELECT credentials_epoch FROM {table}")).scalars().all()
        assert epochs and set(epochs) == {0}, table

    migrate(conn, "0019")
    assert rows(conn) == before
    for table in ("users", "api_tokens", "password_resets"):
        assert "credentials_epoch" not in {c["name"] for c in inspect(conn).get_columns(table)}

    migrate(conn, "0020")
    assert rows(conn) == before

    # What worked before works after, on the newest schema (the models'): the epochs agree.
    migrate(conn, "head")
    with Session(bind=conn, join_transaction_mode="rollback_only") as session:
        assert authenticate_token(session, token=tokens[1]).user_id == 1
        assert authenticate_token(session, token=tokens[2]).user_id == 2
        assert user_for_password_link(session, token="a-link-token").id == 2
