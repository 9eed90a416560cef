"""The pure rules of extra time and of checking a draft sheet, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.training.assessment import grading, policy
from opsportal.training.assessment.policy import ExtraTime

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class TestExtraMinutes:
    @pytest.mark.parametrize(
        ("limit", "grant", "expected"),
        [
            (10, None, 0),
            (None, ExtraTime(extra_minutes=15), 0),
            (10, ExtraTime(extra_minutes=15), 15),
            (10, ExtraTime(multiplier=Decimal("1.5")), 5),
            (10, ExtraTime(multiplier=Decimal("1.25")), 3),  # 2.5 minutes: rounded up
            (30, ExtraTime(multiplier=Decimal("10")), 270),
        ],
    )
    def test_examples(self, limit: int | None, grant: ExtraTime | None, expected: int) -> None:
        assert policy.extra_minutes(limit, grant) == expected

    @given(
        limit=st.integers(min_value=1, max_value=600),
        hundredths=st.integers(min_value=110, max_value=1000),
    )
    def test_a_multiplier_never_gives_less_than_asked(self, limit: int, hundredths: int) -> None:
        multiplier = Decimal(hundredths) / 100
        total = limit + policy.extra_minutes(limit, ExtraTime(multiplier=multiplier))
        assert total >= limit * multiplier > total - 1

    def test_the_deadline_includes_them(self) -> None:
        assert policy.deadline(START, 10, 15) == datetime(2026, 12, 5, 9, 25, tzinfo=UTC)
        assert policy.deadline(START, None, 15) is None

    def test_a_tracks_grant_wins_over_the_general_one(self) -> None:
        general, special = ExtraTime(extra_minutes=15), ExtraTime(extra_minutes=40)
        grants = [(None, general), (7, special)]
        assert policy.applicable_grant(grants, 7) is special
        assert policy.applicable_grant(grants, 8) is general
        assert policy.applicable_grant([(7, special)], 8) is None


QUESTIONS = [
    grading.QuestionChoices("q1", frozenset({"a", "b"}), single=True),
    grading.QuestionChoices("q2", frozenset({"a", "b", "c"}), single=False),
]


class TestCheckSelections:
    def test_a_partial_sheet_is_fine(self) -> None:
        grading.check_selections(QUESTIONS, [grading.Answer("q2", ("a", "c"))])
        grading.check_selections(QUESTIONS, [grading.Answer("q1", ())])

    @pytest.mark.parametrize(
        ("answers", "field"),
        [
            ([grading.Answer("q9", ("a",))], "answers.0.questionId"),
            ([grading.Answer("q1", ("z",))], "answers.0.selectedOptionIds"),
            (
                [grading.Answer("q2", ()), grading.Answer("q1", ("a", "b"))],
                "answers.1.selectedOptionIds",
            ),
            ([grading.Answer("q2", ("a", "a"))], "answers.0.selectedOptionIds"),
        ],
    )
    def test_refusals_name_the_entry(self, answers: list[grading.Answer], field: str) -> None:
        with pytest.raises(grading.AnswerError) as refused:
            grading.check_selections(QUESTIONS, answers)
        assert refused.value.field == field
