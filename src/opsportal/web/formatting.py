"""Numbers, percentages and dates as the page's locale writes them (CLDR's rules, via Babel).

- Numbers: the locale's grouping and decimal marks ("1,234.5", "1.234,5",
  "1 234,5"); a whole number has no decimals, any other `digits` of them,
  rounded as Python rounds (the same figure in every language and in the CSVs).
- Digits are Western (0-9) in every locale, Arabic included: dates come out of
  CLDR with them anyway, and the figures a page shows are the ones in its CSV
  and PDF downloads and the API, which people put side by side.
- Dates: English keeps the ISO form the pages have always shown (`2026-12-05`,
  `2026-12-05 14:30 UTC`), which tests and clients read; the other locales
  CLDR's medium date and short time (`05.12.2026 14:30 UTC`, `5 déc. 2026, 14:30 UTC`).
  Every time is UTC and says so.
- The pseudo-locale formats as English does.
"""

from __future__ import annotations

import copy
import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import NumberPattern

from opsportal.web import i18n

EMPTY = "—"


class _DatePatterns(NamedTuple):
    """A locale's way with a day, a time of day, and both together ("{1}, {0}")."""

    locale: Locale
    day: DateTimePattern
    time: DateTimePattern
    joined: str


# Pages format dozens of numbers and dates: each locale's patterns are looked up once.
@functools.cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(i18n.SOURCE_LOCALE if code == i18n.PSEUDO_LOCALE else code)


@functools.cache
def _date_patterns(code: str) -> _DatePatterns:
    locale = _babel_locale(code)
    if locale.language == i18n.SOURCE_LOCALE:
        # English: the ISO form the pages have always shown.
        return _DatePatterns(
            locale, parse_date_pattern("yyyy-MM-dd"), parse_date_pattern("HH:mm"), "{1} {0}"
        )
    return _DatePatterns(
        locale,
        get_date_format("medium", locale=locale),
        get_time_format("short", locale=locale),
        str(get_datetime_format("medium", locale=locale)),
    )


@functools.cache
def _number_pattern(code: str, kind: str, decimals: int) -> NumberPattern:
    """The locale's decimal or percent pattern with exactly `decimals` decimals."""
    locale = _babel_locale(code)
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    exact: NumberPattern = copy.copy(formats[None])
    exact.frac_prec = (decimals, decimals)
    return exact


def format_date(value: date | datetime | None) -> str:
    """A day (`2026-12-05`, `05.12.2026`); a datetime also shows its time, as `datetime` does."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        return format_datetime(value)
    patterns = _date_patterns(i18n.current_locale())
    return str(patterns.day.apply(value, patterns.locale))


def format_datetime(value: date | datetime | None) -> str:
    """A moment in UTC, saying so: `2026-12-05 14:30 UTC`, `05.12.2026, 14:30 UTC`."""
    if value is None:
        return EMPTY
    if not isinstance(value, datetime):
        return format_date(value)
    # Stored times are UTC, naive or not; an aware one from elsewhere is turned into UTC.
    moment = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    patterns = _date_patterns(i18n.current_locale())
    day = str(patterns.day.apply(moment.date(), patterns.locale))
    time = str(patterns.time.apply(moment, patterns.locale))
    text = patterns.joined.replace("{1}", day).replace("{0}", time)
    return i18n.gettext("%(datetime)s UTC", datetime=text)


def _fixed(value: float | int | Decimal, digits: int) -> tuple[Decimal, int]:
    """The value rounded as Python rounds it (as the CSVs do), and its decimals to show."""
    if isinstance(value, int) or float(value).is_integer():
        return Decimal(int(value)), 0
    return Decimal(f"{float(value):.{digits}f}"), digits


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    """`1,234` / `1.234`; a fraction with `digits` decimals: `12.3` / `12,3`."""
    if value is None:
        return EMPTY
    number, shown = _fixed(value, digits)
    code = i18n.current_locale()
    pattern = _number_pattern(code, "decimal", shown)
    return str(pattern.apply(number, _babel_locale(code), numbering_system="latn"))


def format_percent(value: float | int | Decimal | None, digits: int = 1) -> str:
    """A value in per cent (85.3 for 85.3 %), written as the locale writes a percentage:
    `85.3%`, `85,3 %`; whole per cents without decimals, as `number` does."""
    if value is None:
        return EMPTY
    number, shown = _fixed(value, digits)
    code = i18n.current_locale()
    pattern = _number_pattern(code, "percent", shown)
    return str(pattern.apply(number / 100, _babel_locale(code), numbering_system="latn"))
