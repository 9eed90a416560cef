"""The quiz policy's decisions as plain values: who may start when, what an attempt draws."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opsportal.models import RevealAnswers
from opsportal.training.assessment import policy
from opsportal.training.assessment.policy import start_refusal
from tests.factories import sample_questions

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class TestStartRefusal:
    def test_no_policy_never_refuses(self) -> None:
        assert (
            start_refusal(policy.Limits(), attempts_started=500, last_attempt_at=NOW, now=NOW)
            is None
        )

    def test_attempts_used_up(self) -> None:
        limits = policy.Limits(max_attempts=3)
        assert start_refusal(limits, attempts_started=2, last_attempt_at=None, now=NOW) is None
        refusal = start_refusal(limits, attempts_started=3, last_attempt_at=None, now=NOW)
        assert refusal is not None and refusal.rule == "maxAttempts"
        assert refusal.retry_after is None  # waiting does not help

    def test_cooldown_says_how_long_to_wait(self) -> None:
        limits = policy.Limits(cooldown_minutes=10)
        last = NOW - timedelta(minutes=4, seconds=30)
        refusal = start_refusal(limits, attempts_started=1, last_attempt_at=last, now=NOW)
        assert refusal is not None and refusal.rule == "cooldownMinutes"
        assert refusal.retry_after == 330
        assert refusal.available_at == last + timedelta(minutes=10)
        later = NOW + timedelta(seconds=330)
        assert start_refusal(limits, attempts_started=1, last_attempt_at=last, now=later) is None

    @given(used=st.integers(0, 50), limit=st.integers(1, 50))
    def test_attempts_left_is_never_negative(self, used: int, limit: int) -> None:
        left = policy.attempts_left(limit, used)
        assert left == max(0, limit - used)
        refused = start_refusal(
            policy.Limits(max_attempts=limit), attempts_started=used, last_attempt_at=None, now=NOW
        )
        assert (refused is None) == (left is not None and left > 0)


class TestTimeLimit:
    def test_grace_of_sixty_seconds(self) -> None:
        deadline = policy.deadline(NOW, 15)
        assert deadline == NOW + timedelta(minutes=15)
        assert not policy.is_late(deadline, deadline + timedelta(seconds=60))
        assert policy.is_late(deadline, deadline + timedelta(seconds=61))
        assert not policy.is_late(None, NOW + timedelta(days=365))


class TestDraw:
    def test_keeps_every_question_and_order_without_policy(self) -> None:
        questions = sample_questions()
        drawn = policy.draw_questions(
            questions, per_attempt=None, shuffle_questions=False, shuffle_options=False,
            rng=random.Random(1),
        )  # fmt: skip
        assert drawn == questions

    @given(seed=st.integers(), per_attempt=st.integers(1, 5))
    def test_a_draw_is_a_subset_with_the_same_options(self, seed: int, per_attempt: int) -> None:
        questions = {q["id"]: q for q in sample_questions()}
        drawn = policy.draw_questions(
            list(questions.values()), per_attempt=per_attempt, shuffle_questions=True,
            shuffle_options=True, rng=random.Random(seed),
        )  # fmt: skip
        assert len(drawn) == per_attempt
        assert len({q["id"] for q in drawn}) == per_attempt
        for question in drawn:
            original = questions[question["id"]]
            assert sorted(o["id"] for o in question["options"]) == sorted(
                o["id"] for o in original["options"]
            )
            assert question["correctOptionIds"] == original["correctOptionIds"]
            if question["type"] == "TRUE_FALSE":
                assert question["options"] == original["options"]

    def test_shuffling_changes_the_order_sometimes(self) -> None:
        orders = {
            tuple(
                q["id"]
                for q in policy.draw_questions(
                    sample_questions(),
                    per_attempt=None,
                    shuffle_questions=True,
                    shuffle_options=False,
                    rng=random.Random(seed),
                )  # fmt: skip
            )
            for seed in range(20)
        }
        assert len(orders) > 1

    def test_the_quiz_is_not_changed(self) -> None:
        questions = sample_questions()
        policy.draw_questions(
            questions, per_attempt=2, shuffle_questions=True, shuffle_options=True,
            rng=random.Random(3),
        )  # fmt: skip
        assert questions == sample_questions()


class TestReveal:
    def test_rules(self) -> None:
        assert policy.answers_revealed(RevealAnswers.ALWAYS, has_passed=False)
        assert not policy.answers_revealed(RevealAnswers.AFTER_PASS, has_passed=False)
        assert policy.answers_revealed(RevealAnswers.AFTER_PASS, has_passed=True)
        assert not policy.answers_revealed(RevealAnswers.NEVER, has_passed=True)
