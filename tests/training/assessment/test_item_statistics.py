"""Item statistics as plain values: share correct, Kelley's 27 % groups, flags."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from opsportal.training.assessment.statistics import (
    MIN_ATTEMPTS_TO_JUDGE,
    AttemptRecord,
    Flag,
    Response,
    group_size,
    item_statistics,
)


def record(attempt_id: int, answers: dict[str, tuple[bool, tuple[str, ...]]]) -> AttemptRecord:
    correct = sum(1 for ok, _ in answers.values() if ok)
    return AttemptRecord(
        attempt_id=attempt_id,
        score=Fraction(correct, len(answers)),
        responses={q: Response(ok, sel) for q, (ok, sel) in answers.items()},
    )


class TestGroups:
    def test_sizes(self) -> None:
        assert [group_size(n) for n in (0, 1, 2, 3, 4, 10, 100)] == [0, 0, 1, 1, 1, 3, 27]

    @given(n=st.integers(2, 10_000))
    def test_groups_never_overlap(self, n: int) -> None:
        assert 1 <= group_size(n) <= n // 2


class TestItemStatistics:
    def test_hand_worked_example(self) -> None:
        # Four learners; q1 is answered right by the two best and wrong by the two weakest,
        # q2 the other way round (a misleading question), q3 right by everybody.
        right, wrong = (True, ("a",)), (False, ("b",))
        records = [
            record(1, {"q1": right, "q2": (False, ("x",)), "q3": (True, ("t",)), "q4": right}),
            record(2, {"q1": right, "q2": (False, ("x",)), "q3": (True, ("t",)), "q4": right}),
            record(3, {"q1": wrong, "q2": (True, ("y",)), "q3": (True, ("t",)), "q4": wrong}),
            record(4, {"q1": (False, ()), "q2": (True, ("y",)), "q3": (True, ("t",)), "q4": wrong}),
        ]
        items = item_statistics(
            ["q1", "q2", "q3", "q5"],
            {"q1": ["a", "b", "c"], "q2": ["x", "y"], "q3": ["t", "f"], "q5": ["a"]},
            records,
        )
        q1, q2, q3, q5 = items
        assert q1.attempts == 4 and q1.correct_rate == Fraction(1, 2)
        assert q1.discrimination == 1  # upper group (attempt 1 or 2) right, lower wrong
        assert q1.option_counts == {"a": 2, "b": 1, "c": 0}
        assert q1.flags == ()
        assert q2.discrimination == -1
        assert q2.flags == (Flag.NEGATIVE_DISCRIMINATION,)
        assert q3.correct_rate == 1 and q3.flags == (Flag.EVERYBODY_CORRECT,)
        assert q3.discrimination == 0
        assert q5.attempts == 0 and q5.correct_rate is None and q5.discrimination is None
        assert q5.flags == ()

    def test_nobody_correct(self) -> None:
        records = [record(i, {"q1": (False, ("b",)), "q2": (True, ("a",))}) for i in range(3)]
        (q1,) = item_statistics(["q1"], {"q1": ["a", "b"]}, records)
        assert q1.flags == (Flag.NOBODY_CORRECT,)

    def test_one_attempt_has_no_discrimination(self) -> None:
        (q1,) = item_statistics(["q1"], {"q1": ["a"]}, [record(1, {"q1": (True, ("a",))})])
        assert q1.correct_rate == 1 and q1.discrimination is None

    def test_option_chosen_that_the_quiz_no_longer_has_is_counted(self) -> None:
        (q1,) = item_statistics(["q1"], {"q1": ["a"]}, [record(1, {"q1": (False, ("z",))})])
        assert q1.option_counts == {"a": 0, "z": 1}

    @given(
        outcomes=st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=60)
    )
    def test_bounds(self, outcomes: list[list[bool]]) -> None:
        records = [
            record(i, {f"q{j}": (ok, ("a",) if ok else ("b",)) for j, ok in enumerate(row)})
            for i, row in enumerate(outcomes)
        ]
        for item in item_statistics(["q0", "q1", "q2"], {}, records):
            assert item.attempts == len(records)
            assert item.correct_rate is not None and 0 <= item.correct_rate <= 1
            assert sum(item.option_counts.values()) == len(records)
            if item.discrimination is not None:
                assert -1 <= item.discrimination <= 1
            assert (Flag.EVERYBODY_CORRECT in item.flags) == (item.correct_rate == 1)
            assert (Flag.NOBODY_CORRECT in item.flags) == (item.correct_rate == 0)


class TestSampleCaution:
    def test_too_few_attempts_below_thirty(self) -> None:
        def stats(n: int) -> bool:
            records = [record(i, {"q1": (i % 2 == 0, ("a",))}) for i in range(n)]
            (item,) = item_statistics(["q1"], {"q1": ["a", "b"]}, records)
            return item.too_few_attempts

        assert MIN_ATTEMPTS_TO_JUDGE == 30
        assert [stats(n) for n in (0, 2, 29, 30, 31)] == [True, True, True, False, False]

    def test_counts_the_attempts_that_showed_the_question(self) -> None:
        # 40 attempts, only 10 of which drew q2: q1 can be judged, q2 not yet.
        records = [
            record(i, {"q1": (True, ("a",)), **({"q2": (False, ("b",))} if i < 10 else {})})
            for i in range(40)
        ]
        q1, q2 = item_statistics(["q1", "q2"], {"q1": ["a"], "q2": ["a", "b"]}, records)
        assert (q1.attempts, q1.too_few_attempts) == (40, False)
        assert (q2.attempts, q2.too_few_attempts) == (10, True)
