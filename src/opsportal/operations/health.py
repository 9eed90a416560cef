"""Readiness: the database answers and its schema is at the migrations' head."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.errors import database_trouble
from opsportal.migrate import alembic_config
from opsportal.operations import repository


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revisions `opsportal db upgrade` would bring a database to (read once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@dataclass(frozen=True)
class Readiness:
    ready: bool
    # Why not, for the operator: "database", "schema".
    problem: str | None = None
    detail: str = ""
    revision: str | None = None


def readiness(factory: SessionFactory) -> Readiness:
    """Whether this process can serve: one short read, never the write lock."""
    heads = head_revisions()
    try:
        with session_scope(factory) as session:
            read_only(session)
            found = repository.schema_revisions(session)
    except SQLAlchemyError as exc:
        trouble = database_trouble(exc)
        why = (
            f"it is {trouble.value}"
            if trouble is not None
            else type(getattr(exc, "orig", None) or exc).__name__
        )
        return Readiness(False, "database", f"The database does not answer ({why}).", revision=None)
    shown = ", ".join(sorted(heads))
    if not found:
        return Readiness(
            False,
            "schema",
            f"The database has no schema; run `opsportal db upgrade` (head is {shown}).",
        )
    revision = ", ".join(sorted(found))
    if found != heads:
        return Readiness(
            False,
            "schema",
            f"The schema is at revision {revision}, not at head {shown}; "
            "run `opsportal db upgrade`.",
            revision=revision,
        )
    return Readiness(True, revision=revision)
