"""users: an address is unique once confirmed; invitations that confirm it

Revision ID: 0022
Revises: 0021

A customer_admin may type any address for a new user. Answering "already
exists" told it that the address had an account in some other organisation.
A user a customer_admin creates now starts unconfirmed (`email_confirmed`
false), whatever the address, and is confirmed when it accepts the invitation
emailed to it (`password_resets.confirms_address`); it cannot sign in with a
password until then. Addresses are unique among confirmed users only
(a partial unique index), so an unconfirmed user may carry an address that is
in use elsewhere; it is never signed in with, nor sent mail at. Existing users
are confirmed.
Create Date: 2026-12-04 22:31:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LOWER_EMAIL = "ix_users_lower_email"


def upgrade() -> None:
    # SQLite drops a unique constraint by rebuilding the table, which would lose the
    # expression index on lower(email): it is dropped first and made again after.
    op.drop_index(LOWER_EMAIL, table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.drop_constraint("uq_users_email", type_="unique")
    op.create_index(LOWER_EMAIL, "users", [sa.text("lower(email)")])
    op.create_index(
        "uq_users_confirmed_email",
        "users",
        ["email"],
        unique=True,
        sqlite_where=sa.text("email_confirmed"),
        postgresql_where=sa.text("email_confirmed"),
    )
    with op.batch_alter_table("password_resets") as batch_op:
        batch_op.add_column(
            sa.Column("confirms_address", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # A plain unique constraint cannot hold two users of one address: refuse, and
    # say so, rather than delete anyone's account.
    users = sa.table("users", sa.column("email", sa.String))
    shared = op.get_bind().execute(
        sa.select(users.c.email).group_by(users.c.email).having(sa.func.count() > 1).limit(1)
    )
    if shared.first() is not None:
        raise RuntimeError(
            "Some addresses belong to more than one user (unconfirmed users created by "
            "customer admins); remove those users before downgrading past 0022."
        )
    with op.batch_alter_table("password_resets") as batch_op:
        batch_op.drop_column("confirms_address")
    op.drop_index("uq_users_confirmed_email", table_name="users")
    op.drop_index(LOWER_EMAIL, table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.create_unique_constraint("uq_users_email", ["email"])
        batch_op.drop_column("email_confirmed")
    op.create_index(LOWER_EMAIL, "users", [sa.text("lower(email)")])
