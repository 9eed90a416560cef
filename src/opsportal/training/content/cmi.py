"""The SCORM runtime data we keep, checked on the server as the standards define it (pure).

The runtime (scorm-again, in the learner's browser) already answers a SCO's
bad SetValue with the standard's error code. The server checks again what it
stores, because the commit comes from a browser: a commit with a bad value is
refused whole (422), and nothing of it is stored.

We keep, per version, the elements that carry a learner's place and result:

| what            | SCORM 1.2                    | SCORM 2004                |
| --------------- | ---------------------------- | ------------------------- |
| completion      | cmi.core.lesson_status       | cmi.completion_status     |
| success         | (in lesson_status)           | cmi.success_status        |
| score           | cmi.core.score.raw (0-100)   | cmi.score.scaled, .raw    |
| location        | cmi.core.lesson_location 255 | cmi.location 1000         |
| suspend_data    | cmi.suspend_data 4,096       | cmi.suspend_data 64,000   |
| this session    | cmi.core.session_time        | cmi.session_time          |
| exit            | cmi.core.exit                | cmi.exit                  |

Other elements (interactions, objectives, comments...) are the runtime's
business during a session and are not kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

SCORM_12 = "1.2"
SCORM_2004 = "2004"

SUSPEND_DATA_MAX = {SCORM_12: 4096, SCORM_2004: 64000}
LOCATION_MAX = {SCORM_12: 255, SCORM_2004: 1000}

LESSON_STATUS_12 = frozenset(
    {"passed", "completed", "failed", "incomplete", "browsed", "not attempted"}
)
COMPLETION_2004 = frozenset({"completed", "incomplete", "not attempted", "unknown"})
SUCCESS_2004 = frozenset({"passed", "failed", "unknown"})
EXIT_12 = frozenset({"", "time-out", "suspend", "logout"})
EXIT_2004 = frozenset({"", "time-out", "suspend", "logout", "normal"})

# 1.2 CMITimespan: HHHH:MM:SS.SS; 2004 timeinterval (second, 10,2): ISO 8601 duration.
TIMESPAN_12 = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")
DURATION_2004 = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)
DECIMAL = re.compile(r"^-?\d{1,10}(\.\d{1,7})?$")


class CmiError(ValueError):
    """A committed value the standard does not allow; the message names the element."""


@dataclass(frozen=True)
class CmiUpdate:
    """What a commit sets; None: the commit did not carry it (the stored value stays)."""

    completion_status: str | None = None
    success_status: str | None = None
    score_raw: float | None = None
    score_scaled: float | None = None
    location: str | None = None
    suspend_data: str | None = None
    session_seconds: float | None = None
    exit: str | None = None


@dataclass(frozen=True)
class Outcome:
    completed: bool
    passed: bool | None  # None: the SCO said nothing about passing


def _string(element: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CmiError(f"{element}: expected a string, got {type(value).__name__}")
    return str(value)


def _decimal(element: str, value: str, *, low: float | None, high: float | None) -> float:
    if not DECIMAL.match(value):
        raise CmiError(f"{element}: {value!r} is not a decimal number")
    number = float(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise CmiError(f"{element}: {value} is outside {low} to {high}")
    return number


def _vocabulary(element: str, value: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        listed = ", ".join(sorted(repr(a) for a in allowed))
        raise CmiError(f"{element}: {value!r} is not one of {listed}")
    return value


def _limited(element: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise CmiError(f"{element}: {len(value):,} characters; at most {limit:,} are allowed")
    return value


def timespan_seconds(value: str) -> float:
    """A SCORM 1.2 CMITimespan (HHHH:MM:SS.SS) in seconds."""
    match = TIMESPAN_12.match(value)
    if match is None:
        raise CmiError(f"cmi.core.session_time: {value!r} is not HHHH:MM:SS.SS")
    hours, minutes, seconds, fraction = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + float(fraction or 0)


def duration_seconds(value: str) -> float:
    """A SCORM 2004 time interval (ISO 8601, e.g. PT1H2M3.5S) in seconds."""
    match = DURATION_2004.match(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        raise CmiError(f"cmi.session_time: {value!r} is not an ISO 8601 duration such as PT1M30S")
    years, months, days, hours, minutes, seconds = match.groups()
    # The standard leaves a year and a month vague; these are the lengths scorm-again uses.
    return (
        int(years or 0) * 365 * 86400
        + int(months or 0) * 30 * 86400
        + int(days or 0) * 86400
        + int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + float(seconds or 0)
    )


def format_timespan(seconds: float) -> str:
    """Seconds as a SCORM 1.2 CMITimespan (hours capped at 9999)."""
    whole = min(int(seconds), 9999 * 3600 + 59 * 60 + 59)
    hundredths = int(round((seconds - int(seconds)) * 100)) % 100 if whole == int(seconds) else 0
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:04d}:{minutes:02d}:{secs:02d}.{hundredths:02d}"


def format_duration(seconds: float) -> str:
    """Seconds as a SCORM 2004 time interval."""
    whole = int(seconds)
    hundredths = int(round((seconds - whole) * 100)) % 100
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}.{hundredths:02d}S"


def _parse_12(data: dict[str, Any]) -> CmiUpdate:
    values: dict[str, Any] = {}
    if (v := data.get("cmi.core.lesson_status")) not in (None, ""):
        status = _vocabulary(
            "cmi.core.lesson_status", _string("cmi.core.lesson_status", v), LESSON_STATUS_12
        )
        values["completion_status"] = status
    if (v := data.get("cmi.core.score.raw")) not in (None, ""):
        raw = _string("cmi.core.score.raw", v)
        values["score_raw"] = _decimal("cmi.core.score.raw", raw, low=0, high=100)
    if (v := data.get("cmi.core.lesson_location")) is not None:
        location = _string("cmi.core.lesson_location", v)
        values["location"] = _limited("cmi.core.lesson_location", location, LOCATION_MAX[SCORM_12])
    if (v := data.get("cmi.suspend_data")) is not None:
        text = _string("cmi.suspend_data", v)
        values["suspend_data"] = _limited("cmi.suspend_data", text, SUSPEND_DATA_MAX[SCORM_12])
    if (v := data.get("cmi.core.session_time")) not in (None, ""):
        values["session_seconds"] = timespan_seconds(_string("cmi.core.session_time", v))
    if (v := data.get("cmi.core.exit")) is not None:
        values["exit"] = _vocabulary("cmi.core.exit", _string("cmi.core.exit", v), EXIT_12)
    return CmiUpdate(**values)


def _parse_2004(data: dict[str, Any]) -> CmiUpdate:
    values: dict[str, Any] = {}
    if (v := data.get("cmi.completion_status")) not in (None, ""):
        status = _string("cmi.completion_status", v)
        values["completion_status"] = _vocabulary("cmi.completion_status", status, COMPLETION_2004)
    if (v := data.get("cmi.success_status")) not in (None, ""):
        status = _string("cmi.success_status", v)
        values["success_status"] = _vocabulary("cmi.success_status", status, SUCCESS_2004)
    if (v := data.get("cmi.score.scaled")) not in (None, ""):
        scaled = _string("cmi.score.scaled", v)
        values["score_scaled"] = _decimal("cmi.score.scaled", scaled, low=-1, high=1)
    if (v := data.get("cmi.score.raw")) not in (None, ""):
        values["score_raw"] = _decimal(
            "cmi.score.raw", _string("cmi.score.raw", v), low=None, high=None
        )
    if (v := data.get("cmi.location")) is not None:
        location = _string("cmi.location", v)
        values["location"] = _limited("cmi.location", location, LOCATION_MAX[SCORM_2004])
    if (v := data.get("cmi.suspend_data")) is not None:
        text = _string("cmi.suspend_data", v)
        values["suspend_data"] = _limited("cmi.suspend_data", text, SUSPEND_DATA_MAX[SCORM_2004])
    if (v := data.get("cmi.session_time")) not in (None, ""):
        values["session_seconds"] = duration_seconds(_string("cmi.session_time", v))
    if (v := data.get("cmi.exit")) is not None:
        values["exit"] = _vocabulary("cmi.exit", _string("cmi.exit", v), EXIT_2004)
    return CmiUpdate(**values)


def parse_commit(version: str, data: Any) -> CmiUpdate:
    """A flattened commit (`{"cmi.core.lesson_status": "passed", ...}`) checked for `version`."""
    if not isinstance(data, dict):
        raise CmiError("the commit is not a JSON object of CMI elements")
    update = _parse_12(data) if version == SCORM_12 else _parse_2004(data)
    if update.session_seconds is not None and not math.isfinite(update.session_seconds):
        raise CmiError("session_time is not a finite duration")
    return update


def outcome(version: str, *, completion_status: str | None, success_status: str | None) -> Outcome:
    """Whether the SCO is done: 1.2 passed or completed; 2004 completed and not failed."""
    if version == SCORM_12:
        return Outcome(
            completed=completion_status in ("passed", "completed"),
            passed=True
            if completion_status == "passed"
            else False
            if completion_status == "failed"
            else None,
        )
    passed = {"passed": True, "failed": False}.get(success_status or "")
    return Outcome(
        completed=completion_status == "completed" and passed is not False, passed=passed
    )


def score_percent(*, score_raw: float | None, score_scaled: float | None) -> int | None:
    """The score shown to people: 2004's scaled score as a percentage, else the raw score."""
    if score_scaled is not None:
        return round(score_scaled * 100)
    if score_raw is not None:
        return round(score_raw)
    return None


