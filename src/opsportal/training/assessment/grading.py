"""Quiz grading: plain values in, plain values out, no database.

A question is right when the selected option set equals the correct set
exactly; an unanswered question is wrong. The pass decision is exact rational
arithmetic (4 of 5 at 0.8 passes), never a float comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


class AnswerError(ValueError):
    """An answer sheet that cannot be graded; `field` names the offending entry."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QuestionKey:
    id: str
    correct_option_ids: frozenset[str]


@dataclass(frozen=True)
class Answer:
    question_id: str
    selected_option_ids: tuple[str, ...]


@dataclass(frozen=True)
class QuestionGrade:
    question_id: str
    correct: bool
    selected: tuple[str, ...]


@dataclass(frozen=True)
class Grade:
    correct_count: int
    total_questions: int
    score: int
    required_score: int
    passed: bool
    questions: tuple[QuestionGrade, ...]


def required_score(pass_threshold: Decimal | Fraction) -> int:
    """The threshold as a whole percentage; thresholds are whole percentages by construction."""
    percent = Fraction(pass_threshold) * 100
    if percent.denominator != 1:
        raise ValueError(f"pass threshold {pass_threshold} is not a whole percentage")
    return int(percent)


def score_percent(correct: int, total: int) -> int:
    """Integer percentage, rounded down, so a score never shows a pass that is not one."""
    if total <= 0:
        raise ValueError("a quiz has at least one question")
    return (correct * 100) // total


def has_passed(correct: int, total: int, pass_threshold: Decimal | Fraction) -> bool:
    if total <= 0:
        raise ValueError("a quiz has at least one question")
    return Fraction(correct, total) >= Fraction(pass_threshold)


def index_answers(
    answers: Iterable[Answer], question_ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Answers by question id; a repeated or unknown question id is an error, never counted."""
    known = set(question_ids)
    by_question: dict[str, tuple[str, ...]] = {}
    for position, answer in enumerate(answers):
        field = f"answers.{position}.questionId"
        if answer.question_id not in known:
            raise AnswerError(f"Unknown question id {answer.question_id!r}.", field=field)
        if answer.question_id in by_question:
            raise AnswerError(f"Question {answer.question_id!r} is answered twice.", field=field)
        by_question[answer.question_id] = answer.selected_option_ids
    return by_question


def grade(
    questions: Sequence[QuestionKey],
    answers: Iterable[Answer],
    pass_threshold: Decimal | Fraction,
) -> Grade:
    by_question = index_answers(answers, (q.id for q in questions))
    graded: list[QuestionGrade] = []
    for question in questions:
        selected = by_question.get(question.id, ())
        chosen = frozenset(selected)
        # An empty selection is unanswered, and unanswered is wrong, even for a
        # (malformed) question with no correct option.
        correct = bool(chosen) and chosen == question.correct_option_ids
        graded.append(QuestionGrade(question.id, correct, tuple(dict.fromkeys(selected))))
    total = len(questions)
    correct_count = sum(1 for g in graded if g.correct)
    return Grade(
        correct_count=correct_count,
        total_questions=total,
        score=score_percent(correct_count, total),
        required_score=required_score(pass_threshold),
        passed=has_passed(correct_count, total, pass_threshold),
        questions=tuple(graded),
    )


@dataclass(frozen=True)
class QuestionChoices:
    """What may be selected for a question: its option ids, and whether only one of them."""

    id: str
    option_ids: frozenset[str]
    single: bool


def check_selections(questions: Sequence[QuestionChoices], answers: Sequence[Answer]) -> None:
    """Refuse a sheet naming a question or option the attempt does not show, an option
    twice, or several options where one is allowed; an empty selection is fine."""
    by_question = index_answers(answers, (q.id for q in questions))
    positions = {a.question_id: i for i, a in enumerate(answers)}
    for question in questions:
        selected = by_question.get(question.id, ())
        field = f"answers.{positions.get(question.id)}.selectedOptionIds"
        unknown = [o for o in selected if o not in question.option_ids]
        if unknown:
            raise AnswerError(
                f"Question {question.id!r} has no option {unknown[0]!r}.", field=field
            )
        if len(set(selected)) != len(selected):
            raise AnswerError(f"An option of question {question.id!r} is repeated.", field=field)
        if question.single and len(selected) > 1:
            raise AnswerError(f"Question {question.id!r} takes one option.", field=field)
