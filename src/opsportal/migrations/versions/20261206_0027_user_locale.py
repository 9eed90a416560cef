"""users.locale: the language a person chose for the pages and their email

Revision ID: 0027_user_locale
Revises: 0026

NULL (every user before this, and anyone who never chose) means: the browser's
Accept-Language, else the deployment's OPSPORTAL_DEFAULT_LOCALE. A shipped
locale code (`de`, `ar`, ...) otherwise; the API refuses any other.
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_user_locale"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("locale", sa.String(length=35), nullable=True))


def downgrade() -> None:
    # Not a batch rebuild: on SQLite that would copy `users`, and the rows that refer
    # to a user would be deleted (CASCADE) or refuse (RESTRICT). DROP COLUMN keeps them.
    op.execute("ALTER TABLE users DROP COLUMN locale")
