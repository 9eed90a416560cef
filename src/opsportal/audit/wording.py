"""The audit trail in words: action names and each entry's details as "key: value" lines.

Pure: the stored codes and JSON in, text out; the page and its CSV read the same.
An action or key nobody named here is still readable ("training_assignment.remind"
becomes "Training assignment: remind", "dueOn" becomes "Due on").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ACTIONS = {
    "benchmark_run.start": "Benchmark run started",
    "certificate.revoke": "Certificate revoked",
    "course.create": "Course created",
    "course.update": "Course changed",
    "credential_key.rotate": "Credential signing key rotated",
    "metric_values.import": "Metric values imported",
    "organization.create": "Organization created",
    "organization.domains": "Organization email domains changed",
    "organization.import": "Organizations imported",
    "organization.update": "Organization changed",
    "quiz.create": "Quiz created",
    "quiz.regrade": "Quiz attempts regraded",
    "quiz.replace": "Quiz replaced",
    "retention.apply": "Retention applied",
    "scim.user.create": "User created by SCIM",
    "scim.user.delete": "User deactivated by SCIM",
    "scim.user.update": "User changed by SCIM",
    "scim_token.issue": "SCIM token issued",
    "scim_token.revoke": "SCIM token revoked",
    "sso.create": "Single sign-on set up",
    "sso.delete": "Single sign-on removed",
    "sso.jit_create": "User created at single sign-on",
    "sso.update": "Single sign-on changed",
    "token.issue": "API token issued",
    "token.revoke": "API token revoked",
    "track.create": "Track created",
    "track.update": "Track changed",
    "training_assignment.assign": "Track assigned",
    "training_assignment.assign_required": "Required tracks assigned",
    "training_assignment.remind": "Training reminder sent",
    "user.create": "User created",
    "user.erase": "User's personal data erased",
    "user.import": "Users imported",
    "user.invite": "Invitation sent",
    "user.password_link": "Password link issued",
    "user.password_set": "Password set",
    "user.update": "User changed",
}

# Key words spelled as people write them.
_WORDS = {"id": "ID", "ids": "IDs", "sso": "SSO", "scim": "SCIM", "oidc": "OIDC", "url": "URL"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_EMPTY = "—"


def words(code: str) -> str:
    """A code in words: `dueOn` -> "Due on", `userIds` -> "User IDs"."""
    parts = [p for p in _CAMEL.sub(" ", code).replace("_", " ").split() if p]
    if not parts:
        return code
    spelled = [_WORDS.get(p.lower(), p.lower()) for p in parts]
    first = spelled[0]
    spelled[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(spelled)


def action_label(action: str) -> str:
    """A stored action code as people say it."""
    known = ACTIONS.get(action)
    if known is not None:
        return known
    subject, _, verb = action.rpartition(".")
    if not subject:
        return words(action)
    return f"{words(subject.replace('.', ' '))}: {words(verb).lower()}"


def value_text(value: Any) -> str:
    """One detail value as text: yes/no, lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return _EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{words(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


def detail_lines(detail: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) per detail: a change `{"from": a, "to": b}` reads "a → b"; nested maps
    are flattened with their parent's name ("After › Issuer: …")."""
    lines: list[tuple[str, str]] = []
    for key, value in (detail or {}).items():
        label = words(str(key))
        if isinstance(value, Mapping) and set(value) <= {"from", "to"} and value:
            change = f"{value_text(value.get('from'))} → {value_text(value.get('to'))}"
            lines.append((label, change))
        elif isinstance(value, Mapping) and value.keys() == {"changed"}:
            lines.append((label, "changed"))
        elif isinstance(value, Mapping) and value:
            lines.extend((f"{label} › {sub}", text) for sub, text in detail_lines(value))
        else:
            lines.append((label, value_text(value)))
    return lines


def detail_text(detail: Mapping[str, Any] | None) -> str:
    """The details as one block of "Label: value" lines (the CSV's cell)."""
    return "\n".join(f"{label}: {text}" for label, text in detail_lines(detail))
