"""run workers and scheduled firings

Revision ID: 0006
Revises: 0005

`benchmark_runs.worker` names the process running a run, so a run whose process
died can be closed as FAILED; `scheduled_firings` lets exactly one of many
processes and replicas claim each firing of a scheduled job.
Create Date: 2026-11-28 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=100), nullable=True))
    op.create_table(
        "scheduled_firings",
        sa.Column("job", sa.String(length=50), nullable=False),
        sa.Column("fire_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("job", "fire_time", name=op.f("pk_scheduled_firings")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_firings")
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.drop_column("worker")
