"""Metric values: validation and all-or-nothing ingestion, from the API and from CSV."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TextIO

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.errors import InvalidInput
from opsportal.kit.progress import ProgressCallback, StageCallback
from opsportal.metrics import repository
from opsportal.metrics.registry import METRIC_NAMES, METRICS_BY_NAME
from opsportal.principal import Principal

# (organization_id, metric, value, recorded_on), as parsed from a request or a CSV line.
IncomingValue = tuple[int, str, float, date]
# Names an item for an error message: index -> "values.3" or "line 7".
Locator = Callable[[int], str]

EARLIEST_DAY = date(2000, 1, 1)
VALUE_CSV_COLUMNS = ("organization", "metric", "value", "recordedOn")
READ_REPORT_LINES = 10_000
CHECK_STAGE = "checking"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def api_item(index: int) -> str:
    return f"values.{index}"


def utc_today() -> date:
    return datetime.now(UTC).date()


def _invalid(where: str, field: str, problem: str) -> InvalidInput:
    path = f"{where}.{field}"
    return InvalidInput(f"{path}: {problem}", field=path, extra={"index": where})


def _check(rows: Sequence[IncomingValue], *, locate: Locator, today: date) -> None:
    # A day ahead of UTC is allowed: the customer's own "today" may already be tomorrow.
    last_day = today + timedelta(days=1)
    metrics = METRICS_BY_NAME
    for index, (_, metric_name, value, day) in enumerate(rows):
        metric = metrics.get(metric_name)
        if metric is None:
            raise _invalid(
                locate(index),
                "metric",
                f"unknown metric {metric_name!r}; known: {', '.join(METRIC_NAMES)}",
            )
        if metric.computed:
            raise _invalid(
                locate(index),
                "metric",
                f"{metric_name} is computed by each benchmark run and cannot be imported",
            )
        if not math.isfinite(value):
            raise _invalid(locate(index), "value", "must be a finite number")
        problem = metric.check(value)
        if problem is not None:
            raise _invalid(locate(index), "value", problem)
        if day < EARLIEST_DAY or day > last_day:
            raise _invalid(
                locate(index),
                "recordedOn",
                f"must be between {EARLIEST_DAY.isoformat()} and {last_day.isoformat()}",
            )


def ingest_values(
    session: Session,
    *,
    rows: Sequence[IncomingValue],
    locate: Locator = api_item,
    known_organization_ids: set[int] | None = None,
    progress: ProgressCallback | None = None,
    stage: StageCallback | None = None,
    today: date | None = None,
    actor: Principal | None = None,
) -> int:
    """Validate every item, then upsert them all; one bad item rejects the batch.

    Re-sending a value for the same organisation, metric and day replaces it
    (the last of duplicates within a batch wins). Returns the items accepted.
    The import is audited as `actor` (None: the command line).
    """
    if stage is not None:
        stage(CHECK_STAGE)
    _check(rows, locate=locate, today=today or utc_today())
    if known_organization_ids is None:
        known_organization_ids = repository.existing_organization_ids(
            session, (row[0] for row in rows)
        )
    for index, row in enumerate(rows):
        if row[0] not in known_organization_ids:
            raise _invalid(locate(index), "organizationId", f"organization {row[0]} does not exist")

    # Duplicates within the batch: the last one wins.
    history = {(org_id, metric, day): value for org_id, metric, value, day in rows}
    repository.upsert_values(
        session,
        history=[(o, m, d, v) for (o, m, d), v in history.items()],
        progress=progress,
        stage=stage,
    )
    session.flush()
    days = [day for _, _, day in history]
    audit.record(
        session,
        actor=actor,
        action="metric_values.import",
        target_type="metric_values",
        target_id=None,
        detail={
            "accepted": len(rows),
            "organizations": len({org_id for org_id, _, _ in history}),
            "metrics": sorted({metric for _, metric, _ in history}),
            "from": min(days) if days else None,
            "to": max(days) if days else None,
        },
    )
    return len(rows)


class ValueCsv:
    """A parsed values CSV: rows ready for `ingest_values`, and their line numbers."""

    def __init__(self, rows: list[IncomingValue], lines: list[int]) -> None:
        self.rows = rows
        self.lines = lines

    def locate(self, index: int) -> str:
        return f"line {self.lines[index]}"


def _parse_day(raw: str, line: int) -> date:
    text = raw.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _invalid(
            f"line {line}", "recordedOn", f"{text!r} is not a date (YYYY-MM-DD)"
        ) from None


def read_value_csv(
    session: Session, stream: TextIO, *, progress: ProgressCallback | None = None
) -> ValueCsv:
    """Parse every line; `organization` may be an externalId or else an organisation id.

    An externalId wins over an id when a value could be read as both. `progress`
    hears of the lines read every `READ_REPORT_LINES` lines.
    """
    reader = csv.reader(stream)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in VALUE_CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            f"CSV header must contain {', '.join(VALUE_CSV_COLUMNS)}; "
            f"missing {', '.join(missing)}.",
            field="header",
        )
    col_org, col_metric, col_value, col_day = (header.index(c) for c in VALUE_CSV_COLUMNS)
    width = max(col_org, col_metric, col_value, col_day) + 1
    ids, by_external_id = repository.organization_keys(session)

    rows: list[IncomingValue] = []
    lines: list[int] = []
    days: dict[str, date] = {}  # a file holds few distinct days: parse each once
    for record in reader:
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        line = reader.line_num
        if len(record) < width:
            raise InvalidInput(
                f"line {line}: expected {len(header)} columns.", field=f"line {line}"
            )
        token = record[col_org].strip()
        org_id = by_external_id.get(token)
        if org_id is None and token.isdigit() and len(token) < 12 and int(token) in ids:
            org_id = int(token)
        if org_id is None:
            raise _invalid(
                f"line {line}", "organization", f"no organization has id or externalId {token!r}"
            )
        try:
            value = float(record[col_value])
        except ValueError:
            raw = record[col_value].strip()
            raise _invalid(f"line {line}", "value", f"{raw!r} is not a number") from None
        raw_day = record[col_day]
        day = days.get(raw_day)
        if day is None:
            day = days[raw_day] = _parse_day(raw_day, line)
        rows.append((org_id, record[col_metric].strip(), value, day))
        lines.append(line)
        if progress is not None and len(rows) % READ_REPORT_LINES == 0:
            progress(READ_REPORT_LINES)
    if progress is not None:
        progress(len(rows) % READ_REPORT_LINES)
    return ValueCsv(rows, lines)


def import_value_csv(
    session: Session,
    *,
    parsed: ValueCsv,
    progress: ProgressCallback | None = None,
    stage: StageCallback | None = None,
    today: date | None = None,
) -> int:
    """All or nothing: the first bad line rejects the file, naming the line."""
    ids = {row[0] for row in parsed.rows}
    return ingest_values(
        session,
        rows=parsed.rows,
        locate=parsed.locate,
        known_organization_ids=ids,  # every one was resolved against the database
        progress=progress,
        stage=stage,
        today=today,
    )
