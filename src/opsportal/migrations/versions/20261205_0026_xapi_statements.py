"""xapi_statements: the queue of xAPI statements for a Learning Record Store

Revision ID: 0026
Revises: 0025

Each statement is written in the transaction of the event it tells (an attempt,
a pass or fail, a completion, a certificate issued or revoked) and sent by a
scheduled job, with the mail outbox's claiming and backoff. Its UUID is fixed
when it is queued, so a retry cannot store it twice at the LRS.
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xapi_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("verb", sa.String(length=40), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("QUEUED", "SENT", "FAILED", name="xapistatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_xapi_statements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statements")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_xapi_statements_statement_id")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_xapi_statements_dedupe_key")),
    )
    with op.batch_alter_table("xapi_statements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xapi_statements_status_next_attempt_at",
            ["status", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("xapi_statements")
