"""Notification schemas."""

from __future__ import annotations

from datetime import datetime

from opsportal.schemas import ApiModel


class NotificationRead(ApiModel):
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
