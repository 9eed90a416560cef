"""Email addresses and names that are safe to put in a mail header.

An address is one RFC 5322 addr-spec (`local@domain`, read by the standard
library's RFC 5322 parser), in its plain form: no display name, no comment, no
second address, no whitespace or control character, ASCII, at most 254
characters (RFC 5321's limit on a path). A name is any text without control
characters or line separators. Either way, nothing a user types can start
another header or add a recipient when the outbox builds a message.
"""

from __future__ import annotations

import unicodedata
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address, HeaderRegistry
from email.utils import parseaddr

from opsportal.messages import N_

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
# Unicode categories refused anywhere: control characters (CR, LF, NUL, tab,
# NEL ...) and the line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_HEADERS = HeaderRegistry()


def _has_control(value: str) -> bool:
    return any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in value)


def email_problem(value: str) -> str | None:
    """Why `value` is not a usable email address; None when it is one."""
    if _has_control(value):
        return N_("An email address must not contain line breaks or control characters.")
    if not value.isascii():
        return N_("An email address must be written in ASCII (an international domain as xn--).")
    if len(value) > MAX_EMAIL_LENGTH:
        return N_("An email address has at most %(max)s characters.", max=MAX_EMAIL_LENGTH)
    try:
        address = Address(addr_spec=value)
    except (ValueError, TypeError, IndexError, HeaderParseError, MessageDefect):
        return N_("Not an email address: expected one address such as name@example.com.")
    # The parser also reads comments, folding whitespace and obsolete forms;
    # only the address in its plain form is accepted.
    if address.addr_spec != value or not address.username or not address.domain:
        return N_("Not an email address: expected one address such as name@example.com.")
    if len(address.username) > MAX_LOCAL_PART_LENGTH:
        return N_(
            "The part before the @ has at most %(max)s characters.", max=MAX_LOCAL_PART_LENGTH
        )
    return None


def name_problem(value: str) -> str | None:
    """Why `value` is not a usable name; None when it is one."""
    if _has_control(value):
        return N_("A name must not contain line breaks or control characters.")
    return None


def valid_email(value: str) -> str:
    """A pydantic validator: the address as given, or ValueError saying why not."""
    problem = email_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def valid_name(value: str) -> str:
    """A pydantic validator: the name as given, or ValueError saying why not."""
    problem = name_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def sender_problem(value: str) -> str | None:
    """Why `value` cannot be a message's From (`a@b` or `Name <a@b>`); None when it can."""
    if _has_control(value):
        return "must not contain line breaks or control characters"
    try:
        header = _HEADERS("From", value)
        addresses = header.addresses  # type: ignore[attr-defined]
    except (ValueError, TypeError, IndexError, HeaderParseError):
        addresses = ()
    if len(addresses) != 1 or header.defects:
        return f"{value!r} is not one address such as opsportal@example.com"
    problem = email_problem(addresses[0].addr_spec)
    return None if problem is None else f"{value!r}: {problem}"


def sender_domain(value: str) -> str:
    """The domain of a From value (`a@b` or `Name <a@b>`), for the Message-IDs it sends."""
    _, at, domain = parseaddr(value)[1].rpartition("@")
    return domain if at and domain else "opsportal.invalid"
