"""Form posts to authoring schemas, and validation errors to messages shown at each field.

Field names in the forms are the API's camelCase names, so an error's path (from pydantic
or from a service's 422) is also the name of the input it belongs to. The messages are in
the reader's language: ours through `_()`, a service's through `shown()`, and pydantic's
own (English only) replaced by the same words as our messages where we know the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.errors import DomainError
from opsportal.web.i18n import N_, _
from opsportal.web.translatable import Translatable, shown

# Field path -> message; ordered as the errors were found.
FieldErrors = dict[str, str]


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def raw_text(form: FormData, name: str) -> str:
    """Text as typed (markdown keeps its leading spaces); line endings made plain."""
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) is not None


def _message(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "missing" or (
        kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1
    ):
        return _("Enter a value.")
    if kind == "string_pattern_mismatch":
        return _("This is not in the expected format.")
    if kind in ("int_parsing", "decimal_parsing", "int_from_float"):
        return _("Enter a whole number.")
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of the options.")
    message = str(error.get("msg", "is not valid"))
    english = message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    ours = _pydantic_wording(kind, error.get("ctx") or {})
    # Translated only when our English is pydantic's to the letter; else pydantic's as it is.
    return ours.translated() if ours is not None and ours == english else english


def _pydantic_wording(kind: str, ctx: dict[str, Any]) -> Translatable | None:
    """Pydantic's message for the errors our forms can meet, as a translatable message."""
    match kind:
        case "greater_than_equal":
            return Translatable(
                N_("Input should be greater than or equal to %(limit)s."), limit=ctx.get("ge")
            )
        case "less_than_equal":
            return Translatable(
                N_("Input should be less than or equal to %(limit)s."), limit=ctx.get("le")
            )
        case "string_too_long":
            return Translatable.ngettext(
                "String should have at most %(num)d character.",
                "String should have at most %(num)d characters.",
                int(ctx.get("max_length", 0)),
            )
        case "string_too_short":
            return Translatable.ngettext(
                "String should have at least %(num)d character.",
                "String should have at least %(num)d characters.",
                int(ctx.get("min_length", 0)),
            )
        case "too_short" if ctx.get("field_type") == "List":
            return Translatable.ngettext(
                "List should have at least %(num)d item after validation, not %(actual)d.",
                "List should have at least %(num)d items after validation, not %(actual)d.",
                int(ctx.get("min_length", 0)),
                actual=int(ctx.get("actual_length", 0)),
            )
        case "too_long" if ctx.get("field_type") == "List":
            return Translatable.ngettext(
                "List should have at most %(num)d item after validation, not %(actual)d.",
                "List should have at most %(num)d items after validation, not %(actual)d.",
                int(ctx.get("max_length", 0)),
                actual=int(ctx.get("actual_length", 0)),
            )
        case "value_error":
            # opsportal.schemas.refuse_nul's, as pydantic words a validator's ValueError.
            return Translatable(N_("Value error, must not contain NUL characters."))
    return None


def add_validation_errors(errors: FieldErrors, exc: ValidationError, *, prefix: str = "") -> None:
    """Every error of `exc` at its field (`prefix` + the camelCase path); the first per field."""
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        errors.setdefault(prefix + path if path else prefix.rstrip(".") or "form", _message(error))


def add_domain_errors(
    errors: FieldErrors, exc: DomainError, *, default_field: str = "form"
) -> None:
    """A service's 422/409: its listed fields, or the whole form when it names none."""
    listed = exc.extra.get("errors")
    if isinstance(listed, list) and listed:
        for item in listed:
            errors.setdefault(str(item.get("field") or default_field), shown(item.get("message")))
    else:
        errors.setdefault(default_field, shown(exc.detail))


@contextmanager
def collecting_errors(
    errors: FieldErrors, *refused: type[DomainError], default_field: str = "form"
) -> Iterator[None]:
    """Run a form's validate-and-save; its schema's errors, and the service's `refused`
    errors, go to `errors` at their fields instead of propagating."""
    try:
        yield
    except ValidationError as exc:
        add_validation_errors(errors, exc)
    except refused as exc:
        add_domain_errors(errors, exc, default_field=default_field)
