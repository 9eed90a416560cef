"""training assignments and reminders

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["training_tracks.id"],
            name=op.f("fk_training_assignments_track_id_training_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_assignments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_assignments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_training_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_assignments")),
        sa.UniqueConstraint(
            "user_id", "track_id", name=op.f("uq_training_assignments_user_id_track_id")
        ),
    )
    with op.batch_alter_table("training_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_assignments_track_id"), ["track_id"], unique=False
        )
        batch_op.create_index(
            "ix_training_assignments_organization_id_due_on",
            ["organization_id", "due_on"],
            unique=False,
        )

    op.create_table(
        "training_reminders_sent",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.Column("threshold_days", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_reminders_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "kind", "item_key", "threshold_days", name=op.f("pk_training_reminders_sent")
        ),
    )
    with op.batch_alter_table("training_reminders_sent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_reminders_sent_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_reminders_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_reminders_sent_user_id"))
    op.drop_table("training_reminders_sent")
    with op.batch_alter_table("training_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_training_assignments_organization_id_due_on")
        batch_op.drop_index(batch_op.f("ix_training_assignments_track_id"))
    op.drop_table("training_assignments")
