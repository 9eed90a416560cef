"""ORM models; importing this package registers every table on Base.metadata."""

from opsportal.models.assignments import Assignment, ReminderSent
from opsportal.models.audit import AuditEntry
from opsportal.models.base import Base
from opsportal.models.benchmarks import (
    BenchmarkPosition,
    BenchmarkResult,
    BenchmarkRun,
    CustomerView,
    RunStatus,
    ScheduledFiring,
)
from opsportal.models.content import ScormAttempt, ScormFile, ScormFileChunk, ScormPackage
from opsportal.models.credentials import CredentialKey, CredentialStatusEntry
from opsportal.models.identity import (
    CUSTOMER_ROLES,
    STAFF_ROLES,
    ApiToken,
    LoginFailure,
    Organization,
    OrganizationStatus,
    PasswordReset,
    Role,
    ScimToken,
    User,
)
from opsportal.models.metrics import LatestMetricValue, MetricValue
from opsportal.models.notifications import Notification, OutboxMessage, OutboxStatus
from opsportal.models.secrets import AppSecret
from opsportal.models.sso import (
    OrganizationDomain,
    OrganizationSso,
    SamlAssertionUse,
    SamlRequest,
    SsoProtocol,
)
from opsportal.models.training import (
    Certificate,
    CertificateCounter,
    Course,
    CourseReadMark,
    ExtraTime,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizAttemptCounter,
    RevealAnswers,
    Track,
    TrackLevel,
    TrackTranslation,
    TrackType,
    TranslatedText,
)
from opsportal.models.xapi import XapiStatement, XapiStatus

__all__ = [
    "CUSTOMER_ROLES",
    "STAFF_ROLES",
    "ApiToken",
    "AppSecret",
    "Assignment",
    "AuditEntry",
    "Base",
    "BenchmarkPosition",
    "BenchmarkResult",
    "BenchmarkRun",
    "Certificate",
    "CertificateCounter",
    "Course",
    "CourseReadMark",
    "ExtraTime",
    "CredentialKey",
    "CredentialStatusEntry",
    "CustomerView",
    "LatestMetricValue",
    "LoginFailure",
    "MetricValue",
    "Notification",
    "Organization",
    "OrganizationDomain",
    "OrganizationSso",
    "OrganizationStatus",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordReset",
    "QuestionType",
    "Quiz",
    "QuizAttempt",
    "QuizAttemptCounter",
    "RevealAnswers",
    "ScormAttempt",
    "ScormFile",
    "ScormFileChunk",
    "ScormPackage",
    "ReminderSent",
    "Role",
    "RunStatus",
    "SamlAssertionUse",
    "SamlRequest",
    "ScheduledFiring",
    "ScimToken",
    "SsoProtocol",
    "Track",
    "TrackLevel",
    "TrackTranslation",
    "TrackType",
    "TranslatedText",
    "User",
    "XapiStatement",
    "XapiStatus",
]
