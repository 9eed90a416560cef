"""Training schemas: authoring input, learner views, results and certificates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from opsportal.models import QuestionType, RevealAnswers, TrackLevel, TrackType
from opsportal.models.training import DEFAULT_PASS_THRESHOLD
from opsportal.schemas import ApiModel, InputModel
from opsportal.training.certificates import CertificateStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
    ),
]
Description = Annotated[str, StringConstraints(max_length=5000)]
Markdown = Annotated[str, StringConstraints(max_length=200_000)]
Version = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$")
]
Minutes = Annotated[int, Field(ge=0, le=100_000)]
SortOrder = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
ValidityDays = Annotated[int, Field(ge=1, le=36_500)]
ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Explanation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
LOCALE_PATTERN = r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$"  # de, fr, pt_BR
LocaleCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=LOCALE_PATTERN)]
PassThreshold = Annotated[Decimal, Field(ge=Decimal("0.01"), le=Decimal("1"), decimal_places=2)]

MAX_QUESTIONS = 200
MAX_OPTIONS = 20
# Policy limits: a null value means "no limit".
AttemptLimit = Annotated[int, Field(ge=1, le=1000)]
PolicyMinutes = Annotated[int, Field(ge=1, le=525_600)]
QuestionCount = Annotated[int, Field(ge=1, le=MAX_QUESTIONS)]


# --- authoring ------------------------------------------------------------


class TrackCreate(InputModel):
    name: Name
    slug: Slug | None = Field(default=None, description="Derived from the name when omitted")
    description: Description = ""
    type: TrackType
    level: TrackLevel = TrackLevel.FOUNDATION
    is_required: bool = False
    estimated_minutes: Minutes = 0
    version: Version = "1.0"
    is_active: bool = True
    sort_order: SortOrder | None = Field(
        default=None, description="After every existing track when omitted or null"
    )
    validity_days: ValidityDays | None = Field(
        default=None, description="Days a certificate stays valid; the deployment default if null"
    )
    default_locale: LocaleCode | None = Field(default=None, description="Its texts' language")


class TrackUpdate(InputModel):
    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    type: TrackType | None = None
    level: TrackLevel | None = None
    is_required: bool | None = None
    estimated_minutes: Minutes | None = None
    version: Version | None = None
    is_active: bool | None = None
    sort_order: SortOrder | None = None
    validity_days: ValidityDays | None = None
    default_locale: LocaleCode | None = Field(default=None, description="Its texts' language")


class CourseCreate(InputModel):
    title: Name
    description: Description = ""
    content: Markdown = ""
    sort_order: SortOrder = 0
    is_active: bool = True


class CourseUpdate(InputModel):
    title: Name | None = None
    description: Description | None = None
    content: Markdown | None = None
    sort_order: SortOrder | None = None
    is_active: bool | None = None


class OptionIn(InputModel):
    id: ItemId
    text: ItemText


class QuestionIn(InputModel):
    id: ItemId
    question: ItemText
    type: QuestionType
    options: Annotated[list[OptionIn], Field(min_length=1, max_length=MAX_OPTIONS)]
    correct_option_ids: Annotated[list[ItemId], Field(max_length=MAX_OPTIONS)]
    explanation: Explanation | None = None


class QuizPolicy(InputModel):
    """Who sees the answer key when, and how attempts are limited; null means no limit."""

    reveal_answers: RevealAnswers = Field(
        default=RevealAnswers.AFTER_PASS,
        description="When a result shows the correct options and explanations",
    )
    max_attempts: AttemptLimit | None = Field(default=None, description="Attempts per learner")
    cooldown_minutes: PolicyMinutes | None = Field(
        default=None, description="Wait after an attempt before the next may start"
    )
    time_limit_minutes: PolicyMinutes | None = Field(
        default=None, description="Minutes to submit (plus 60 s grace); later is failed"
    )
    questions_per_attempt: QuestionCount | None = Field(
        default=None, description="Questions drawn at random from the quiz's questions"
    )
    shuffle_questions: bool = False
    shuffle_options: bool = False


class QuizPut(QuizPolicy):
    title: Name | None = Field(default=None, description="The course title when omitted")
    pass_threshold: PassThreshold = DEFAULT_PASS_THRESHOLD
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=MAX_QUESTIONS)]


# --- reading --------------------------------------------------------------


class TranslationStatus(ApiModel):
    locale: str
    status: Literal["complete", "missing", "outdated"] = Field(
        description="complete: learners asking for this language are served it; outdated: a "
        "source text changed since it was translated; missing: some field is not translated"
    )


class TrackRead(ApiModel):
    id: int
    name: str
    slug: str
    description: str
    type: TrackType
    level: TrackLevel
    is_required: bool
    estimated_minutes: int
    version: str
    is_active: bool
    sort_order: int
    validity_days: int
    default_locale: str = Field(description="The language of the track's own texts")
    translations: list[TranslationStatus] = []


class CourseRead(ApiModel):
    id: int
    track_id: int
    title: str
    description: str
    content: str
    sort_order: int
    is_active: bool
    quiz_id: int | None
    # Set when the course is played from a SCORM package (and done when its SCO is).
    scorm_package_id: int | None = None
    locale: str | None = Field(default=None, description="The language of the texts")


class OptionRead(ApiModel):
    id: str
    text: str


class QuestionRead(ApiModel):
    id: str
    question: str
    type: QuestionType
    options: list[OptionRead]
    correct_option_ids: list[str]
    explanation: str | None = None


class QuizRead(ApiModel):
    id: int
    course_id: int
    title: str
    pass_threshold: float
    questions: list[QuestionRead]
    reveal_answers: RevealAnswers
    max_attempts: int | None
    cooldown_minutes: int | None
    time_limit_minutes: int | None
    questions_per_attempt: int | None
    shuffle_questions: bool
    shuffle_options: bool


class UserProgress(ApiModel):
    courses_passed: int
    total_courses: int
    percentage: int


class CertificateRead(ApiModel):
    id: int
    certificate_number: str
    verification_code: str
    recipient_name: str
    track_id: int
    track_name: str
    track_version: str
    status: CertificateStatus
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None


class CourseMarkedRead(ApiModel):
    course_id: int
    read_at: datetime


class CourseOverview(CourseRead):
    is_passed: bool = Field(description="The caller has passed this course's quiz")
    is_read: bool = Field(
        default=False, description="The caller marked this course as read (progress only)"
    )


class TrackOverview(TrackRead):
    locale: str = Field(description="The language of the texts (see docs/training.md)")
    courses: list[CourseOverview]
    user_progress: UserProgress | None
    is_completed: bool
    certificate: CertificateRead | None = Field(
        description="The caller's active certificate for this track, if any"
    )


# --- taking a quiz --------------------------------------------------------


class QuestionPublic(ApiModel):
    """A question as the learner sees it: no answer key, no explanation."""

    id: str
    question: str
    type: QuestionType
    options: list[OptionRead]


class AttemptStarted(ApiModel):
    attempt_id: int
    quiz_id: int
    course_id: int
    title: str
    required_score: int
    deadline_at: datetime | None = Field(
        description="Submit by then (60 s grace); null without a time limit"
    )
    extra_minutes: int = Field(
        description="Extra time granted to the learner, in minutes, included in deadlineAt"
    )
    questions: list[QuestionPublic]
    locale: str | None = Field(default=None, description="The language of the texts")


class QuizStatus(ApiModel):
    """A quiz's rules and where the caller stands under them."""

    quiz_id: int
    course_id: int
    question_count: int = Field(description="Questions in one attempt")
    required_score: int
    reveal_answers: RevealAnswers
    max_attempts: int | None
    attempts_used: int
    attempts_left: int | None
    cooldown_minutes: int | None
    time_limit_minutes: int | None
    extra_minutes: int = Field(
        description="Extra minutes the caller's next attempt gets on top of the time limit"
    )
    shuffle_questions: bool
    shuffle_options: bool
    passed: bool
    can_start: bool
    refusal_rule: str | None = Field(description="The rule that forbids a start now, if any")
    refusal_message: str | None
    available_at: datetime | None = Field(description="When the cooldown ends, if it runs")
    open_attempt_id: int | None = Field(
        description="An unsubmitted attempt still within its time, to continue"
    )


