"""customers see their other peers' quartiles; a day records who was in which group

Revision ID: 0021
Revises: 0020

What a customer is shown of its peers is now worked out by the run, per
organisation, from the *other* members of each of its groups (Harrell-Davis
quartiles, rounded), and stored with its positions in `customer_quartiles`; its
percentile and verdict are estimated from those at request time. The run also
records each organisation's industry (`sector_code`, an index into the run's
new `position_sectors`) and employee count as it saw them: the groups it was in
that day. Existing days have neither: customers are shown nothing of them until
a day is run again (staff still see them), and history falls back to the
organisation's present groups for staff.

Groups of 5 to 9 peers now show customers the peer count only:
PERCENTILE_ONLY becomes PEER_COUNT_ONLY.
Create Date: 2026-12-04 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

results = sa.table("benchmark_results", sa.column("customer_view", sa.String))


def upgrade() -> None:
    op.add_column("benchmark_runs", sa.Column("position_sectors", sa.JSON(), nullable=True))
    op.add_column(
        "benchmark_positions", sa.Column("customer_quartiles", sa.LargeBinary(), nullable=True)
    )
    op.add_column("benchmark_positions", sa.Column("sector_code", sa.SmallInteger(), nullable=True))
    op.add_column("benchmark_positions", sa.Column("employee_count", sa.Integer(), nullable=True))
    op.execute(
        results.update()
        .where(results.c.customer_view == "PERCENTILE_ONLY")
        .values(customer_view="PEER_COUNT_ONLY")
    )


def downgrade() -> None:
    op.execute(
        results.update()
        .where(results.c.customer_view == "PEER_COUNT_ONLY")
        .values(customer_view="PERCENTILE_ONLY")
    )
    with op.batch_alter_table("benchmark_positions") as batch_op:
        batch_op.drop_column("employee_count")
        batch_op.drop_column("sector_code")
        batch_op.drop_column("customer_quartiles")
    with op.batch_alter_table("benchmark_runs") as batch_op:
        batch_op.drop_column("position_sectors")
