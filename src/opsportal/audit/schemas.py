"""Audit schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opsportal.schemas import ApiModel


class AuditEntryRead(ApiModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    target_type: str
    target_id: int | None
    detail: dict[str, Any]
