"""position history index

Revision ID: 0010
Revises: 0009

The scorecard's trend reads one organisation's positions over months; the
primary key starts with the day, so without this index every day's positions
would be scanned.
Create Date: 2026-11-28 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_benchmark_positions_organization",
        "benchmark_positions",
        ["organization_id", "metric", "calculated_for"],
    )


def downgrade() -> None:
    op.drop_index("ix_benchmark_positions_organization", table_name="benchmark_positions")
