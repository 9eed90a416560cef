"""The quiz builder's form: rows of questions and options, their row buttons, and every
validation error at its field.

Inputs are named by the API's paths (`questions.2.options.1.text`), so an error from
pydantic, from the quiz rules or from the policy check lands at the input it is about.
Question and option ids are kept in hidden inputs: an author never types them, and a
quiz saved again keeps them (statistics and started attempts refer to them). Messages and
field names are in the author's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.models import QuestionType, Quiz
from opsportal.models.training import DEFAULT_PASS_THRESHOLD
from opsportal.training.admin.forms import FieldErrors, add_validation_errors, checked, text
from opsportal.training.catalogue.quiz_rules import question_errors
from opsportal.training.schemas import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OptionIn,
    QuestionIn,
    QuizPolicy,
    QuizPut,
)
from opsportal.web.i18n import N_, _, pgettext
from opsportal.web.translatable import shown

OPTION_IDS = "abcdefghijklmnopqrst"
assert len(OPTION_IDS) >= MAX_OPTIONS
POLICY_NUMBERS = ("maxAttempts", "cooldownMinutes", "timeLimitMinutes", "questionsPerAttempt")
POLICY_SWITCHES = ("shuffleQuestions", "shuffleOptions")


def true_false_texts() -> tuple[str, str]:
    """A true/false question's options, filled in for the author (here and in quiz-builder.js),
    in the author's language: they become the quiz's own option texts."""
    return pgettext("answer option", "True"), pgettext("answer option", "False")


@dataclass
class OptionRow:
    id: str
    text: str = ""
    correct: bool = False


@dataclass
class QuestionRow:
    id: str
    question: str = ""
    type: str = QuestionType.MULTIPLE_CHOICE.value
    explanation: str = ""
    options: list[OptionRow] = field(default_factory=list)


@dataclass
class QuizForm:
    title: str = ""
    pass_mark: str = str(int(DEFAULT_PASS_THRESHOLD * 100))
    policy: dict[str, Any] = field(default_factory=dict)
    questions: list[QuestionRow] = field(default_factory=list)
    # The id of the field a row action leaves the author in (rendered with autofocus, so
    # the page without script comes back where the author was, not at its top).
    focus: str | None = None

    # --- rows ---

    def add_question(self) -> None:
        if len(self.questions) >= MAX_QUESTIONS:
            return
        used = {q.id for q in self.questions}
        number = next(n for n in range(1, MAX_QUESTIONS + 2) if f"q{n}" not in used)
        row = QuestionRow(id=f"q{number}")
        row.options = [OptionRow(id=OPTION_IDS[0]), OptionRow(id=OPTION_IDS[1])]
        self.questions.append(row)

    def add_option(self, index: int) -> None:
        question = self.questions[index]
        used = {o.id for o in question.options}
        free = [c for c in OPTION_IDS if c not in used]
        if free and len(question.options) < MAX_OPTIONS:
            question.options.append(OptionRow(id=free[0]))

    def apply(self, action: str) -> bool:
        """Do a row button's action; False when `action` is no row action (a save)."""
        if action == "add-question":
            before = len(self.questions)
            self.add_question()
            added = len(self.questions) > before
            self.focus = f"questions-{before}-question" if added else "add-question"
            return True
        if match := re.fullmatch(r"remove-question-(\d{1,3})", action):
            index = int(match.group(1))
            if index < len(self.questions):
                del self.questions[index]
            left = len(self.questions)
            self.focus = f"questions-{min(index, left - 1)}-question" if left else "add-question"
            return True
        if match := re.fullmatch(r"add-option-(\d{1,3})", action):
            index = int(match.group(1))
            if index < len(self.questions):
                options = self.questions[index].options
                before = len(options)
                self.add_option(index)
                self.focus = (
                    f"questions-{index}-options-{before}-text"
                    if len(options) > before
                    else f"add-option-{index}"
                )
            return True
        if match := re.fullmatch(r"remove-option-(\d{1,3})-(\d{1,2})", action):
            index, option = int(match.group(1)), int(match.group(2))
            if index < len(self.questions) and option < len(self.questions[index].options):
                options = self.questions[index].options
                del options[option]
                self.focus = (
                    f"questions-{index}-options-{min(option, len(options) - 1)}-text"
                    if options
                    else f"add-option-{index}"
                )
            return True
        return False

    # --- validation ---

    def validate(self) -> tuple[QuizPut | None, FieldErrors]:
        """The quiz to save, or every error at its field (never only the first)."""
        errors: FieldErrors = {}
        parsed: list[QuestionIn] = []
        positions: list[int] = []
        checked_rows: list[QuestionIn] = []
        for index, row in enumerate(self.questions):
            try:
                question = QuestionIn.model_validate(_question_json(row))
                parsed.append(question)
            except ValidationError as exc:
                add_validation_errors(errors, exc, prefix=f"questions.{index}.")
                if row.type not in QuestionType.__members__:
                    continue
                # The answer-key rules still apply to a question whose text is missing.
                question = _unchecked(row)
            checked_rows.append(question)
            positions.append(index)
        for error in question_errors(checked_rows, indexes=positions):
            errors.setdefault(error["field"], shown(error["message"]))
        pass_threshold = _pass_threshold(self.pass_mark)
        if pass_threshold is None:
            errors["passThreshold"] = _("Enter a whole percentage from 1 to 100.")
        quiz_fields = {
            "title": self.title or None,
            "passThreshold": pass_threshold or DEFAULT_PASS_THRESHOLD,
            "questions": [q.model_dump(by_alias=True) for q in parsed],
            **{key: value for key, value in self.policy.items() if value != ""},
        }
        try:
            data = QuizPut.model_validate(quiz_fields)
        except ValidationError as exc:
            quiz_errors: FieldErrors = {}
            add_validation_errors(quiz_errors, exc)
            for key, message in quiz_errors.items():
                # A question that failed on its own already has its errors; the quiz's
                # "at least one question" is for a quiz with no rows at all.
                if key.startswith("questions.") or (key == "questions" and self.questions):
                    continue
                errors.setdefault(
                    key, _("Add at least one question.") if key == "questions" else message
                )
            return None, errors
        return (None, errors) if errors else (data, errors)


