"""training: tracks in several languages; the language an attempt was served in

Revision ID: 0028
Revises: 0026

A track's texts are in its `default_locale` ("en" for every existing track).
`training_track_translations` holds one row per track and other language, and
`training_translated_texts` one row per translated field (the track's name, a
course's title, a question's option, ...), keyed by the field's stable key and
carrying the SHA-256 of the source text it translates: when the source changes,
the translation reads as outdated. An attempt records the language its
questions were served in (`locale`; null for earlier attempts).
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027_user_locale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_tracks") as batch_op:
        batch_op.add_column(
            sa.Column("default_locale", sa.String(length=16), server_default="en", nullable=False)
        )
    with op.batch_alter_table("training_quiz_attempts") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
    op.create_table(
        "training_track_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["training_tracks.id"],
            name=op.f("fk_training_track_translations_track_id_training_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_track_translations")),
        sa.UniqueConstraint(
            "track_id", "locale", name=op.f("uq_training_track_translations_track_id_locale")
        ),
    )
    op.create_table(
        "training_translated_texts",
        sa.Column("translation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["translation_id"],
            ["training_track_translations.id"],
            # The naming convention's name, cut to PostgreSQL's 63 characters as SQLAlchemy cuts it.
            name=op.f("fk_training_translated_texts_translation_id_training_tr_5853"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("translation_id", "key", name=op.f("pk_training_translated_texts")),
    )


def downgrade() -> None:
    op.drop_table("training_translated_texts")
    op.drop_table("training_track_translations")
    with op.batch_alter_table("training_quiz_attempts") as batch_op:
        batch_op.drop_column("locale")
    with op.batch_alter_table("training_tracks") as batch_op:
        batch_op.drop_column("default_locale")
