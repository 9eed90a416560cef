"""users.locale: the language a person reads opsportal, its emails and certificates in

Revision ID: 0027_user_locale
Revises: 0026

Nullable: a user who never chose a language is written to in the deployment's
default (OPSPORTAL_DEFAULT_LOCALE).
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_user_locale"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copy of `users` would drop
# its expression index ix_users_lower_email, which batch mode does not carry over.
def upgrade() -> None:
    op.add_column("users", sa.Column("locale", sa.String(length=35), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "locale")
