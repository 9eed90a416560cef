"""personal data: erased users, and certificates whose holder's name is withheld

Revision ID: 0019
Revises: 0018

`users.erased_at` marks a person whose name, email and free text were erased
(the row stays: certificates and the audit trail refer to it). An erased
holder's certificates keep their number and code but not the name: they keep a
salted SHA-256 of the normalised name instead (`recipient_name_salt`,
`recipient_name_hash`), so that someone who holds the name can still confirm it.

The downgrade drops the three columns in place (SQLite 3.35 and later, and
PostgreSQL, drop a column without rebuilding the table), so no row is lost.
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "training_certificates",
        sa.Column("recipient_name_salt", sa.String(length=64), nullable=True),
    )
    op.add_column(
        "training_certificates",
        sa.Column("recipient_name_hash", sa.String(length=80), nullable=True),
    )


def downgrade() -> None:
    for table, column in (
        ("training_certificates", "recipient_name_hash"),
        ("training_certificates", "recipient_name_salt"),
        ("users", "erased_at"),
    ):
        # Not a batch rebuild: ALTER TABLE ... DROP COLUMN keeps every row as it is.
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
