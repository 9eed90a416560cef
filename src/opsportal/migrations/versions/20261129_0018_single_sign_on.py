"""single sign-on: organisation domains, identity providers, SAML requests and used assertions

Revision ID: 0018
Revises: 0017

An organisation's email domains (each belongs to one organisation), its OpenID
Connect or SAML identity provider (the OIDC client secret sealed), the SAML
requests awaiting an answer, and the assertions already used, kept until they
expire so that a replay is refused by every process and replica.
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _organization_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=op.f(f"fk_{table}_organization_id_organizations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "organization_domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _organization_fk("organization_domains"),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_organization_domains")),
    )
    op.create_index(
        op.f("ix_organization_domains_organization_id"),
        "organization_domains",
        ["organization_id"],
    )
    op.create_table(
        "organization_sso",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "protocol",
            sa.Enum("OIDC", "SAML", name="ssoprotocol", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("jit_provisioning", sa.Boolean(), nullable=False),
        sa.Column("oidc_issuer", sa.String(length=500), nullable=True),
        sa.Column("oidc_client_id", sa.String(length=500), nullable=True),
        sa.Column("oidc_client_secret_sealed", sa.Text(), nullable=True),
        sa.Column("saml_idp_metadata_xml", sa.Text(), nullable=True),
        sa.Column("saml_idp_entity_id", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _organization_fk("organization_sso"),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_sso")),
    )
    op.create_table(
        "saml_requests",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("next_path", sa.String(length=2000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _organization_fk("saml_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_requests")),
    )
    op.create_index(op.f("ix_saml_requests_organization_id"), "saml_requests", ["organization_id"])
    op.create_index(op.f("ix_saml_requests_expires_at"), "saml_requests", ["expires_at"])
    op.create_table(
        "saml_assertion_uses",
        sa.Column("assertion_id", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _organization_fk("saml_assertion_uses"),
        sa.PrimaryKeyConstraint("assertion_id", name=op.f("pk_saml_assertion_uses")),
    )
    op.create_index(
        op.f("ix_saml_assertion_uses_organization_id"),
        "saml_assertion_uses",
        ["organization_id"],
    )
    op.create_index(
        op.f("ix_saml_assertion_uses_expires_at"), "saml_assertion_uses", ["expires_at"]
    )


def downgrade() -> None:
    # These tables are new with this revision: dropping them leaves every older table's
    # data as it was.
    op.drop_table("saml_assertion_uses")
    op.drop_table("saml_requests")
    op.drop_table("organization_sso")
    op.drop_table("organization_domains")
