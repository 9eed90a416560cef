"""The models and the Alembic migrations describe the same schema, on this database."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from opsportal.migrate import schema_drift
from opsportal.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        assert schema_drift(conn) == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
