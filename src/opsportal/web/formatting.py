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
from datetime import UTC, date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import get_datetime_format
from babel.numbers import NumberPattern

from opsportal.web import i18n

EMPTY = "—"
# (date pattern, time pattern, how they join) per locale; the others: CLDR's.
_ISO = ("yyyy-MM-dd", "HH:mm", "{1} {0}")
_PATTERNS = {i18n.SOURCE_LOCALE: _ISO, i18n.PSEUDO_LOCALE: _ISO}


def _locale() -> str:
    locale = i18n.current_locale()
    return i18n.SOURCE_LOCALE if locale == i18n.PSEUDO_LOCALE else locale


def _patterns(locale: str) -> tuple[str, str, str]:
    found = _PATTERNS.get(locale)
    if found is not None:
        return found
    return ("medium", "short", str(get_datetime_format("medium", locale=locale)))


def format_date(value: date | datetime | None) -> str:
    """A day (`2026-12-05`, `05.12.2026`); a datetime also shows its time, as `datetime` does."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        return format_datetime(value)
    locale = _locale()
    return babel_date(value, _patterns(locale)[0], locale=locale)


def format_datetime(value: date | datetime | None) -> str:
    """A moment in UTC, saying so: `2026-12-05 14:30 UTC`, `05.12.2026, 14:30 UTC`."""
    if value is None:
        return EMPTY
    if not isinstance(value, datetime):
        return format_date(value)
    # Stored times are UTC, naive or not; an aware one from elsewhere is turned into UTC.
    moment = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    locale = _locale()
    day, time, joined = _patterns(locale)
    text = joined.replace("{1}", babel_date(moment.date(), day, locale=locale)).replace(
        "{0}", babel_time(moment.timetz(), time, locale=locale)
    )
    return i18n.gettext("%(datetime)s UTC", datetime=text)


def _fixed(value: float | int | Decimal, digits: int) -> tuple[Decimal, int]:
    """The value rounded as Python rounds it (as the CSVs do), and its decimals to show."""
    if isinstance(value, int) or float(value).is_integer():
        return Decimal(int(value)), 0
    return Decimal(f"{float(value):.{digits}f}"), digits


def _apply(pattern: NumberPattern, number: Decimal, locale: Locale, decimals: int) -> str:
    """The locale's pattern with exactly `decimals` decimals, in Western digits."""
    exact = copy.copy(pattern)
    exact.frac_prec = (decimals, decimals)
    return str(exact.apply(number, locale, numbering_system="latn"))


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    """`1,234` / `1.234`; a fraction with `digits` decimals: `12.3` / `12,3`."""
    if value is None:
        return EMPTY
    number, shown = _fixed(value, digits)
    locale = Locale.parse(_locale())
    return _apply(locale.decimal_formats[None], number, locale, shown)


def format_percent(value: float | int | Decimal | None, digits: int = 1) -> str:
    """A value in per cent (85.3 for 85.3 %), written as the locale writes a percentage:
    `85.3%`, `85,3 %`; whole per cents without decimals, as `number` does."""
    if value is None:
        return EMPTY
    number, shown = _fixed(value, digits)
    locale = Locale.parse(_locale())
    return _apply(locale.percent_formats[None], number / 100, locale, shown)