def _question_json(row: QuestionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "question": row.question,
        "type": row.type,
        "options": [{"id": o.id, "text": o.text} for o in row.options],
        "correctOptionIds": [o.id for o in row.options if o.correct],
        "explanation": row.explanation or None,
    }


def _unchecked(row: QuestionRow) -> QuestionIn:
    """The row as a question without validating its texts, for the answer-key rules only."""
    return QuestionIn.model_construct(
        id=row.id,
        question=row.question,
        type=QuestionType(row.type),
        options=[OptionIn.model_construct(id=o.id, text=o.text) for o in row.options],
        correct_option_ids=[o.id for o in row.options if o.correct],
        explanation=row.explanation or None,
    )


def _pass_threshold(pass_mark: str) -> Decimal | None:
    try:
        percent = Decimal(pass_mark)
    except InvalidOperation:
        return None
    if not percent.is_finite() or percent != percent.to_integral_value() or not 1 <= percent <= 100:
        return None
    return (percent / 100).quantize(Decimal("0.01"))


def _bounded(form: FormData, name: str, most: int) -> int:
    raw = text(form, name)
    return min(int(raw), most) if raw.isdigit() and len(raw) <= 4 else 0


def from_form(form: FormData) -> QuizForm:
    quiz = QuizForm(title=text(form, "title"), pass_mark=text(form, "passThreshold"))
    quiz.policy = {name: text(form, name) for name in ("revealAnswers", *POLICY_NUMBERS)}
    quiz.policy |= {name: checked(form, name) for name in POLICY_SWITCHES}
    for i in range(_bounded(form, "questionCount", MAX_QUESTIONS)):
        at = f"questions.{i}"
        row = QuestionRow(
            id=text(form, f"{at}.id") or f"q{i + 1}",
            question=text(form, f"{at}.question"),
            type=text(form, f"{at}.type"),
            explanation=text(form, f"{at}.explanation"),
        )
        for j in range(_bounded(form, f"{at}.optionCount", MAX_OPTIONS)):
            row.options.append(
                OptionRow(
                    id=text(form, f"{at}.options.{j}.id") or OPTION_IDS[j],
                    text=text(form, f"{at}.options.{j}.text"),
                    correct=checked(form, f"{at}.options.{j}.correct"),
                )
            )
        _fill_true_false(row)
        quiz.questions.append(row)
    return quiz


