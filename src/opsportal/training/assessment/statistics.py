"""Item statistics for a quiz: plain values in, plain values out, no database.

For every question: how many graded attempts showed it, the share that got it
right, how often each option was chosen, and its discrimination index — the
share correct among the top 27 % of attempts by score minus the share among
the bottom 27 % (Kelley's groups). A question that strong learners get wrong
more often than weak ones (negative discrimination) is usually misleading or
has a wrong key; one that nobody or everybody gets right tells nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

GROUP_SHARE = Fraction(27, 100)
# Below this many attempts of a question its share correct and discrimination swing
# with every new attempt (two attempts give a discrimination of +1.00 or -1.00 at
# once): the usual rule of thumb for classical item analysis is at least 30.
MIN_ATTEMPTS_TO_JUDGE = 30


class Flag(enum.StrEnum):
    NOBODY_CORRECT = "NOBODY_CORRECT"
    EVERYBODY_CORRECT = "EVERYBODY_CORRECT"
    NEGATIVE_DISCRIMINATION = "NEGATIVE_DISCRIMINATION"


@dataclass(frozen=True)
class Response:
    """One question as answered in one attempt."""

    correct: bool
    selected: tuple[str, ...]


@dataclass(frozen=True)
class AttemptRecord:
    """One graded attempt: its score (a fraction of questions right) and its responses."""

    attempt_id: int
    score: Fraction
    responses: Mapping[str, Response]


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    attempts: int
    correct_rate: Fraction | None
    discrimination: Fraction | None
    option_counts: dict[str, int] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()

    @property
    def too_few_attempts(self) -> bool:
        """Too few attempts to judge the question by these figures yet."""
        return too_few_to_judge(self.attempts)


def too_few_to_judge(attempts: int) -> bool:
    return attempts < MIN_ATTEMPTS_TO_JUDGE


def group_size(attempts: int) -> int:
    """27 % of the attempts, rounded half up, at least one; none below two attempts."""
    if attempts < 2:
        return 0
    return max(1, int(GROUP_SHARE * attempts + Fraction(1, 2)))


def _share_correct(records: Sequence[AttemptRecord], question_id: str) -> Fraction | None:
    seen = [r.responses[question_id] for r in records if question_id in r.responses]
    if not seen:
        return None
    return Fraction(sum(1 for s in seen if s.correct), len(seen))


def item_statistics(
    question_ids: Sequence[str],
    option_ids: Mapping[str, Sequence[str]],
    records: Sequence[AttemptRecord],
) -> list[ItemStatistics]:
    """Statistics per question, in the order given.

    Groups are formed over all attempts by score (ties broken by attempt id, so
    the result is deterministic); a question's share in a group counts only the
    group's attempts that showed it (attempts may draw a subset of questions).
    """
    ranked = sorted(records, key=lambda r: (r.score, r.attempt_id))
    size = group_size(len(ranked))
    lower = ranked[:size]
    upper = ranked[len(ranked) - size :] if size else []
    results = []
    for question_id in question_ids:
        responses = [r.responses[question_id] for r in records if question_id in r.responses]
        counts = dict.fromkeys(option_ids.get(question_id, ()), 0)
        for response in responses:
            for option in response.selected:
                counts[option] = counts.get(option, 0) + 1
        correct_rate = (
            Fraction(sum(1 for r in responses if r.correct), len(responses)) if responses else None
        )
        high, low = _share_correct(upper, question_id), _share_correct(lower, question_id)
        discrimination = high - low if high is not None and low is not None else None
        flags = []
        if correct_rate == 0:
            flags.append(Flag.NOBODY_CORRECT)
        if correct_rate == 1:
            flags.append(Flag.EVERYBODY_CORRECT)
        if discrimination is not None and discrimination < 0:
            flags.append(Flag.NEGATIVE_DISCRIMINATION)
        results.append(
            ItemStatistics(
                question_id=question_id,
                attempts=len(responses),
                correct_rate=correct_rate,
                discrimination=discrimination,
                option_counts=counts,
                flags=tuple(flags),
            )
        )
    return results
