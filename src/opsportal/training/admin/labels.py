"""What the admin pages call the training codes, in the reader's language.

A form's option keeps the code as its value (`<option value="FOUNDATION">`): only the words
people read are translated, when the page is rendered. Templates ask with the `name_of`
filter: `{{ track.level.value | name_of('track level') }}`; a code with no name here is
shown as it is. Single words carry a context (pgettext): "failed" of an attempt and of an
xAPI statement, or "active" of a certificate, may be different words in another language.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import pass_context
from jinja2.runtime import Context

from opsportal.web.i18n import N_, _, pgettext
from opsportal.web.templating import templates

# Longer names, unambiguous as they stand: marked here, translated when shown.
_TRACK_TYPE_CHOICES = {
    "CUSTOMER": N_("Customer (customers and staff take it)"),
    "INTERNAL": N_("Internal (staff only)"),
}
_TRACK_AUDIENCES = {"CUSTOMER": N_("customers and staff"), "INTERNAL": N_("staff only")}
_QUESTION_TYPES = {
    "MULTIPLE_CHOICE": N_("Multiple choice (one answer)"),
    "TRUE_FALSE": N_("True / false (two options, one answer)"),
    "MULTI_SELECT": N_("Multi-select (one or more answers)"),
}
_REVEAL_ANSWERS = {
    "AFTER_PASS": N_("After the learner passes"),
    "ALWAYS": N_("After every attempt"),
}


def _translated(table: dict[str, str]) -> dict[str, str]:
    return {code: _(name) for code, name in table.items()}


def _track_types() -> dict[str, str]:
    """As the list of tracks shows them, in lower case."""
    return {
        "CUSTOMER": pgettext("track type", "customer"),
        "INTERNAL": pgettext("track type", "internal"),
    }


def _track_levels() -> dict[str, str]:
    return {
        "FOUNDATION": pgettext("track level", "Foundation"),
        "PROFESSIONAL": pgettext("track level", "Professional"),
        "EXPERT": pgettext("track level", "Expert"),
    }


def _track_levels_in_lists() -> dict[str, str]:
    return {
        "FOUNDATION": pgettext("track level", "foundation"),
        "PROFESSIONAL": pgettext("track level", "professional"),
        "EXPERT": pgettext("track level", "expert"),
    }


def _reveal_answers() -> dict[str, str]:
    return {"NEVER": pgettext("show the correct answers", "Never")} | _translated(_REVEAL_ANSWERS)


def _certificate_statuses() -> dict[str, str]:
    """As a certificate's badge says it, in lower case."""
    return {
        "ACTIVE": pgettext("certificate status", "active"),
        "EXPIRED": pgettext("certificate status", "expired"),
        "REVOKED": pgettext("certificate status", "revoked"),
    }


def _certificate_status_choices() -> dict[str, str]:
    return {
        "ACTIVE": pgettext("certificate status", "Active"),
        "EXPIRED": pgettext("certificate status", "Expired"),
        "REVOKED": pgettext("certificate status", "Revoked"),
    }


def _learner_statuses() -> dict[str, str]:
    return {
        "IN_PROGRESS": pgettext("learner status", "in progress"),
        "COMPLETED": pgettext("learner status", "completed"),
        "CERTIFIED": pgettext("learner status", "certified"),
    }


def _learner_status_choices() -> dict[str, str]:
    return {
        "IN_PROGRESS": pgettext("learner status", "In progress"),
        "COMPLETED": pgettext("learner status", "Completed"),
        "CERTIFIED": pgettext("learner status", "Certified"),
    }


def _attempt_statuses() -> dict[str, str]:
    return {
        "PASSED": pgettext("attempt status", "passed"),
        "FAILED": pgettext("attempt status", "failed"),
        "OPEN": pgettext("attempt status", "not submitted"),
    }


def _attempt_status_choices() -> dict[str, str]:
    return {
        "PASSED": pgettext("attempt status", "Passed"),
        "FAILED": pgettext("attempt status", "Failed"),
        "OPEN": pgettext("attempt status", "Not submitted"),
    }


# Each kind's names, made when asked for: the translations are the current locale's.
NAMES: dict[str, Callable[[], dict[str, str]]] = {
    "track type": _track_types,
    "track type choice": lambda: _translated(_TRACK_TYPE_CHOICES),
    "track audience": lambda: _translated(_TRACK_AUDIENCES),
    "track level": _track_levels,
    "track level in lists": _track_levels_in_lists,
    "question type": lambda: _translated(_QUESTION_TYPES),
    "reveal answers": _reveal_answers,
    "certificate status": _certificate_statuses,
    "certificate status choice": _certificate_status_choices,
    "learner status": _learner_statuses,
    "learner status choice": _learner_status_choices,
    "attempt status": _attempt_statuses,
    "attempt status choice": _attempt_status_choices,
}


def name_of(code: object, kind: str) -> str:
    """The name people read for `code` (an enum member or its value) of `kind`."""
    value = str(getattr(code, "value", code))
    return NAMES[kind]().get(value, value)


@pass_context
def _name_of_filter(context: Context, code: object, kind: str) -> str:
    """`name_of` as a template filter. Taking the context keeps Jinja from working out
    `'PASSED' | name_of(...)` once, when it compiles the template, in the locale of its
    first reader: it is named again at every render."""
    return name_of(code, kind)


templates.env.filters["name_of"] = _name_of_filter
