"""position history by day: drop the organisation-first index on positions

Revision ID: 0014
Revises: 0013

Each run appends a day of positions (an organisation × metric each), and an
index that starts with the organisation takes those rows in a different order
from the table: every run touched nearly every page of it, which tripled the
cost of storing a day (1.16 s against 0.40 s for 250,000 positions on
PostgreSQL). The trend now names its calculated days, and the primary key
(day, organisation, metric) finds each of them directly.
Create Date: 2026-11-28 19:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_benchmark_positions_organization", table_name="benchmark_positions")


def downgrade() -> None:
    op.create_index(
        "ix_benchmark_positions_organization",
        "benchmark_positions",
        ["organization_id", "metric", "calculated_for"],
    )
