"""On PostgreSQL a read request's session runs in autocommit: no transaction is left open
by its reads, so its end sends nothing; a write's session stays one transaction."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, text

from opsportal.db import make_session_factory, read_only_factory

pytestmark = pytest.mark.usefixtures("postgres_only")


def _status(session: object) -> TransactionStatus:
    connection = session.connection()  # type: ignore[attr-defined]
    return TransactionStatus(connection.connection.dbapi_connection.info.transaction_status)


def test_a_read_session_leaves_no_transaction_open(engine: Engine) -> None:
    factory = read_only_factory(make_session_factory(engine))
    with factory() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
        assert _status(session) is TransactionStatus.IDLE
        session.commit()  # what the request's end does: nothing to send


def test_a_write_session_is_one_transaction(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.execute(text("SELECT 1"))
        assert _status(session) is TransactionStatus.INTRANS
        session.rollback()
