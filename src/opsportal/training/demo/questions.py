"""Building blocks of the demo quizzes: one helper per question type."""

from __future__ import annotations

from typing import Any


def true_false(qid: str, question: str, answer: bool, explanation: str) -> dict[str, Any]:
    return {
        "id": qid,
        "question": question,
        "type": "TRUE_FALSE",
        "options": [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}],
        "correctOptionIds": ["true" if answer else "false"],
        "explanation": explanation,
    }


def choice(
    qid: str,
    question: str,
    options: list[str],
    correct: list[int],
    explanation: str,
) -> dict[str, Any]:
    letters = "abcdefgh"
    return {
        "id": qid,
        "question": question,
        "type": "MULTI_SELECT" if len(correct) > 1 else "MULTIPLE_CHOICE",
        "options": [{"id": letters[i], "text": text} for i, text in enumerate(options)],
        "correctOptionIds": [letters[i] for i in correct],
        "explanation": explanation,
    }


def multi(
    qid: str, question: str, options: list[str], correct: list[int], explanation: str
) -> dict[str, Any]:
    item = choice(qid, question, options, correct, explanation)
    item["type"] = "MULTI_SELECT"
    return item
