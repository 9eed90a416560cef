"""benchmark_runs: what each run counted (organisations, values and groups per metric)

Revision ID: 0024
Revises: 0023

Two successful runs of one day can publish different numbers of groups; the
later one replaces the day's results and positions, so the earlier one's
figures survived only as totals. `counted` keeps, per run, the organisations it
counted and each metric's values and published groups, so the run page can say
why two runs differ. NULL for runs recorded before this.
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_runs") as batch_op:
        batch_op.add_column(sa.Column("counted", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_runs") as batch_op:
        batch_op.drop_column("counted")
