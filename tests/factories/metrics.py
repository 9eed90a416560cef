"""Metric values, loaded through the real ingestion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from opsportal.metrics.service import ingest_values
from opsportal.models import Organization


def add_values(session: Session, org: Organization, day: date, **values: float) -> None:
    ingest_values(session, rows=[(org.id, metric, value, day) for metric, value in values.items()])


def add_many(session: Session, rows: Iterable[tuple[Organization, str, float, date]]) -> None:
    ingest_values(session, rows=[(org.id, metric, value, day) for org, metric, value, day in rows])
