"""The grading module: exact set match, exact pass arithmetic, answer-sheet rules."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.training.assessment.grading import (
    Answer,
    AnswerError,
    QuestionKey,
    grade,
    has_passed,
    required_score,
    score_percent,
)

OPTION_IDS = ["a", "b", "c", "d", "e"]


def key(qid: str, *correct: str) -> QuestionKey:
    return QuestionKey(qid, frozenset(correct))


def answer(qid: str, *selected: str) -> Answer:
    return Answer(qid, tuple(selected))


class TestPassArithmetic:
    def test_four_of_five_at_eighty_percent_passes(self) -> None:
        # 4/5 == 0.8 exactly; in floats 4/5 >= 0.8 happens to hold, but 0.1*3 style
        # sums do not, so the module must never use floats.
        assert has_passed(4, 5, Decimal("0.80"))
        assert score_percent(4, 5) == 80

    def test_just_below_fails(self) -> None:
        assert not has_passed(3, 5, Decimal("0.80"))
        assert not has_passed(79, 100, Decimal("0.80"))
        assert has_passed(80, 100, Decimal("0.80"))

    def test_float_trap_thresholds(self) -> None:
        # 0.7 is 0.6999... as a float and 7/10 * 100 is 70.00000000000001.
        assert has_passed(7, 10, Decimal("0.70"))
        assert required_score(Decimal("0.70")) == 70
        assert has_passed(29, 100, Decimal("0.29"))
        assert required_score(Decimal("0.29")) == 29
        assert required_score(Decimal("0.57")) == 57

    def test_score_rounds_down(self) -> None:
        assert score_percent(2, 3) == 66
        assert score_percent(1, 3) == 33

    @given(
        correct=st.integers(min_value=0, max_value=300),
        extra=st.integers(min_value=0, max_value=300),
        percent=st.integers(min_value=1, max_value=100),
    )
    def test_pass_matches_integer_percentages(self, correct: int, extra: int, percent: int) -> None:
        total = correct + extra
        if total == 0:
            return
        threshold = Decimal(percent) / 100
        passed = has_passed(correct, total, threshold)
        assert passed == (correct * 100 >= percent * total)
        # The shown score and the pass decision never disagree.
        assert passed == (score_percent(correct, total) >= required_score(threshold))

    def test_threshold_that_is_not_a_whole_percentage_is_refused(self) -> None:
        with pytest.raises(ValueError):
            required_score(Decimal("0.805"))


class TestGrade:
    def test_exact_set_match(self) -> None:
        questions = [key("q1", "a", "b"), key("q2", "c")]
        result = grade(questions, [answer("q1", "b", "a"), answer("q2", "c")], Decimal("0.80"))
        assert result.correct_count == 2 and result.passed and result.score == 100

    def test_subset_and_superset_are_wrong(self) -> None:
        questions = [key("q1", "a", "b"), key("q2", "a", "b")]
        result = grade(questions, [answer("q1", "a"), answer("q2", "a", "b", "c")], Decimal("0.5"))
        assert result.correct_count == 0
        assert [g.correct for g in result.questions] == [False, False]

    def test_unanswered_is_wrong(self) -> None:
        questions = [key("q1", "a"), key("q2", "a")]
        result = grade(questions, [answer("q1", "a")], Decimal("0.5"))
        assert result.correct_count == 1 and result.total_questions == 2
        assert result.passed
        assert result.questions[1].correct is False and result.questions[1].selected == ()

    def test_empty_selection_is_wrong(self) -> None:
        result = grade([key("q1", "a")], [answer("q1")], Decimal("0.5"))
        assert result.correct_count == 0

    def test_repeated_option_in_one_answer_counts_as_the_set(self) -> None:
        result = grade([key("q1", "a")], [answer("q1", "a", "a")], Decimal("1"))
        assert result.passed and result.questions[0].selected == ("a",)

    def test_duplicate_question_id_is_rejected(self) -> None:
        with pytest.raises(AnswerError) as info:
            grade([key("q1", "a"), key("q2", "b")], [answer("q1", "a"), answer("q1", "a")], 1)
        assert info.value.field == "answers.1.questionId"

    def test_unknown_question_id_is_rejected(self) -> None:
        with pytest.raises(AnswerError) as info:
            grade([key("q1", "a")], [answer("q1", "a"), answer("zz", "a")], Decimal("0.8"))
        assert info.value.field == "answers.1.questionId"


question_keys = st.lists(
    st.frozensets(st.sampled_from(OPTION_IDS), min_size=1, max_size=5),
    min_size=1,
    max_size=12,
).map(lambda sets: [QuestionKey(f"q{i}", s) for i, s in enumerate(sets)])


class TestGradeProperties:
    @given(questions=question_keys, data=st.data())
    def test_correct_count_is_the_number_of_exact_matches(
        self, questions: list[QuestionKey], data: st.DataObject
    ) -> None:
        chosen = data.draw(
            st.lists(st.booleans(), min_size=len(questions), max_size=len(questions))
        )
        answers = []
        expected = 0
        for question, answered in zip(questions, chosen, strict=True):
            if not answered:
                continue
            selection = data.draw(st.lists(st.sampled_from(OPTION_IDS), max_size=6))
            answers.append(answer(question.id, *selection))
            expected += bool(selection) and frozenset(selection) == question.correct_option_ids
        order = data.draw(st.permutations(answers))
        result = grade(questions, order, Decimal("0.80"))
        assert result.correct_count == expected
        assert result.total_questions == len(questions)
        assert result.passed == (Fraction(expected, len(questions)) >= Fraction(4, 5))

    @given(questions=question_keys, data=st.data())
    def test_a_duplicated_answer_never_counts_twice(
        self, questions: list[QuestionKey], data: st.DataObject
    ) -> None:
        answers = [answer(q.id, *sorted(q.correct_option_ids)) for q in questions]
        duplicate = data.draw(st.sampled_from(answers))
        position = data.draw(st.integers(min_value=0, max_value=len(answers)))
        with pytest.raises(AnswerError):
            grade(questions, [*answers[:position], duplicate, *answers[position:]], Decimal("1"))

    @given(questions=question_keys)
    def test_all_correct_always_passes_and_none_never(self, questions: list[QuestionKey]) -> None:
        full = [answer(q.id, *q.correct_option_ids) for q in questions]
        assert grade(questions, full, Decimal("1")).passed
        assert not grade(questions, [], Decimal("0.01")).passed
