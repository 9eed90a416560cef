"""user provisioning: external ids, directory deletion, SCIM attributes and tokens

Revision ID: 0017
Revises: 0015

`users.external_id` is an organisation's own id for a person (a roster's
`externalId`, a SCIM client's), unique within the organisation.
`users.deleted_at` marks a user its organisation's directory deleted (SCIM
DELETE): deactivated and gone from SCIM, the row kept for certificates and the
audit trail. `users.scim_attributes` keeps what a SCIM client sent for the
attributes without a column (name parts, displayName, emails). `scim_tokens`
are the bearer tokens, per organisation, that SCIM clients provision with,
stored as SHA-256. `ix_users_lower_email` makes the case-insensitive email
lookup (sign-in, creating a user, each line of a roster) an index search.

The downgrade drops the columns in place (SQLite's ALTER TABLE ... DROP COLUMN,
3.35 and later) instead of rebuilding `users`: a rebuild drops the table, and
with foreign keys on that deletes or refuses every row that refers to a user.
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding nullable columns never rebuilds the table, on SQLite either.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("scim_attributes", sa.JSON(), nullable=True))
    op.create_index(
        "ux_users_organization_id_external_id",
        "users",
        ["organization_id", "external_id"],
        unique=True,
    )
    op.create_index("ix_users_lower_email", "users", [sa.text("lower(email)")])
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scim_tokens_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_scim_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_scim_tokens_organization_id"), "scim_tokens", ["organization_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_scim_tokens_organization_id"), table_name="scim_tokens")
    op.drop_table("scim_tokens")
    op.drop_index("ux_users_organization_id_external_id", table_name="users")
    op.drop_index("ix_users_lower_email", table_name="users")
    # Not in batch mode: on SQLite that would rebuild `users` (see above).
    op.drop_column("users", "scim_attributes")
    op.drop_column("users", "deleted_at")
    op.drop_column("users", "external_id")
