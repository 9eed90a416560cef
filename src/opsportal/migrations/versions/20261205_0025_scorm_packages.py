"""training: SCORM packages, their files in the database, and learners' runtime data

Revision ID: 0025
Revises: 0024

A course may be played from a SCORM 1.2 or 2004 package (`training_courses.
scorm_package_id`). The package's files are stored in the database, in chunks
of at most 1 MiB (`training_scorm_file_chunks`), so every replica serves them
and backups hold them. `training_scorm_attempts` keeps what each learner's
runtime stored (status, score, location, suspend_data, time) and the hash of
the current launch's key.
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_scorm_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("edition", sa.String(length=60), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("launch_path", sa.String(length=2000), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_scorm_packages")),
    )
    op.create_table(
        "training_scorm_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["training_scorm_packages.id"],
            name=op.f("fk_training_scorm_files_package_id_training_scorm_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_scorm_files")),
        sa.UniqueConstraint(
            "package_id", "path", name=op.f("uq_training_scorm_files_package_id_path")
        ),
    )
    op.create_table(
        "training_scorm_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("completion_status", sa.String(length=20), nullable=True),
        sa.Column("success_status", sa.String(length=20), nullable=True),
        sa.Column("score_raw", sa.Float(), nullable=True),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("location", sa.String(length=1000), nullable=True),
        sa.Column("suspend_data", sa.Text(), nullable=True),
        sa.Column("exit", sa.String(length=20), nullable=True),
        sa.Column("earlier_seconds", sa.Float(), nullable=False),
        sa.Column("session_seconds", sa.Float(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("launch_token_hash", sa.String(length=64), nullable=True),
        sa.Column("launch_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_scorm_attempts_course_id_training_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["training_scorm_packages.id"],
            name=op.f("fk_training_scorm_attempts_package_id_training_scorm_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_scorm_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_scorm_attempts")),
        sa.UniqueConstraint(
            "launch_token_hash", name=op.f("uq_training_scorm_attempts_launch_token_hash")
        ),
    )
    with op.batch_alter_table("training_scorm_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_scorm_attempts_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            "ix_training_scorm_attempts_user_course", ["user_id", "course_id"], unique=False
        )

    op.create_table(
        "training_scorm_file_chunks",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["training_scorm_files.id"],
            name=op.f("fk_training_scorm_file_chunks_file_id_training_scorm_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "seq", name=op.f("pk_training_scorm_file_chunks")),
    )
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scorm_package_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_training_courses_scorm_package_id_training_scorm_packages"),
            "training_scorm_packages",
            ["scorm_package_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_training_courses_scorm_package_id_training_scorm_packages"),
            type_="foreignkey",
        )
        batch_op.drop_column("scorm_package_id")

    op.drop_table("training_scorm_file_chunks")
    with op.batch_alter_table("training_scorm_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_training_scorm_attempts_user_course")
        batch_op.drop_index(batch_op.f("ix_training_scorm_attempts_course_id"))

    op.drop_table("training_scorm_attempts")
    op.drop_table("training_scorm_files")
    op.drop_table("training_scorm_packages")
