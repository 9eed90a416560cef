"""Identity schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from opsportal.models import Role
from opsportal.schemas import ApiModel, InputModel

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class MeRead(ApiModel):
    id: int
    email: str
    name: str
    role: Role
    organization_id: int | None
    # The language they chose (`PATCH /api/v1/users/{id}`, or the pages' switcher); null:
    # their browser's Accept-Language, else the deployment's default.
    locale: str | None


class LoginIn(InputModel):
    email: Annotated[str, StringConstraints(max_length=320)]
    password: Annotated[str, StringConstraints(max_length=1024)]
    label: Label = "login"


class TokenCreate(InputModel):
    label: Label
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class TokenIssued(ApiModel):
    """A new API token: `token` is shown this once and never again."""

    id: int
    token: str
    label: str
    expires_at: datetime | None


class TokenRead(ApiModel):
    """An API token as listed: never the token itself."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
