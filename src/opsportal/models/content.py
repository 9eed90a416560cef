"""Training content standards: SCORM packages, their files, and each learner's runtime data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class ScormPackage(Base):
    """An uploaded SCORM package; a course plays it (`Course.scorm_package_id`)."""

    __tablename__ = "training_scorm_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "1.2" or "2004"; `edition` is the manifest's schemaversion as written.
    version: Mapped[str] = mapped_column(String(10))
    edition: Mapped[str] = mapped_column(String(60), default="")
    identifier: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    # The SCO's launch path inside the package, with its query string if any.
    launch_path: Mapped[str] = mapped_column(String(2000))
    file_count: Mapped[int]
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScormFile(Base):
    """One file of a package; its bytes are in `ScormFileChunk`s, so every replica serves it."""

    __tablename__ = "training_scorm_files"
    __table_args__ = (UniqueConstraint("package_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("training_scorm_packages.id", ondelete="CASCADE")
    )
    path: Mapped[str] = mapped_column(String(1000))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)


class ScormFileChunk(Base):
    """Up to `CHUNK_BYTES` of a file: no row is larger than that, on either database."""

    __tablename__ = "training_scorm_file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("training_scorm_files.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ScormAttempt(Base):
    """One learner's run through a SCORM course: what the runtime stored, and the launch key.

    The learner resumes the same attempt until it counts as done; a new attempt
    starts only when a completed one no longer counts (its certificate lapsed).
    """

    __tablename__ = "training_scorm_attempts"
    __table_args__ = (Index("ix_training_scorm_attempts_user_course", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int] = mapped_column(
        ForeignKey("training_scorm_packages.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(default=1)
    # 1.2: cmi.core.lesson_status; 2004: cmi.completion_status.
    completion_status: Mapped[str | None] = mapped_column(String(20))
    # 2004: cmi.success_status (1.2 has none of its own: passed/failed live in lesson_status).
    success_status: Mapped[str | None] = mapped_column(String(20))
    score_raw: Mapped[float | None]
    score_scaled: Mapped[float | None]
    location: Mapped[str | None] = mapped_column(String(1000))
    suspend_data: Mapped[str | None] = mapped_column(Text)
    exit: Mapped[str | None] = mapped_column(String(20))
    # Time in earlier launches, and in the current launch so far (its latest session_time).
    earlier_seconds: Mapped[float] = mapped_column(default=0.0)
    session_seconds: Mapped[float] = mapped_column(default=0.0)
    completed_at: Mapped[datetime | None]
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The current launch's key (a SHA-256 of it): the runtime commits with it, never a cookie.
    launch_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    launch_expires_at: Mapped[datetime | None]

    @property
    def total_seconds(self) -> float:
        return self.earlier_seconds + self.session_seconds
