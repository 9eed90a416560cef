"""What a piece of code asks the database: its statements, as the connection sends them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Statement:
    sql: str
    values: int  # how many values were bound: a list loaded whole sends every id it has


@contextmanager
def recorded(session: Session) -> Iterator[list[Statement]]:
    """Every statement `session`'s connection executes inside the block."""
    statements: list[Statement] = []
    connection = session.connection()

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements.append(Statement(sql, len(parameters or ())))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)
