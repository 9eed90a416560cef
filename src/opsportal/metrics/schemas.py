"""Metric registry and metric value schemas."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from opsportal.schemas import MAX_ID, ApiModel, InputModel

# One API batch; 10,000 is the usual size, the bound keeps memory in check.
MAX_BATCH = 50_000


class MetricRead(ApiModel):
    name: str
    label: str
    unit: str
    higher_is_better: bool
    min: float
    max: float | None


class MetricValueIn(InputModel):
    organization_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    metric: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    value: Annotated[float, Field(allow_inf_nan=False)]
    recorded_on: date


class MetricValuesIn(InputModel):
    values: Annotated[list[MetricValueIn], Field(max_length=MAX_BATCH)]


class MetricValuesAccepted(ApiModel):
    accepted: int