class AnswerIn(InputModel):
    question_id: ItemId
    selected_option_ids: Annotated[list[ItemId], Field(max_length=MAX_OPTIONS)]


class SubmitBody(InputModel):
    answers: Annotated[list[AnswerIn], Field(max_length=MAX_QUESTIONS)]


class QuestionFeedback(ApiModel):
    """Which answer was right or wrong, without the answer key (not revealed yet)."""

    question_id: str
    question: str
    correct: bool
    selected: list[str]


class QuestionFeedbackRevealed(QuestionFeedback):
    """Feedback once the quiz's `revealAnswers` rule shows this learner the answer key."""

    correct_option_ids: list[str]
    explanation: str | None


class AttemptResult(ApiModel):
    attempt_id: int
    quiz_id: int
    course_id: int
    track_id: int
    score: int
    passed: bool
    required_score: int
    correct_count: int
    total_questions: int
    track_completed: bool
    submitted_at: datetime
    time_expired: bool = Field(description="Submitted after the time limit and grace: failed")
    answers_revealed: bool = Field(
        description="Whether feedback carries correctOptionIds and explanations"
    )
    regraded_at: datetime | None = Field(
        description="When an answer-key correction last regraded this attempt"
    )
    feedback: list[QuestionFeedbackRevealed | QuestionFeedback]
    locale: str | None = Field(default=None, description="The language of the texts")


class AttemptRead(ApiModel):
    attempt_id: int
    quiz_id: int
    course_id: int
    title: str
    required_score: int
    started_at: datetime
    deadline_at: datetime | None
    extra_minutes: int = Field(
        description="Extra time granted to the learner, in minutes, included in deadlineAt"
    )
    submitted_at: datetime | None
    questions: list[QuestionPublic]
    result: AttemptResult | None
    locale: str | None = Field(default=None, description="The language of the texts")


# --- certificates ---------------------------------------------------------


class RevokeBody(InputModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class VerificationRead(ApiModel):
    valid: bool
    status: CertificateStatus
    certificate_number: str
    # None when the holder's data was erased: the name is withheld. The fields are
    # the spec's; `name_withheld` is for the page, not part of the answer.
    recipient_name: str | None
    name_withheld: bool = Field(default=False, exclude=True)
    track_name: str
    track_version: str
    issued_at: datetime
    expires_at: datetime