@dataclass(frozen=True)
class Stored:
    """What the server holds for one attempt, as the runtime needs it to resume."""

    learner_id: str
    learner_name: str
    completion_status: str | None = None
    success_status: str | None = None
    score_raw: float | None = None
    score_scaled: float | None = None
    location: str | None = None
    suspend_data: str | None = None
    total_seconds: float = 0.0
    exit: str | None = None
    resumed: bool = False  # an earlier launch of this attempt exists


def _number(value: float) -> str:
    return f"{value:g}"


def initial_state(version: str, stored: Stored) -> dict[str, str]:
    """The flattened CMI data the runtime starts from (`loadFromFlattenedJSON`)."""
    entry = "resume" if stored.exit == "suspend" else ("" if stored.resumed else "ab-initio")
    if version == SCORM_12:
        state: dict[str, str | None] = {
            "cmi.core.student_id": stored.learner_id,
            "cmi.core.student_name": stored.learner_name,
            "cmi.core.entry": entry,
            "cmi.core.total_time": format_timespan(stored.total_seconds),
            "cmi.core.lesson_status": stored.completion_status,
            "cmi.core.lesson_location": stored.location,
            "cmi.core.score.raw": _number(stored.score_raw)
            if stored.score_raw is not None
            else None,
            "cmi.suspend_data": stored.suspend_data,
        }
    else:
        state = {
            "cmi.learner_id": stored.learner_id,
            "cmi.learner_name": stored.learner_name,
            "cmi.entry": entry,
            "cmi.total_time": format_duration(stored.total_seconds),
            "cmi.completion_status": stored.completion_status,
            "cmi.success_status": stored.success_status,
            "cmi.location": stored.location,
            "cmi.score.raw": _number(stored.score_raw) if stored.score_raw is not None else None,
            "cmi.score.scaled": _number(stored.score_scaled)
            if stored.score_scaled is not None
            else None,
            "cmi.suspend_data": stored.suspend_data,
        }
    return {key: value for key, value in state.items() if value is not None and value != ""}
