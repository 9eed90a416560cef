"""training: extra time per learner on timed quizzes; an attempt's saved draft answers

Revision ID: 0023
Revises: 0022

`training_extra_time` holds one grant per learner and scope (every timed quiz, or
one track's): a multiplier of the time limit or a number of extra minutes. An
attempt records the extra minutes it was given (`extra_minutes`, already in its
`deadline_at`) and the answers saved as the learner goes (`draft_answers`,
`draft_saved_at`), which grading never reads.
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_TRACK = sa.text("track_id IS NOT NULL")
WITHOUT_TRACK = sa.text("track_id IS NULL")


def upgrade() -> None:
    op.create_table(
        "training_extra_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("multiplier", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("extra_minutes", sa.Integer(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_training_extra_time_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["training_tracks.id"],
            name=op.f("fk_training_extra_time_track_id_training_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_extra_time_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_extra_time")),
    )
    op.create_index(
        "uq_training_extra_time_user_all",
        "training_extra_time",
        ["user_id"],
        unique=True,
        sqlite_where=WITHOUT_TRACK,
        postgresql_where=WITHOUT_TRACK,
    )
    op.create_index(
        "uq_training_extra_time_user_track",
        "training_extra_time",
        ["user_id", "track_id"],
        unique=True,
        sqlite_where=WITH_TRACK,
        postgresql_where=WITH_TRACK,
    )
    with op.batch_alter_table("training_quiz_attempts") as batch_op:
        batch_op.add_column(sa.Column("extra_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_answers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_saved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_quiz_attempts") as batch_op:
        batch_op.drop_column("draft_saved_at")
        batch_op.drop_column("draft_answers")
        batch_op.drop_column("extra_minutes")
    op.drop_index("uq_training_extra_time_user_track", table_name="training_extra_time")
    op.drop_index("uq_training_extra_time_user_all", table_name="training_extra_time")
    op.drop_table("training_extra_time")
