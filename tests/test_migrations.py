"""The models and the Alembic migrations describe the same schema, on this database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
