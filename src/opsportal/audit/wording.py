"""The audit trail in words: action names and each entry's details as "key: value" lines.

Pure: the stored codes and JSON in, text out, in the current language; the page
and its CSV read the same. An action or key nobody named here is still readable
("training_assignment.remind" becomes "Training assignment: remind", "dueOn"
becomes "Due on"), and translated when its words are a message of the catalogue
(`KEY_WORDS`). The recorded values themselves are data, shown as recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from opsportal.i18n import N_, gettext

ACTIONS = {
    "benchmark_run.start": N_("Benchmark run started"),
    "certificate.revoke": N_("Certificate revoked"),
    "course.create": N_("Course created"),
    "course.update": N_("Course changed"),
    "credential_key.rotate": N_("Credential signing key rotated"),
    "metric_values.import": N_("Metric values imported"),
    "organization.create": N_("Organization created"),
    "organization.domains": N_("Organization email domains changed"),
    "organization.import": N_("Organizations imported"),
    "organization.update": N_("Organization changed"),
    "quiz.create": N_("Quiz created"),
    "quiz.regrade": N_("Quiz attempts regraded"),
    "quiz.replace": N_("Quiz replaced"),
    "retention.apply": N_("Retention applied"),
    "scim.user.create": N_("User created by SCIM"),
    "scim.user.delete": N_("User deactivated by SCIM"),
    "scim.user.update": N_("User changed by SCIM"),
    "scim_token.issue": N_("SCIM token issued"),
    "scim_token.revoke": N_("SCIM token revoked"),
    "sso.create": N_("Single sign-on set up"),
    "sso.delete": N_("Single sign-on removed"),
    "sso.jit_create": N_("User created at single sign-on"),
    "sso.update": N_("Single sign-on changed"),
    "token.issue": N_("API token issued"),
    "token.revoke": N_("API token revoked"),
    "track.create": N_("Track created"),
    "track.update": N_("Track changed"),
    "training_assignment.assign": N_("Track assigned"),
    "training_assignment.assign_required": N_("Required tracks assigned"),
    "training_assignment.remind": N_("Training reminder sent"),
    "user.create": N_("User created"),
    "user.erase": N_("User's personal data erased"),
    "user.import": N_("Users imported"),
    "user.invite": N_("Invitation sent"),
    "user.password_link": N_("Password link issued"),
    "user.password_set": N_("Password set"),
    "user.update": N_("User changed"),
    "xapi.retry_failed": N_("Failed xAPI statements queued again"),
}

# Key words spelled as people write them.
_WORDS = {
    "id": "ID",
    "ids": "IDs",
    "sso": "SSO",
    "scim": "SCIM",
    "oidc": "OIDC",
    "url": "URL",
    "xapi": "xAPI",
}
# The words that the recorded keys and target types make (`words`), marked for the
# catalogue: `words` looks its result up, so a key named here reads in the page's language.
KEY_WORDS = (
    N_("After"),
    N_("Before"),
    N_("Benchmark run"),
    N_("Certificate"),
    N_("Client ID"),
    N_("Course"),
    N_("Course ID"),
    N_("Created"),
    N_("Domains"),
    N_("Due on"),
    N_("Email"),
    N_("Email confirmed"),
    N_("Expires at"),
    N_("External ID"),
    N_("Invited"),
    N_("Is active"),
    N_("Issuer"),
    N_("Jit provisioning"),
    N_("Label"),
    N_("Locale"),
    N_("Name"),
    N_("Organization"),
    N_("Organization ID"),
    N_("Protocol"),
    N_("Quiz"),
    N_("Reason"),
    N_("Role"),
    N_("SCIM token"),
    N_("Token"),
    N_("Track"),
    N_("Track ID"),
    N_("Unchanged"),
    N_("Updated"),
    N_("User"),
    N_("User ID"),
    N_("User IDs"),
    N_("Via"),
    N_("With password"),
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_EMPTY = "—"


def words(code: str) -> str:
    """A code in words: `dueOn` -> "Due on", `userIds` -> "User IDs" (translated when known)."""
    parts = [p for p in _CAMEL.sub(" ", code).replace("_", " ").split() if p]
    if not parts:
        return code
    spelled = [_WORDS.get(p.lower(), p.lower()) for p in parts]
    first = spelled[0]
    spelled[0] = first if first.isupper() else first[:1].upper() + first[1:]
    spoken = " ".join(spelled)
    return gettext(spoken)


def action_label(action: str) -> str:
    """A stored action code as people say it."""
    known = ACTIONS.get(action)
    if known is not None:
        return gettext(known)
    subject, _, verb = action.rpartition(".")
    if not subject:
        return words(action)
    return gettext(
        "%(subject)s: %(verb)s",
        subject=words(subject.replace(".", " ")),
        verb=words(verb).lower(),
    )


def value_text(value: Any) -> str:
    """One detail value as text: yes/no, lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return _EMPTY
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
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
            change = gettext(
                "%(before)s → %(after)s",
                before=value_text(value.get("from")),
                after=value_text(value.get("to")),
            )
            lines.append((label, change))
        elif isinstance(value, Mapping) and value.keys() == {"changed"}:
            lines.append((label, gettext("changed")))
        elif isinstance(value, Mapping) and value:
            lines.extend(
                (gettext("%(parent)s › %(child)s", parent=label, child=sub), text)
                for sub, text in detail_lines(value)
            )
        else:
            lines.append((label, value_text(value)))
    return lines


def detail_text(detail: Mapping[str, Any] | None) -> str:
    """The details as one block of "Label: value" lines (the CSV's cell)."""
    return "\n".join(
        gettext("%(label)s: %(text)s", label=label, text=text)
        for label, text in detail_lines(detail)
    )
