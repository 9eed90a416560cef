"""Tracks, courses, quizzes, and a way to pass them."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Course, Quiz, Track, TrackLevel, TrackType, User
from opsportal.principal import Principal
from opsportal.training.assessment import attempts
from opsportal.training.catalogue import authoring
from opsportal.training.certification import service as certification
from opsportal.training.schemas import (
    AnswerIn,
    CertificateRead,
    CourseCreate,
    QuizPut,
    TrackCreate,
)

_sequence = itertools.count(1)


def sample_questions() -> list[dict[str, Any]]:
    """Five questions of all three types, in the API's camelCase shape."""
    return [
        {
            "id": "q1",
            "question": "Who may use the hotline?",
            "type": "MULTIPLE_CHOICE",
            "options": [
                {"id": "a", "text": "Only managers"},
                {"id": "b", "text": "Anyone"},
                {"id": "c", "text": "Only HR"},
            ],
            "correctOptionIds": ["b"],
            "explanation": "The hotline is open to everyone.",
        },
        {
            "id": "q2",
            "question": "Reports can be anonymous.",
            "type": "TRUE_FALSE",
            "options": [{"id": "t", "text": "True"}, {"id": "f", "text": "False"}],
            "correctOptionIds": ["t"],
            "explanation": "Anonymous reporting is supported.",
        },
        {
            "id": "q3",
            "question": "Which are forms of retaliation?",
            "type": "MULTI_SELECT",
            "options": [
                {"id": "a", "text": "Demotion"},
                {"id": "b", "text": "Exclusion from meetings"},
                {"id": "c", "text": "A thank-you note"},
            ],
            "correctOptionIds": ["a", "b"],
        },
        {
            "id": "q4",
            "question": "A gift worth 500 EUR from a vendor should be…",
            "type": "MULTIPLE_CHOICE",
            "options": [{"id": "a", "text": "Declared"}, {"id": "b", "text": "Kept quietly"}],
            "correctOptionIds": ["a"],
        },
        {
            "id": "q5",
            "question": "Personal data may be emailed to a private address.",
            "type": "TRUE_FALSE",
            "options": [{"id": "t", "text": "True"}, {"id": "f", "text": "False"}],
            "correctOptionIds": ["f"],
        },
    ]


def correct_answers(questions: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    questions = questions or sample_questions()
    return [
        {"questionId": q["id"], "selectedOptionIds": list(q["correctOptionIds"])} for q in questions
    ]


def create_track(
    session: Session,
    *,
    settings: Settings | None = None,
    name: str | None = None,
    type: TrackType = TrackType.CUSTOMER,
    version: str = "1.0",
    validity_days: int | None = None,
    is_active: bool = True,
    sort_order: int = 0,
) -> Track:
    n = next(_sequence)
    return authoring.create_track(
        session,
        data=TrackCreate(
            name=name or f"Track {n}",
            slug=f"track-{n}",
            type=type,
            level=TrackLevel.FOUNDATION,
            version=version,
            validity_days=validity_days,
            is_active=is_active,
            sort_order=sort_order,
        ),
        settings=settings or Settings(),
    )


def create_course(
    session: Session,
    *,
    track: Track,
    title: str | None = None,
    sort_order: int | None = None,
    is_active: bool = True,
    content: str = "# Welcome\n\nRead this.",
) -> Course:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "title": title or f"Course {n}",
        "content": content,
        "is_active": is_active,
    }
    if sort_order is not None:
        fields["sort_order"] = sort_order
    return authoring.create_course(session, track_id=track.id, data=CourseCreate(**fields))


def create_quiz(
    session: Session,
    *,
    course: Course,
    questions: list[dict[str, Any]] | None = None,
    pass_threshold: str = "0.80",
    **policy: Any,
) -> Quiz:
    """`policy` takes the quiz's policy fields in camelCase, e.g. maxAttempts=2."""
    return authoring.put_quiz(
        session,
        course_id=course.id,
        data=QuizPut.model_validate(
            {
                "passThreshold": Decimal(pass_threshold),
                "questions": questions or sample_questions(),
                **policy,
            }
        ),
    )


def create_track_with_quizzes(
    session: Session, *, courses: int = 2, **track_fields: Any
) -> tuple[Track, list[Quiz]]:
    track = create_track(session, **track_fields)
    quizzes = [
        create_quiz(session, course=create_course(session, track=track)) for _ in range(courses)
    ]
    return track, quizzes


def pass_quiz(session: Session, *, user: User, quiz: Quiz, passed: bool = True) -> None:
    principal = Principal.of(user)
    started = attempts.start_attempt(session, principal=principal, quiz_id=quiz.id)
    answers = correct_answers(quiz_questions_camel(quiz))
    if not passed:
        answers = answers[:1]
    attempts.submit_attempt(
        session,
        principal=principal,
        attempt_id=started.attempt_id,
        answers=[AnswerIn.model_validate(a) for a in answers],
    )


def quiz_questions_camel(quiz: Quiz) -> list[dict[str, Any]]:
    return [{"id": q["id"], "correctOptionIds": q["correct_option_ids"]} for q in quiz.questions]


def certify(
    session: Session, *, user: User, track: Track, quizzes: list[Quiz], settings: Settings
) -> CertificateRead:
    for quiz in quizzes:
        pass_quiz(session, user=user, quiz=quiz)
    certificate, _ = certification.issue_certificate(
        session, principal=Principal.of(user), track_id=track.id, settings=settings
    )
    return certificate
