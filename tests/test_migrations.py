"""The models and the Alembic migrations describe the same schema, on this database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from opsportal.db import make_engine
from opsportal.migrate import alembic_config, schema_drift, upgrade
from opsportal.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        assert schema_drift(conn) == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_one_head_and_a_full_downgrade_round_trip(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(url)


def test_a_sqlite_run_that_leaves_a_dangling_foreign_key_is_rolled_back(tmp_path: Path) -> None:
    # Foreign keys are off while SQLite migrations rebuild tables; before the
    # run commits, PRAGMA foreign_key_check must find nothing.
    url = f"sqlite:///{tmp_path / 'dangling.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute(
                "INSERT INTO api_tokens (user_id, token_hash, label, created_at)"
                " VALUES (999, 'dangling', 'x', '2026-01-01 00:00:00')"
            )
        with pytest.raises(RuntimeError, match="dangling foreign keys: api_tokens"):
            command.downgrade(alembic_config(url), "-1")
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert (
                version.scalar_one()
                == ScriptDirectory.from_config(alembic_config()).get_current_head()
            )
    finally:
        engine.dispose()


def test_provisioning_downgrade_keeps_every_row_that_refers_to_a_user(tmp_path: Path) -> None:
    """0017's downgrade drops its columns in place: rebuilding `users` on SQLite would
    delete (CASCADE) or refuse (RESTRICT) the rows that refer to a user."""
    script = ScriptDirectory.from_config(alembic_config())
    before_0017 = script.get_revision("0017").down_revision
    assert isinstance(before_0017, str)
    url = f"sqlite:///{tmp_path / 'provisioning.db'}"
    upgrade(url)
    engine = make_engine(url)
    now = "2026-11-29 09:00:00"
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organizations (id, name, status, created_at, updated_at) "
                    "VALUES (1, 'Org', 'ACTIVE', :now, :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, organization_id, is_active, "
                    "created_at, session_version, external_id, scim_attributes) VALUES "
                    "(1, 'a@example.test', 'A', 'customer', 1, 1, :now, 0, 'E-1', '{}')"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                    "VALUES (1, 'hash', 'cli', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_entries (at, actor_id, action, target_type, detail) "
                    "VALUES (:now, 1, 'x', 'user', '{}')"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO scim_tokens (organization_id, token_hash, label, created_at) "
                    "VALUES (1, 'scim-hash', 'Okta', :now)"
                ),
                {"now": now},
            )
        engine.dispose()
        command.downgrade(alembic_config(url), before_0017)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("users")}
            assert not {"external_id", "deleted_at", "scim_attributes"} & columns
            assert "scim_tokens" not in inspect(conn).get_table_names()
            counts = [
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("users", "api_tokens", "audit_entries")
            ]
            assert counts == [1, 1, 1]
        engine.dispose()
        upgrade(url)
    finally:
        engine.dispose()
