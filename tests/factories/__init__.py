"""Plain factory functions for test data, one module per domain: `create_user(session, role=...)`,
`create_organization(session, name=...)`, `create_track(session, ...)` and friends."""

from tests.factories.identity import Customer, bearer, create_customer, create_user
from tests.factories.metrics import add_many, add_values
from tests.factories.notifications import create_notification, queue_mail
from tests.factories.tenants import create_organization, organizations
from tests.factories.training import (
    certify,
    correct_answers,
    create_course,
    create_quiz,
    create_track,
    create_track_with_quizzes,
    pass_quiz,
    quiz_questions_camel,
    sample_questions,
)
from tests.factories.translations import translate_track, translated

__all__ = [
    "Customer",
    "add_many",
    "add_values",
    "bearer",
    "certify",
    "correct_answers",
    "create_course",
    "create_customer",
    "create_notification",
    "create_organization",
    "create_quiz",
    "create_track",
    "create_track_with_quizzes",
    "create_user",
    "organizations",
    "pass_quiz",
    "queue_mail",
    "quiz_questions_camel",
    "sample_questions",
    "translate_track",
    "translated",
]
