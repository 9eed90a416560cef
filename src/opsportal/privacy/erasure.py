"""Erasing a person: their name, email, answers and free text leave every table.

What stays, and why, is in `registry.py`: the user row (by id, for the
certificates and the audit trail that refer to it), certificates verifiable by
number and code with the holder's name withheld (and kept only as a salted
hash), the credential status list as it was, and the audit trail, which
records the erasure itself without the person's data. Sessions and API tokens
end at once. Other people's rows that mention the person's name or email (an
audit entry's detail, a notification, a message, a revocation reason) are
scrubbed of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth.throttle import email_key
from opsportal.errors import Conflict, Forbidden, NotFound
from opsportal.models import AuditEntry, Certificate, Notification, OutboxMessage, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.privacy import repository
from opsportal.privacy.registry import PERSONAL_DATA, OnErase
from opsportal.training.certificates import name_hash, new_name_salt

ERASED_NAME = "Erased user"
ERASED_TEXT = "[erased]"


def erased_email(user_id: int) -> str:
    """The address an erased user is left with: unique, and undeliverable (RFC 2606)."""
    return f"erased-{user_id}@erased.invalid"


@dataclass(frozen=True)
class Person:
    user: User
    name: str
    email: str
    now: datetime

    @property
    def needles(self) -> list[str]:
        """What identifies them in text: the name and the email."""
        return [value for value in (self.name.strip(), self.email.strip()) if len(value) >= 2]

    @property
    def stored_needles(self) -> list[str]:
        """The same, also as JSON stores them (non-ASCII characters escaped)."""
        found = set(self.needles)
        found.update(json.dumps(value)[1:-1] for value in self.needles)
        return sorted(found)

    def scrub(self, text: str | None) -> str | None:
        if not text:
            return text
        for needle in self.needles:
            text = re.sub(re.escape(needle), ERASED_TEXT, text, flags=re.IGNORECASE)
        return text

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping):
            return {key: self.scrub_json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        return value


@dataclass(frozen=True)
class Erasure:
    user_id: int
    erased_at: datetime
    # Rows changed or deleted, per table.
    rows: dict[str, int]


def _users(session: Session, person: Person) -> int:
    user = person.user
    user.email = erased_email(user.id)
    user.name = ERASED_NAME
    user.password_hash = None
    # Nothing the directory sent about them; and gone from SCIM, like a deleted user.
    user.external_id = None
    user.scim_attributes = None
    user.deleted_at = user.deleted_at or person.now
    user.is_active = False
    # Every web session of theirs ends (they carry the version they began with).
    user.session_version = user.session_version + 1
    user.erased_at = person.now
    return 1


def _api_tokens(session: Session, person: Person) -> int:
    return repository.delete_tokens(session, person.user.id)


def _password_resets(session: Session, person: Person) -> int:
    return repository.delete_password_resets(session, person.user.id)


def _login_failures(session: Session, person: Person) -> int:
    return repository.delete_login_failures(session, email_key(person.email))


def _audit_entries(session: Session, person: Person) -> int:
    changed = 0
    for entry in repository.mentioning(
        session, AuditEntry, AuditEntry.detail, person.stored_needles
    ):
        scrubbed = person.scrub_json(entry.detail)
        if scrubbed != entry.detail:
            entry.detail = scrubbed
            changed += 1
    return changed


def _quiz_attempts(session: Session, person: Person) -> int:
    changed = 0
    for attempt in repository.attempts_of(session, person.user.id):
        if attempt.answers or attempt.draft_answers:
            if attempt.answers:
                attempt.answers = []
            attempt.draft_answers = None
            changed += 1
    return changed


def _certificates(session: Session, person: Person) -> int:
    changed = 0
    for certificate in repository.certificates_of(session, person.user.id):
        if certificate.recipient_name_hash is None:
            salt = new_name_salt()
            # The name as the certificate stated it, which a verifier holds.
            certificate.recipient_name_hash = name_hash(certificate.recipient_name, salt)
            certificate.recipient_name_salt = salt
            certificate.recipient_name = ""
            changed += 1
    for certificate in repository.mentioning(
        session, Certificate, Certificate.revoked_reason, person.needles
    ):
        certificate.revoked_reason = person.scrub(certificate.revoked_reason)
        changed += 1
    return changed


def _notifications(session: Session, person: Person) -> int:
    deleted = repository.delete_notifications(session, person.user.id)
    for column in (Notification.title, Notification.body):
        for notification in repository.mentioning(session, Notification, column, person.needles):
            notification.title = person.scrub(notification.title) or ERASED_TEXT
            notification.body = person.scrub(notification.body) or ""
            deleted += 1
    return deleted


def _outbox(session: Session, person: Person) -> int:
    deleted = repository.delete_mail_to(session, person.email)
    for column in (OutboxMessage.subject, OutboxMessage.body):
        for message in repository.mentioning(session, OutboxMessage, column, person.needles):
            message.subject = person.scrub(message.subject) or ERASED_TEXT
            message.body = person.scrub(message.body) or ""
            deleted += 1
    return deleted


# One eraser per table the registry says is deleted or scrubbed (the test checks both ways).
ERASERS: dict[str, Callable[[Session, Person], int]] = {
    "api_tokens": _api_tokens,
    "password_resets": _password_resets,
    "login_failures": _login_failures,
    "audit_entries": _audit_entries,
    "training_quiz_attempts": _quiz_attempts,
    "training_certificates": _certificates,
    "notifications": _notifications,
    "outbox": _outbox,
    # Last: the others find the person by their email and name.
    "users": _users,
}


def erase_user(session: Session, *, principal: Principal, user_id: int) -> Erasure:
    """Erase the person's data (admins only); audited without any of it."""
    if not principal.is_admin:
        raise Forbidden("Erasing a person's data needs the role admin.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found.")
    if user.id == principal.user_id:
        raise Conflict("You cannot erase yourself; ask another administrator.")
    if user.erased_at is not None:
        raise Conflict(f"User {user_id} was erased already, on {user.erased_at:%Y-%m-%d}.")
    person = Person(user, user.name, user.email, utcnow())
    rows: dict[str, int] = {}
    wanted = {entry.table for entry in PERSONAL_DATA if entry.on_erase is not OnErase.KEEP}
    for table, erase in ERASERS.items():
        if table in wanted:
            rows[table] = erase(session, person)
    session.flush()
    record(
        session,
        actor=principal,
        action="user.erase",
        target_type="user",
        target_id=user.id,
        # Which tables held their data, and how many rows changed: nothing of the person.
        detail={"tables": sorted(t for t, n in rows.items() if n), "rows": sum(rows.values())},
    )
    return Erasure(user.id, person.now, rows)
