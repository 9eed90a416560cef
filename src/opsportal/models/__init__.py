"""ORM models; importing this package registers every table on Base.metadata."""

from opsportal.models.base import Base
from opsportal.models.identity import ApiToken, Organization, OrganizationStatus, Role, User
from opsportal.models.training import (
    Certificate,
    CertificateCounter,
    Course,
    QuestionType,
    Quiz,
    QuizAttempt,
    Track,
    TrackLevel,
    TrackType,
)

__all__ = [
    "ApiToken",
    "Base",
    "Certificate",
    "CertificateCounter",
    "Course",
    "Organization",
    "OrganizationStatus",
    "QuestionType",
    "Quiz",
    "QuizAttempt",
    "Role",
    "Track",
    "TrackLevel",
    "TrackType",
    "User",
]
