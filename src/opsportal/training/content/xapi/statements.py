"""xAPI 1.0.3 statements as plain values: actors, verbs, activities, results (pure).

Verbs are ADL's (http://adlnet.gov/expapi/verbs/...) wherever ADL has one:
attempted, passed, failed, completed. ADL has none for a certificate given or
taken back, so a certificate is `earned` (the xAPI registry's verb for badges and
certificates, http://id.tincanapi.com/verb/earned) and `revoked` is a verb of
ours, an IRI under the portal's public base URL. Every activity's id is an IRI
under the public base URL: the page a person would open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
EARNED = "http://id.tincanapi.com/verb/earned"
ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"
CERTIFICATE_TYPE = "https://w3id.org/xapi/tla/activity-types/credential"

ActorIdentity = Literal["mbox", "mbox_sha1sum", "account"]
Verb = Literal["attempted", "passed", "failed", "completed", "earned", "revoked"]


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str


def actor(person: Person, *, identity: ActorIdentity, home_page: str) -> dict[str, Any]:
    """The Agent that stands for `person`, identified as the customer chose.

    With `mbox_sha1sum` or `account` the statement carries neither the email nor
    the name: the LRS learns only what was chosen to identify people.
    """
    if identity == "mbox":
        return {"objectType": "Agent", "name": person.name, "mbox": f"mailto:{person.email}"}
    if identity == "mbox_sha1sum":
        digest = hashlib.sha1(f"mailto:{person.email}".encode()).hexdigest()  # noqa: S324
        return {"objectType": "Agent", "mbox_sha1sum": digest}
    return {
        "objectType": "Agent",
        "account": {"homePage": home_page, "name": str(person.user_id)},
    }


def verb(name: Verb, *, base_url: str) -> dict[str, Any]:
    if name == "earned":
        iri = EARNED
    elif name == "revoked":
        iri = f"{base_url}/xapi/verbs/revoked"
    else:
        iri = ADL_VERBS + name
    return {"id": iri, "display": {"en-US": name}}


def activity(iri: str, *, kind: str, name: str) -> dict[str, Any]:
    """An Activity; `kind` is an ADL activity type (course, assessment...) or a full IRI."""
    activity_type = kind if "://" in kind else ACTIVITY_TYPES + kind
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": activity_type, "name": {"en-US": name}},
    }


def iso_duration(elapsed: timedelta) -> str:
    """ISO 8601 duration (PT1H2M3.5S), as xAPI's result.duration wants it."""
    total = max(elapsed.total_seconds(), 0.0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    shown = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return text + f"{shown}S"


@dataclass(frozen=True)
class Outcome:
    """What a result says: a score (`raw` out of `min`..`max`), success, completion, duration."""

    raw: float | None = None
    minimum: float = 0
    maximum: float | None = None
    success: bool | None = None
    completion: bool | None = None
    duration: timedelta | None = None


def result(outcome: Outcome) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    if outcome.raw is not None and outcome.maximum:
        span = outcome.maximum - outcome.minimum
        found["score"] = {
            "scaled": round((outcome.raw - outcome.minimum) / span, 4) if span else 0,
            "raw": outcome.raw,
            "min": outcome.minimum,
            "max": outcome.maximum,
        }
    if outcome.success is not None:
        found["success"] = outcome.success
    if outcome.completion is not None:
        found["completion"] = outcome.completion
    if outcome.duration is not None:
        found["duration"] = iso_duration(outcome.duration)
    return found or None


def statement(
    *,
    statement_id: str,
    actor: Mapping[str, Any],
    verb: Mapping[str, Any],
    object: Mapping[str, Any],  # noqa: A002 - xAPI's own name
    timestamp: datetime,
    outcome: Outcome | None = None,
    parents: tuple[Mapping[str, Any], ...] = (),
    grouping: tuple[Mapping[str, Any], ...] = (),
    platform: str = "opsportal",
) -> dict[str, Any]:
    """A whole statement, id and timestamp included, so every attempt sends the same bytes."""
    found: dict[str, Any] = {
        "id": statement_id,
        "actor": dict(actor),
        "verb": dict(verb),
        "object": dict(object),
        "timestamp": timestamp.isoformat(),
        "context": {"platform": platform},
    }
    shown = result(outcome) if outcome is not None else None
    if shown is not None:
        found["result"] = shown
    activities: dict[str, Any] = {}
    if parents:
        activities["parent"] = [{"id": p["id"], "objectType": "Activity"} for p in parents]
    if grouping:
        activities["grouping"] = [{"id": g["id"], "objectType": "Activity"} for g in grouping]
    if activities:
        found["context"]["contextActivities"] = activities
    return found
