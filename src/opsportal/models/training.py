"""Training: tracks, courses, quizzes, attempts and certificates."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsportal.models.base import Base, utcnow
from opsportal.models.identity import User


class TrackType(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    INTERNAL = "INTERNAL"


class TrackLevel(enum.StrEnum):
    FOUNDATION = "FOUNDATION"
    PROFESSIONAL = "PROFESSIONAL"
    EXPERT = "EXPERT"


class QuestionType(enum.StrEnum):
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE"
    TRUE_FALSE = "TRUE_FALSE"
    MULTI_SELECT = "MULTI_SELECT"


# The share of questions a learner must get right to pass, where a quiz names none.
DEFAULT_PASS_THRESHOLD = Decimal("0.80")


class RevealAnswers(enum.StrEnum):
    """When a learner may see the answer key and explanations of a graded attempt."""

    NEVER = "NEVER"
    AFTER_PASS = "AFTER_PASS"
    ALWAYS = "ALWAYS"


class Track(Base):
    __tablename__ = "training_tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[TrackType] = mapped_column(Enum(TrackType, native_enum=False, length=20))
    level: Mapped[TrackLevel] = mapped_column(Enum(TrackLevel, native_enum=False, length=20))
    is_required: Mapped[bool] = mapped_column(default=False)
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    # "MAJOR.MINOR" kept as two integers so that "2.10" > "2.9" compares as numbers.
    version_major: Mapped[int] = mapped_column(default=1)
    version_minor: Mapped[int] = mapped_column(default=0)
    validity_days: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    # The language of the texts above; translations into others are TrackTranslations.
    default_locale: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    courses: Mapped[list[Course]] = relationship(
        lazy="raise", back_populates="track", order_by=lambda: [Course.sort_order, Course.id]
    )

    @property
    def version(self) -> str:
        return f"{self.version_major}.{self.version_minor}"


class Course(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(
        ForeignKey("training_tracks.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Markdown; rendered and sanitised on the way out to HTML.
    content: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A course played from a SCORM package (training/content/): done when its SCO is.
    scorm_package_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_scorm_packages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    track: Mapped[Track] = relationship(lazy="raise", back_populates="courses")
    quiz: Mapped[Quiz | None] = relationship(lazy="raise", back_populates="course")


class Quiz(Base):
    __tablename__ = "training_quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # Whole percentages only (0.01 steps), so the integer score and the exact
    # pass decision can never disagree.
    pass_threshold: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=DEFAULT_PASS_THRESHOLD)
    # The questions with their answer key, validated on the way in; replaced whole by PUT.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The policy; a null limit means "no limit".
    reveal_answers: Mapped[RevealAnswers] = mapped_column(
        Enum(RevealAnswers, native_enum=False, length=20), default=RevealAnswers.AFTER_PASS
    )
    max_attempts: Mapped[int | None]
    cooldown_minutes: Mapped[int | None]
    time_limit_minutes: Mapped[int | None]
    questions_per_attempt: Mapped[int | None]
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(lazy="raise", back_populates="quiz")


class QuizAttemptCounter(Base):
    """One row per learner and quiz: locked while an attempt starts, so the policy's
    limits hold however many requests (or server processes) start at once."""

    __tablename__ = "training_quiz_attempt_counters"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("training_quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    started: Mapped[int] = mapped_column(default=0)


class QuizAttempt(Base):
    __tablename__ = "training_quiz_attempts"
    __table_args__ = (Index("ix_training_quiz_attempts_user_quiz", "user_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("training_quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A snapshot of the questions drawn for this attempt, in the order shown and
    # with their options in the order shown, and the threshold at start, so
    # replacing the quiz mid-attempt cannot change what the learner is graded against.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pass_threshold: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The time limit's end (without the grace period); null when the quiz has none.
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    correct_count: Mapped[int | None]
    total_questions: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    time_expired: Mapped[bool] = mapped_column(default=False)
    # Regrades after an answer key was corrected: [{at, byUserId, fromScore, toScore,
    # fromPassed, toPassed, questionIds}], oldest first; the attempt's grade is the latest.
    regrades: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    regraded_at: Mapped[datetime | None]
    # Extra time granted to this learner, in minutes, already included in deadline_at.
    extra_minutes: Mapped[int | None]
    # Answers saved as the learner goes ([{question_id, selected_option_ids}]): a draft,
    # shown again when the attempt is continued; grading reads only the submitted answers.
    draft_answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    draft_saved_at: Mapped[datetime | None]
    # The language the questions were last served in (at the start, again at the
    # submission); null for attempts from before tracks had translations, which
    # were served in their track's default language.
    locale: Mapped[str | None] = mapped_column(String(16))

    quiz: Mapped[Quiz] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class ExtraTime(Base):
    """Extra time on timed quizzes for one learner (WCAG 2.2.1 Timing Adjustable).

    Either a multiplier of the time limit or a number of extra minutes, for every
    timed quiz (no track) or for one track's; a track's grant wins over the general one.
    """

    __tablename__ = "training_extra_time"
    __table_args__ = (
        # One grant per learner and scope; "every track" is the row without a track.
        Index(
            "uq_training_extra_time_user_track",
            "user_id",
            "track_id",
            unique=True,
            sqlite_where=text("track_id IS NOT NULL"),
            postgresql_where=text("track_id IS NOT NULL"),
        ),
        Index(
            "uq_training_extra_time_user_all",
            "user_id",
            unique=True,
            sqlite_where=text("track_id IS NULL"),
            postgresql_where=text("track_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_tracks.id", ondelete="CASCADE")
    )
    multiplier: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    extra_minutes: Mapped[int | None]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    track: Mapped[Track | None] = relationship(lazy="raise")


class CourseReadMark(Base):
    """A learner marked a course as read: progress shown to them, not a completion rule."""

    __tablename__ = "training_course_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateCounter(Base):
    """The last certificate number handed out per year; its row is the issuance lock."""

    __tablename__ = "training_certificate_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Certificate(Base):
    __tablename__ = "training_certificates"
    __table_args__ = (
        UniqueConstraint("issue_year", "serial"),
        Index("ix_training_certificates_user_track", "user_id", "track_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    issue_year: Mapped[int]
    serial: Mapped[int]
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    track_id: Mapped[int] = mapped_column(ForeignKey("training_tracks.id", ondelete="RESTRICT"))
    # What was certified, frozen at issue: later renames do not rewrite a certificate.
    recipient_name: Mapped[str] = mapped_column(String(200))
    # Once the holder is erased: the name is withheld ("" above), and kept only as
    # a salted SHA-256 of its normalised form, for someone who holds the name to
    # confirm it (training/certificates.py: name_hash).
    recipient_name_salt: Mapped[str | None] = mapped_column(String(64))
    recipient_name_hash: Mapped[str | None] = mapped_column(String(80))
    track_name: Mapped[str] = mapped_column(String(200))
    track_version: Mapped[str] = mapped_column(String(20))
    track_major: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    track: Mapped[Track] = relationship(lazy="raise")


class TrackTranslation(Base):
    """A track's texts in one language other than its default (training/translations/)."""

    __tablename__ = "training_track_translations"
    __table_args__ = (UniqueConstraint("track_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("training_tracks.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TranslatedText(Base):
    """One translated field (`key` names it: "name", "courses/12/title", ...), with the hash of
    the source text it translates: a source changed since reads as an outdated translation."""

    __tablename__ = "training_translated_texts"

    translation_id: Mapped[int] = mapped_column(
        ForeignKey("training_track_translations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