def _fill_true_false(row: QuestionRow) -> None:
    """A true/false question whose options are still blank gets "True" and "False"."""
    if row.type != QuestionType.TRUE_FALSE.value or any(o.text for o in row.options):
        return
    kept = row.options[:2]
    used = {o.id for o in kept}
    free = (c for c in OPTION_IDS if c not in used)
    while len(kept) < 2:
        kept.append(OptionRow(id=next(free)))
    for option, label in zip(kept, true_false_texts(), strict=True):
        option.text = label
    row.options = kept


def from_quiz(quiz: Quiz | None, *, course_title: str) -> QuizForm:
    """The builder's rows for a saved quiz, or a new quiz's first empty question."""
    if quiz is None:
        form = QuizForm(title=course_title, policy=_policy_defaults())
        form.add_question()
        return form
    form = QuizForm(
        title=quiz.title,
        pass_mark=str(int(quiz.pass_threshold * 100)),
        policy={
            (info.alias or name): _policy_value(getattr(quiz, name, info.default))
            for name, info in QuizPolicy.model_fields.items()
        },
    )
    for question in quiz.questions:
        correct = set(question.get("correct_option_ids", []))
        form.questions.append(
            QuestionRow(
                id=str(question["id"]),
                question=str(question["question"]),
                type=str(question["type"]),
                explanation=str(question.get("explanation") or ""),
                options=[
                    OptionRow(id=str(o["id"]), text=str(o["text"]), correct=o["id"] in correct)
                    for o in question["options"]
                ],
            )
        )
    return form


def _policy_defaults() -> dict[str, Any]:
    return {
        (info.alias or name): _policy_value(info.default)
        for name, info in QuizPolicy.model_fields.items()
    }


def _policy_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    return str(getattr(value, "value", value))


# How the summary of errors names a field: the quiz's own, then a question's and an option's
# (whole phrases, each with its numbers, so a translation orders them as its language does).
_QUIZ_FIELDS = {
    "title": N_("Quiz title"),
    "passThreshold": N_("Pass mark"),
    "revealAnswers": N_("Show the correct answers"),
    "maxAttempts": N_("Attempts allowed"),
    "cooldownMinutes": N_("Wait between attempts"),
    "timeLimitMinutes": N_("Time limit"),
    "questionsPerAttempt": N_("Questions per attempt"),
    "questions": N_("Questions"),
}
_QUESTION_FIELDS = {
    "question": N_("Question %(question)d, text"),
    "type": N_("Question %(question)d, type"),
    "explanation": N_("Question %(question)d, explanation"),
    "options": N_("Question %(question)d, options"),
    "correctOptionIds": N_("Question %(question)d, correct answers"),
    "id": N_("Question %(question)d, id"),
}
_OPTION_FIELDS = {
    "": N_("Question %(question)d, option %(option)d"),
    "text": N_("Question %(question)d, option %(option)d text"),
    "id": N_("Question %(question)d, option %(option)d id"),
}
# A path deeper than the form's inputs (an item of `correctOptionIds`, from a tampered form)
# is named by its parts, as the API calls them.
_PARTS = {"question": "text", "correctOptionIds": "correct answers"}


def describe(path: str) -> str:
    """A field path as the summary of errors names it: `Question 2, option 1 text`."""
    parts = path.split(".")
    if parts[0] != "questions" or len(parts) < 3 or not parts[1].isdigit():
        return _(_QUIZ_FIELDS[path]) if path in _QUIZ_FIELDS else path
    question = int(parts[1]) + 1
    rest = parts[2:]
    if rest[0] == "options" and len(rest) >= 2 and rest[1].isdigit():
        option, field = int(rest[1]) + 1, ".".join(rest[2:])
        if field in _OPTION_FIELDS:
            return _(_OPTION_FIELDS[field], question=question, option=option)
        return _(
            "Question %(question)d, option %(option)d %(field)s",
            question=question,
            option=option,
            field=" ".join(_PARTS.get(p, p) for p in rest[2:]),
        )
    if len(rest) == 1 and rest[0] in _QUESTION_FIELDS:
        return _(_QUESTION_FIELDS[rest[0]], question=question)
    field = " ".join(_PARTS.get(p, p) for p in rest)
    return _("Question %(question)d, %(field)s", question=question, field=field)
