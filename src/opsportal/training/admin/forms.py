"""Form posts to authoring schemas, and validation errors to messages shown at each field.

Field names in the forms are the API's camelCase names, so an error's path (from pydantic
or from a service's 422) is also the name of the input it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.errors import DomainError

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
        return "Enter a value."
    if kind == "string_pattern_mismatch":
        return "This is not in the expected format."
    if kind in ("int_parsing", "decimal_parsing", "int_from_float"):
        return "Enter a whole number."
    if kind == "enum" or kind == "literal_error":
        return "Choose one of the options."
    message = str(error.get("msg", "is not valid"))
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


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
            errors.setdefault(str(item.get("field") or default_field), str(item.get("message")))
    else:
        errors.setdefault(default_field, exc.detail)


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
