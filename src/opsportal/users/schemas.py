"""User management schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from opsportal.addresses import valid_email, valid_name
from opsportal.config_values import check_locale
from opsportal.models import Role
from opsportal.schemas import MAX_ID, ApiModel, InputModel

# One plain RFC 5322 address and a name without control characters: both go
# into mail headers (see opsportal.addresses).
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=320),
    AfterValidator(valid_email),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(valid_name),
]
Password = Annotated[str, StringConstraints(max_length=1024)]
OrganizationId = Annotated[int, Field(ge=1, le=MAX_ID)]
# A shipped locale's code (`en`, `de`, `fr`, `es`, `ar`): the pages' and emails' language.
LocaleCode = Annotated[
    str,
    StringConstraints(max_length=35),
    AfterValidator(check_locale),
    Field(description="The user's language: a shipped locale (en, de, fr, es, ar)"),
]


class UserCreate(InputModel):
    email: Email
    name: Name
    role: Role
    # Customer roles: the organisation (a customer_admin's own when left out); staff: none.
    organization_id: OrganizationId | None = None
    # Optional: without one, the user sets a password through a one-time link.
    password: Password | None = None
    # None: the browser's language, else the deployment's default.
    locale: LocaleCode | None = None


class UserUpdate(InputModel):
    name: Name | None = None
    role: Role | None = None
    organization_id: OrganizationId | None = None
    is_active: bool | None = None
    # null: back to the browser's language, else the deployment's default.
    locale: LocaleCode | None = None


class UserRead(ApiModel):
    id: int
    email: str
    name: str
    role: Role
    organization_id: int | None
    is_active: bool
    created_at: datetime
    locale: str | None


class PasswordLink(ApiModel):
    """A one-time link that lets the user set a password: shown this once."""

    url: str
    expires_at: datetime


class InvitationSent(ApiModel):
    """An invitation queued for sending: the link goes by email only."""

    user_id: int
    email: str
    expires_at: datetime


Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ScimTokenCreate(InputModel):
    label: Label


class ScimTokenIssued(ApiModel):
    """A new SCIM token: `token` is shown this once and never again."""

    id: int
    token: str
    label: str
    created_at: datetime


class ScimTokenRead(ApiModel):
    """A SCIM token as listed: never the token itself."""

    id: int
    organization_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class RosterLineError(ApiModel):
    line: int
    column: str | None
    message: str


class RosterImportResult(ApiModel):
    """What an import did (or, with `dryRun=true`, would do)."""

    created: int
    updated: int
    unchanged: int
    invited: int
    errors: list[RosterLineError] = Field(default_factory=list)
