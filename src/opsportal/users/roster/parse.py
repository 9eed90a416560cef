"""Reading a roster CSV (`email,name,role,externalId`) into rows, or into what is wrong, by line.

Pure: text in, rows and line errors out. The header names the columns, in any
order and any case; `email` and `name` are required, `role` (`customer` or
`customer_admin`) and `externalId` may be left out or left empty. Every line is
checked, so one pass reports every mistake; a line is the file's line where its
record starts (a quoted cell may span lines), the header being line 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from opsportal.kit.progress import ProgressCallback
from opsportal.messages import N_, Message
from opsportal.models import CUSTOMER_ROLES, Role
from opsportal.users.emails import email_problem

COLUMNS = ("email", "name", "role", "externalId")
REQUIRED = ("email", "name")
MAX_NAME_LENGTH = 200
MAX_EXTERNAL_ID_LENGTH = 200
# Lines read between two progress reports.
REPORT_EVERY = 500


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    # None: the cell was empty (a new user is a `customer`; an existing one keeps its role).
    role: Role | None
    external_id: str | None


@dataclass(frozen=True)
class LineError:
    line: int
    # The column's header name; None for the line as a whole.
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        # `field` too, as every 422 of the API names one: "line 3" or "line 3, email".
        field = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return {"field": field, "line": self.line, "column": self.column, "message": self.message}


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _text_problem(value: str, *, max_length: int) -> str | None:
    if len(value) > max_length:
        return N_("must be at most %(max)s characters", max=max_length)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return N_("must not contain control characters or line breaks")
    return None


def decode(data: bytes) -> str | LineError:
    """The file as text (UTF-8, a byte-order mark allowed), or where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return LineError(line, None, N_("the file is not UTF-8 text (save it as CSV UTF-8)"))


def parse_roster(lines: Iterable[str], *, progress: ProgressCallback | None = None) -> Roster:
    """Every row of the roster, or every line's mistakes (rows are kept only when none)."""
    roster = Roster()
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        roster.errors.append(LineError(1, None, N_("unreadable CSV header: %(why)s", why=exc)))
        return roster
    if header is None:
        message = N_(
            "the file is empty; its first line names the columns: %(columns)s",
            columns=",".join(COLUMNS),
        )
        roster.errors.append(LineError(1, None, message))
        return roster
    position = _read_header(header, roster)
    if position is None:
        return roster
    seen_emails: dict[str, int] = {}
    seen_external_ids: dict[str, int] = {}
    start = reader.line_num + 1
    read = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            roster.errors.append(LineError(start, None, N_("unreadable CSV: %(why)s", why=exc)))
            break
        line, start = start, reader.line_num + 1
        read += 1
        if progress is not None and read % REPORT_EVERY == 0:
            progress(REPORT_EVERY)
        if not any(cell.strip() for cell in record):
            continue
        row = _read_row(line, record, position, len(header), roster)
        if row is None:
            continue
        key = row.email.lower()
        if key in seen_emails:
            roster.errors.append(
                LineError(
                    line,
                    "email",
                    N_(
                        "%(email)s is on line %(line)s already",
                        email=row.email,
                        line=seen_emails[key],
                    ),
                )
            )
        else:
            seen_emails[key] = line
        if row.external_id is not None:
            if row.external_id in seen_external_ids:
                roster.errors.append(
                    LineError(
                        line,
                        "externalId",
                        N_(
                            "%(id)s is on line %(line)s already",
                            id=row.external_id,
                            line=seen_external_ids[row.external_id],
                        ),
                    )
                )
            else:
                seen_external_ids[row.external_id] = line
        roster.rows.append(row)
    if progress is not None:
        progress(read % REPORT_EVERY)
    if roster.errors:
        roster.rows = []
    elif not roster.rows:
        roster.errors.append(LineError(2, None, N_("the file has a header but no users")))
    return roster


def _read_header(header: list[str], roster: Roster) -> dict[str, int] | None:
    names = {column.lower(): column for column in COLUMNS}
    position: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = names.get(raw.strip().lower())
        if name is None:
            shown = raw.strip()[:50] or "(empty)"
            roster.errors.append(
                LineError(
                    1,
                    shown,
                    N_("unknown column; the columns are %(columns)s", columns=",".join(COLUMNS)),
                )
            )
        elif name in position:
            roster.errors.append(LineError(1, name, N_("this column appears twice")))
        else:
            position[name] = index
    for name in REQUIRED:
        if name not in position:
            roster.errors.append(LineError(1, name, N_("this column is required")))
    return None if roster.errors else position


def _read_row(
    line: int, record: list[str], position: dict[str, int], width: int, roster: Roster
) -> RosterRow | None:
    if len(record) != width:
        roster.errors.append(
            LineError(
                line,
                None,
                N_(
                    "%(cells)s cells where the header has %(width)s", cells=len(record), width=width
                ),
            )
        )
        return None

    def cell(name: str) -> str:
        index = position.get(name)
        return record[index].strip() if index is not None else ""

    problems: list[LineError] = []
    email = cell("email")
    problem = email_problem(email)
    if problem is not None:
        problems.append(
            LineError(
                line,
                "email",
                N_("not a valid email address: %(problem)s", problem=Message.of(problem)),
            )
        )
    name = cell("name")
    problem = (
        N_("must not be empty") if not name else _text_problem(name, max_length=MAX_NAME_LENGTH)
    )
    if problem is not None:
        problems.append(LineError(line, "name", problem))
    raw_role = cell("role")
    role: Role | None = None
    if raw_role:
        role = next((r for r in CUSTOMER_ROLES if r.value == raw_role.lower()), None)
        if role is None:
            problems.append(
                LineError(
                    line,
                    "role",
                    N_("%(role)r is not customer or customer_admin", role=raw_role[:50]),
                )
            )
    external_id = cell("externalId") or None
    if external_id is not None:
        problem = _text_problem(external_id, max_length=MAX_EXTERNAL_ID_LENGTH)
        if problem is not None:
            problems.append(LineError(line, "externalId", problem))
    if problems:
        roster.errors.extend(problems)
        return None
    return RosterRow(line, email, name, role, external_id)
