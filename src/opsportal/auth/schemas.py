"""Identity schemas."""

from __future__ import annotations

from opsportal.models import Role
from opsportal.schemas import ApiModel


class MeRead(ApiModel):
    id: int
    email: str
    name: str
    role: Role
    organization_id: int | None
