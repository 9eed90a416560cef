"""credentials epoch

Revision ID: 0020
Revises: 0019

`users.credentials_epoch` is bumped by every change of a user's role,
organisation, password or active flag; `api_tokens` and `password_resets` keep
the epoch their user had when they were issued, and are good only while the two
agree. Existing rows all start at 0, so every token and link works as before.

Plain ADD and DROP COLUMN on both databases (SQLite has had DROP COLUMN since
3.35): no table is rebuilt, so no row is copied, and none can be lost to a
cascade on the way down.
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "api_tokens", "password_resets")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("credentials_epoch", sa.Integer(), nullable=False, server_default="0"),
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "credentials_epoch")
