"""credential signing keys and status lists

Revision ID: 0013
Revises: 0012

Open Badges credentials are signed with Ed25519 keys kept here (the private
half encrypted); `current` is unique so only one key signs at a time. Each
certificate gets one stable bit in a Bitstring Status List.
Create Date: 2026-11-28 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_keys")),
        sa.UniqueConstraint("current", name=op.f("uq_credential_keys_current")),
        sa.UniqueConstraint("kid", name=op.f("uq_credential_keys_kid")),
    )
    op.create_table(
        "credential_status_entries",
        sa.Column("certificate_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("list_index", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["training_certificates.id"],
            name=op.f("fk_credential_status_entries_certificate_id_training_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_credential_status_entries")),
        sa.UniqueConstraint(
            "list_id",
            "list_index",
            name=op.f("uq_credential_status_entries_list_id_list_index"),
        ),
    )


def downgrade() -> None:
    op.drop_table("credential_status_entries")
    op.drop_table("credential_keys")
