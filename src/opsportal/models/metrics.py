"""Metric values: the full history and the newest value per organisation and metric."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base

# The two value tables carry no foreign key to organizations: ingestion checks
# every organisation id of a batch with one query before writing, and
# organisations are never deleted (they become CHURNED). On PostgreSQL the
# per-row foreign-key trigger cost about 5 µs a row, half of a bulk import.


class MetricValue(Base):
    """Every value ever reported, one per organisation, metric and day."""

    __tablename__ = "metric_values"
    # On SQLite the primary key then is the table: one B-tree to write, not two.
    __table_args__ = {"sqlite_with_rowid": False}

    organization_id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(50), primary_key=True)
    recorded_on: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class LatestMetricValue(Base):
    """The newest value per organisation and metric, kept on ingest.

    The nightly aggregation reads only this table, so its cost grows with the
    number of organisations, never with the length of the history.
    """

    __tablename__ = "latest_metric_values"
    # PostgreSQL also gets fillfactor 50 (in the migration) for in-place updates.
    __table_args__ = {"sqlite_with_rowid": False}

    organization_id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(50), primary_key=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
