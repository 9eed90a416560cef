"""Quiz policy: answer reveal, attempt limits, time limits and the questions an attempt draws.

The decisions are plain values in, plain values out (the time and the random
generator are passed in), so they are tested without a database or a clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

# A submit this long after the time limit still counts: the page's countdown and
# the network are not exact, and a learner should not lose an attempt to latency.
GRACE = timedelta(seconds=60)


# --- storing the policy --------------------------------------------------------


# --- starting an attempt -------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_attempts: int | None = None
    cooldown_minutes: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a start is refused: `rule` names the policy field; `retry_after` is in seconds."""

    rule: str
    message: str
    retry_after: int | None = None
    available_at: datetime | None = None


def start_refusal(
    limits: Limits, *, attempts_started: int, last_attempt_at: datetime | None, now: datetime
) -> Refusal | None:
    """None when a new attempt may start now; otherwise the rule that forbids it.

    Every started attempt counts, submitted or not, so abandoning an attempt
    (or opening the quiz in several tabs) never yields extra tries. The cooldown
    runs from the end of the previous attempt (its submission, or its start if
    it was never submitted).
    """
    if limits.max_attempts is not None and attempts_started >= limits.max_attempts:
        return Refusal(
            rule="maxAttempts",
            message=f"All {limits.max_attempts} attempts at this quiz have been used.",
        )
    if limits.cooldown_minutes is not None and last_attempt_at is not None:
        available_at = last_attempt_at + timedelta(minutes=limits.cooldown_minutes)
        if now < available_at:
            wait = math.ceil((available_at - now).total_seconds())
            return Refusal(
                rule="cooldownMinutes",
                message=(
                    f"The next attempt may start {limits.cooldown_minutes} minutes after the "
                    f"last one; try again in {wait} seconds."
                ),
                retry_after=wait,
                available_at=available_at,
            )
    return None


def attempts_left(max_attempts: int | None, attempts_started: int) -> int | None:
    return None if max_attempts is None else max(0, max_attempts - attempts_started)


def deadline(
    started_at: datetime, time_limit_minutes: int | None, extra_minutes: int = 0
) -> datetime | None:
    if time_limit_minutes is None:
        return None
    return started_at + timedelta(minutes=time_limit_minutes + extra_minutes)


# --- extra time (WCAG 2.2.1 Timing Adjustable) -------------------------------------

# WCAG 2.2.1 asks that a limit can be adjusted to at least ten times its default.
MAX_MULTIPLIER = Decimal(10)
MIN_MULTIPLIER = Decimal("1.1")
MAX_EXTRA_MINUTES = 24 * 60


@dataclass(frozen=True)
class ExtraTime:
    """A learner's grant: a multiplier of the time limit, or a number of extra minutes."""

    multiplier: Decimal | None = None
    extra_minutes: int | None = None


def extra_minutes(time_limit_minutes: int | None, grant: ExtraTime | None) -> int:
    """The minutes a grant adds to a quiz's limit; a multiplier rounds up to whole minutes."""
    if time_limit_minutes is None or grant is None:
        return 0
    if grant.multiplier is not None:
        added = Decimal(time_limit_minutes) * (grant.multiplier - 1)
        return max(0, math.ceil(added))
    return max(0, grant.extra_minutes or 0)


def applicable_grant(
    grants: Sequence[tuple[int | None, ExtraTime]], track_id: int
) -> ExtraTime | None:
    """The grant for this track: the track's own wins over the one for every track."""
    by_scope = dict(grants)
    return by_scope.get(track_id) or by_scope.get(None)


def is_late(deadline_at: datetime | None, submitted_at: datetime) -> bool:
    return deadline_at is not None and submitted_at > deadline_at + GRACE


def draw_questions(
    questions: Sequence[dict[str, Any]],
    *,
    per_attempt: int | None,
    shuffle_questions: bool,
    shuffle_options: bool,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """The questions an attempt shows, in the order shown, each with its options in order.

    A drawn subset keeps the quiz's order unless questions are shuffled, so an
    author's sequence (easy to hard, say) survives drawing.
    """
    indexes = list(range(len(questions)))
    if per_attempt is not None and per_attempt < len(indexes):
        indexes = sorted(rng.sample(indexes, per_attempt))
    if shuffle_questions:
        rng.shuffle(indexes)
    drawn = []
    for index in indexes:
        question = dict(questions[index])
        options = list(question["options"])
        # TRUE_FALSE keeps "True, False": shuffling two options only confuses.
        if shuffle_options and question.get("type") != "TRUE_FALSE":
            rng.shuffle(options)
        question["options"] = options
        drawn.append(question)
    return drawn


# --- revealing answers ----------------------------------------------------------


def answers_revealed(reveal: str, *, has_passed: bool) -> bool:
    """Whether this learner may now see correct options and explanations.

    `reveal` is the quiz's `RevealAnswers` (a str enum), taken by value so that
    this module needs no model.
    """
    if reveal == "ALWAYS":
        return True
    if reveal == "AFTER_PASS":
        return has_passed
    return False
