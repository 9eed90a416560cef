"""session version and app secrets

Revision ID: 0007
Revises: 0006

`users.session_version` is copied into a web session cookie at sign-in and
checked on every request: bumping it (logout, password change) ends every
session of that user at once. `app_secrets` keeps secrets generated on first
start (the session signing key when `OPSPORTAL_SECRET_KEY` is not set), so every
process and replica sharing the database signs with the same key.
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
