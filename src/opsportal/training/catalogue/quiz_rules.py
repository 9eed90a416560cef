"""The rules a quiz must meet, checked before anything is stored: one correct option for a
single choice, two options for true/false, unique ids, and no more questions per attempt
than the quiz has. Plain values in, errors out; the API and the quiz builder share them."""

from __future__ import annotations

from collections.abc import Sequence

from opsportal.errors import InvalidInput
from opsportal.i18n import N_
from opsportal.models import QuestionType
from opsportal.training.schemas import QuestionIn, QuizPut
from opsportal.web.translatable import Translatable


def question_errors(
    questions: Sequence[QuestionIn], *, indexes: Sequence[int] | None = None
) -> list[dict[str, str]]:
    """Every violation of the quiz rules (one correct option for single choice, two options
    for true/false, unique ids), each `{field, message}` naming its path
    (e.g. `questions.2.correctOptionIds`); `indexes` are the questions' positions in the quiz
    when only some of its questions are checked (the builder page checks those that parsed)."""
    errors: list[dict[str, str]] = []

    def error(field: str, message: str, **values: object) -> None:
        # English for the API; the quiz builder's page shows it translated (`shown`).
        errors.append({"field": field, "message": Translatable(message, **values)})

    seen_questions: set[str] = set()
    for position, question in enumerate(questions):
        at = f"questions.{indexes[position] if indexes is not None else position}"
        if question.id in seen_questions:
            error(f"{at}.id", N_("Question id %(id)s is used twice."), id=repr(question.id))
        seen_questions.add(question.id)
        option_ids: set[str] = set()
        for option_index, option in enumerate(question.options):
            if option.id in option_ids:
                error(
                    f"{at}.options.{option_index}.id",
                    N_("Option id %(option)s is used twice in question %(question)s."),
                    option=repr(option.id),
                    question=repr(question.id),
                )
            option_ids.add(option.id)
        if question.type is QuestionType.TRUE_FALSE and len(question.options) != 2:
            error(f"{at}.options", N_("A TRUE_FALSE question has exactly two options."))
        # One message per question for its answer key: the most basic problem first.
        correct = question.correct_option_ids
        unknown = [c for c in correct if c not in option_ids]
        if len(set(correct)) != len(correct):
            error(f"{at}.correctOptionIds", N_("A correct option id is listed twice."))
        elif unknown:
            error(
                f"{at}.correctOptionIds",
                N_("Correct option ids %(ids)s are not among the question's options."),
                ids=str(unknown),
            )
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            if len(correct) != 1:
                error(
                    f"{at}.correctOptionIds",
                    N_("A MULTIPLE_CHOICE question has exactly one correct option."),
                )
        elif question.type is QuestionType.TRUE_FALSE:
            if len(correct) != 1:
                error(
                    f"{at}.correctOptionIds",
                    N_("A TRUE_FALSE question has exactly one correct option."),
                )
        elif not correct:
            error(
                f"{at}.correctOptionIds",
                N_("A MULTI_SELECT question has at least one correct option."),
            )
    return errors


def validate_questions(questions: Sequence[QuestionIn]) -> None:
    """The spec's quiz rules; a violation is a 422 listing every offending field at once."""
    errors = question_errors(questions)
    if errors:
        raise InvalidInput(
            "; ".join(f"{e['field']}: {e['message']}" for e in errors), extra={"errors": errors}
        )


def validate_quiz_policy(data: QuizPut) -> None:
    if data.questions_per_attempt is not None and data.questions_per_attempt > len(data.questions):
        # The singular keeps the English the API has always sent ("1 questions"); a
        # translation has its own plural forms.
        raise InvalidInput(
            Translatable.ngettext(
                "questionsPerAttempt (%(asked)d) is more than the quiz's %(num)d questions.",
                "questionsPerAttempt (%(asked)d) is more than the quiz's %(num)d questions.",
                len(data.questions),
                asked=data.questions_per_attempt,
            ),
            field="questionsPerAttempt",
        )
