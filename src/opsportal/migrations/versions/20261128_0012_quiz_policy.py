"""quiz policy, drawn questions and regrades

Revision ID: 0012
Revises: 0011

A quiz gains its answer-reveal rule and attempt policy; an attempt keeps its
deadline, whether it ran out of time, and its regrades; one counter row per
learner and quiz serialises starts so attempt limits hold under concurrency.
Create Date: 2026-11-28 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_quizzes") as batch:
        batch.add_column(
            sa.Column("reveal_answers", sa.String(20), nullable=False, server_default="AFTER_PASS")
        )
        batch.add_column(sa.Column("max_attempts", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cooldown_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("time_limit_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("questions_per_attempt", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("shuffle_questions", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("shuffle_options", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("training_quiz_attempts") as batch:
        batch.add_column(sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("time_expired", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("regrades", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("regraded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "training_quiz_attempt_counters",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_quiz_attempt_counters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["training_quizzes.id"],
            name=op.f("fk_training_quiz_attempt_counters_quiz_id_training_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "quiz_id", name=op.f("pk_training_quiz_attempt_counters")
        ),
    )
    op.create_table(
        "training_course_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_course_reads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_course_reads_course_id_training_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "course_id", name=op.f("pk_training_course_reads")),
    )
    # Past attempts were all graded by one submit: none ran out of time or was regraded.


def downgrade() -> None:
    op.drop_table("training_course_reads")
    op.drop_table("training_quiz_attempt_counters")
    with op.batch_alter_table("training_quiz_attempts") as batch:
        batch.drop_column("regraded_at")
        batch.drop_column("regrades")
        batch.drop_column("time_expired")
        batch.drop_column("deadline_at")
    with op.batch_alter_table("training_quizzes") as batch:
        batch.drop_column("shuffle_options")
        batch.drop_column("shuffle_questions")
        batch.drop_column("questions_per_attempt")
        batch.drop_column("time_limit_minutes")
        batch.drop_column("cooldown_minutes")
        batch.drop_column("max_attempts")
        batch.drop_column("reveal_answers")
