"""The privacy API's shapes."""

from __future__ import annotations

from datetime import datetime

from opsportal.schemas import ApiModel


class ErasureRead(ApiModel):
    id: int
    erased_at: datetime
    # Rows deleted or scrubbed, per table.
    rows: dict[str, int]
