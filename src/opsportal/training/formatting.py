"""Dates and numbers in the messages that pages compose in Python (flash notices, errors),
formatted by the pages' own `date` and `number` filters: in the reader's locale, and in
English exactly as the templates print them."""

from __future__ import annotations

from datetime import date, datetime

from opsportal.web.templating import templates


def page_date(value: date | datetime) -> str:
    return str(templates.env.filters["date"](value))


def page_number(value: float, digits: int = 1) -> str:
    return str(templates.env.filters["number"](value, digits))


def page_multiplier(value: float) -> str:
    """A time-limit multiplier with the decimals it has (1.5, 1.25, 2), as `%g` gives them."""
    return page_number(value, len(f"{value:g}".partition(".")[2]))
