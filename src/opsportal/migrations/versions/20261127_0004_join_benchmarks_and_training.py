"""join benchmarks and training

Revision ID: 0004
Revises: 0002, 0003

The two domains were built side by side from 0001; this joins their branches
so there is one head again.
Create Date: 2026-11-27 05:52:50.224425
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | Sequence[str] | None = ("0002", "0003")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
