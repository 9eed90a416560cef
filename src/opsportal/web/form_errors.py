"""A form's invalid input as its page says it: the first problem pydantic found, in words
that the page can translate (pydantic's own messages are English only)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from opsportal.messages import N_, Message


def first_problem(exc: ValidationError) -> str:
    """ "field: what is wrong with it", as a message the page translates (`_()`)."""
    error: Any = exc.errors()[0]
    field = ".".join(str(part) for part in error.get("loc", ())) or "input"
    kind = error.get("type")
    context = error.get("ctx") or {}
    cause = context.get("error")
    if kind == "value_error" and isinstance(cause, ValueError) and cause.args:
        # Our own validators (an address, a name) say why, in a message of their own.
        problem = cause.args[0]
        if isinstance(problem, str):
            problem = Message.of(problem)
        return N_("%(field)s: %(problem)s", field=field, problem=problem)
    if kind == "missing":
        return N_("%(field)s: this field is required.", field=field)
    if kind == "string_too_short":
        return N_(
            "%(field)s: at least %(min)s characters.", field=field, min=context.get("min_length")
        )
    if kind == "string_too_long":
        return N_(
            "%(field)s: at most %(max)s characters.", field=field, max=context.get("max_length")
        )
    if kind == "enum":
        return N_(
            "%(field)s: one of %(choices)s.", field=field, choices=context.get("expected", "")
        )
    return N_("%(field)s: %(problem)s", field=field, problem=str(error.get("msg", "invalid")))
