"""Email addresses as users arrive in bulk (roster import, SCIM): strict, plain, no surprises.

An address must be an RFC 5322 addr-spec in its dot-atom form, `local@domain`:
the local part atext characters and single dots, the domain dot-separated DNS
labels. Quoted local parts, domain literals, comments and display names are
refused, and so are control characters, spaces and line breaks anywhere: an
address goes into mail headers, and a CR or LF there would start another header.
Pure: no database, no network (whether the domain receives mail is not asked).
"""

from __future__ import annotations

import re

MAX_EMAIL_LENGTH = 320
MAX_LOCAL_LENGTH = 64
MAX_DOMAIN_LENGTH = 255

# RFC 5322 atext: letters, digits and these.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
# A DNS label: letters, digits and inner hyphens, 1 to 63 characters.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def email_problem(value: str) -> str | None:
    """Why `value` is not an address we accept, or None when it is one."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_EMAIL_LENGTH:
        return f"must be at most {MAX_EMAIL_LENGTH} characters"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "must not contain control characters or line breaks"
    if not value.isascii():
        return "must be plain ASCII (local@example.com)"
    if value.count("@") != 1:
        return "must be one address of the form local@example.com"
    local, domain = value.split("@")
    if not local or len(local) > MAX_LOCAL_LENGTH or not _LOCAL.fullmatch(local):
        return "has an invalid part before the @"
    labels = domain.split(".")
    if (
        not domain
        or len(domain) > MAX_DOMAIN_LENGTH
        or not all(_LABEL.fullmatch(label) for label in labels)
    ):
        return "has an invalid domain after the @"
    return None


def is_email(value: str) -> bool:
    return email_problem(value) is None
