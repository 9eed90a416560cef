"""benchmark privacy: stored positions, customer views, complementary suppression

Revision ID: 0005
Revises: 0004

Days published before these rules carry no stored positions and were never
checked for complementary suppression, so their groups are marked WITHHELD
from customers: staff still see every number, customers see those days as not
available, and the next run for a day (`opsportal benchmarks compute --date`)
publishes it under the new rules. Nothing is deleted.
Create Date: 2026-11-28 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "customer_view",
                sa.Enum(
                    "QUARTILES",
                    "PERCENTILE_ONLY",
                    "WITHHELD",
                    name="customerview",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="WITHHELD",
            )
        )
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cohorts_withheld", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "benchmark_positions",
        sa.Column("calculated_for", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("percentile_all", sa.SmallInteger(), nullable=True),
        sa.Column("percentile_sector", sa.SmallInteger(), nullable=True),
        sa.Column("percentile_band", sa.SmallInteger(), nullable=True),
        sa.Column("percentile_sector_band", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "calculated_for", "organization_id", "metric", name=op.f("pk_benchmark_positions")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("benchmark_positions")
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.drop_column("cohorts_withheld")
    with op.batch_alter_table("benchmark_results", schema=None) as batch_op:
        batch_op.drop_column("customer_view")
