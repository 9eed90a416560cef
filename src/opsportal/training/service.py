"""Training: authoring, taking quizzes, progress and certificates.

The JSON endpoints and the web pages both call these functions. Services
flush and never commit; the request owns the transaction.

Completion and re-certification: a track is complete when every active course
that has a quiz has a passed attempt. Passes count only after the newest of
the user's certificates for the track that is no longer active (expired or
revoked). So an active certificate keeps the track complete, while a user
whose certificate expired (by time or by a new major version) or was revoked
takes the quizzes again before being certified anew.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import markdown
import nh3
from pydantic.alias_generators import to_camel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.config import Settings
from opsportal.db import flush_or_conflict
from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.models import (
    Certificate,
    Course,
    QuestionType,
    Quiz,
    QuizAttempt,
    Track,
    TrackType,
    User,
)
from opsportal.models.base import utcnow
from opsportal.training import grading, repository
from opsportal.training.certificates import (
    MAX_VERIFICATION_CODE_LENGTH,
    CertificateStatus,
    certificate_status,
    expiry_for,
    format_certificate_number,
    new_verification_code,
    verification_url,
)
from opsportal.training.pdf import CertificateDocument, render_pdf
from opsportal.training.schemas import (
    AnswerIn,
    AttemptRead,
    AttemptResult,
    AttemptStarted,
    CertificateRead,
    CourseCreate,
    CourseOverview,
    CourseRead,
    CourseUpdate,
    QuestionFeedback,
    QuestionIn,
    QuestionPublic,
    QuestionRead,
    QuizPut,
    QuizRead,
    TrackCreate,
    TrackOverview,
    TrackRead,
    TrackUpdate,
    UserProgress,
    VerificationRead,
)

# --- visibility -------------------------------------------------------------


def visible_types(principal: Principal) -> set[TrackType] | None:
    """Customers see only CUSTOMER tracks; staff see every type (None means no filter)."""
    return None if principal.is_staff else {TrackType.CUSTOMER}


def _can_see_track(principal: Principal, track: Track) -> bool:
    if principal.is_admin:
        return True
    if not track.is_active:
        return False
    return principal.is_staff or track.type is TrackType.CUSTOMER


def _visible_track(session: Session, principal: Principal, track_id: int) -> Track:
    track = repository.get_track_with_courses(session, track_id)
    if track is None or not _can_see_track(principal, track):
        raise NotFound(f"Track {track_id} not found.")
    return track


def _visible_course(session: Session, principal: Principal, course_id: int) -> Course:
    course = repository.get_course(session, course_id)
    if course is None or not _can_see_track(principal, course.track):
        raise NotFound(f"Course {course_id} not found.")
    if not course.is_active and not principal.is_admin:
        raise NotFound(f"Course {course_id} not found.")
    return course


# --- reading views ------------------------------------------------------------


def track_read(track: Track) -> TrackRead:
    return TrackRead.model_validate(track)


def course_read(course: Course) -> CourseRead:
    return CourseRead(
        id=course.id,
        track_id=course.track_id,
        title=course.title,
        description=course.description,
        content=course.content,
        sort_order=course.sort_order,
        is_active=course.is_active,
        quiz_id=course.quiz.id if course.quiz is not None else None,
    )


def quiz_read(quiz: Quiz) -> QuizRead:
    return QuizRead(
        id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        pass_threshold=float(quiz.pass_threshold),
        questions=[QuestionRead.model_validate(q) for q in quiz.questions],
    )


def certificate_read(certificate: Certificate, *, now: datetime | None = None) -> CertificateRead:
    return CertificateRead(
        id=certificate.id,
        certificate_number=certificate.certificate_number,
        verification_code=certificate.verification_code,
        recipient_name=certificate.recipient_name,
        track_id=certificate.track_id,
        track_name=certificate.track_name,
        track_version=certificate.track_version,
        status=status_of(certificate, now=now),
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revoked_reason,
    )


def status_of(certificate: Certificate, *, now: datetime | None = None) -> CertificateStatus:
    """Every status shown anywhere goes through here (its track must be loaded)."""
    return certificate_status(
        expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at,
        certificate_major=certificate.track_major,
        track_major=certificate.track.version_major,
        now=now or utcnow(),
    )


_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_course_content(content: str) -> str:
    """Course markdown as sanitised HTML, safe to put into a page unescaped."""
    html = markdown.markdown(content, extensions=["tables", "fenced_code"], output_format="html")
    return nh3.clean(html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")


# --- progress -----------------------------------------------------------------


@dataclass(frozen=True)
class _Progress:
    passed_quiz_ids: set[int]
    total: int
    started: bool
    active_certificate: Certificate | None

    @property
    def completed(self) -> bool:
        return self.total > 0 and len(self.passed_quiz_ids) >= self.total


def _quiz_courses(track: Track) -> list[Course]:
    """The courses that count towards completion: active, with a quiz."""
    return [c for c in track.courses if c.is_active and c.quiz is not None]


def _progress(
    track: Track,
    *,
    certificates: Sequence[Certificate],
    passes: Iterable[tuple[int, datetime]],
    attempted: set[int],
    now: datetime,
) -> _Progress:
    quiz_ids = {c.quiz.id for c in _quiz_courses(track) if c.quiz is not None}
    own = [c for c in certificates if c.track_id == track.id]
    active = [c for c in own if status_of(c, now=now) is CertificateStatus.ACTIVE]
    lapsed = [c.issued_at for c in own if status_of(c, now=now) is not CertificateStatus.ACTIVE]
    since = max(lapsed, default=None)
    passed = {
        quiz_id
        for quiz_id, submitted_at in passes
        if quiz_id in quiz_ids and (since is None or submitted_at > since)
    }
    return _Progress(
        passed_quiz_ids=passed,
        total=len(quiz_ids),
        started=bool(quiz_ids & attempted),
        active_certificate=max(active, key=lambda c: c.issued_at, default=None),
    )


def _progress_for_tracks(
    session: Session, *, user_id: int, tracks: Sequence[Track], now: datetime
) -> dict[int, _Progress]:
    quiz_ids = {c.quiz.id for t in tracks for c in t.courses if c.quiz is not None}
    passes = repository.passes(session, user_id=user_id, quiz_ids=quiz_ids)
    attempted = repository.attempted_quiz_ids(session, user_id=user_id, quiz_ids=quiz_ids)
    certificates = repository.certificates_of(session, user_id=user_id)
    return {
        t.id: _progress(t, certificates=certificates, passes=passes, attempted=attempted, now=now)
        for t in tracks
    }


def _overview(track: Track, progress: _Progress, *, principal: Principal) -> TrackOverview:
    courses = [c for c in track.courses if c.is_active or principal.is_admin]
    percentage = (len(progress.passed_quiz_ids) * 100) // progress.total if progress.total else 0
    return TrackOverview(
        **track_read(track).model_dump(),
        courses=[
            CourseOverview(
                **course_read(c).model_dump(),
                is_passed=c.quiz is not None and c.quiz.id in progress.passed_quiz_ids,
            )
            for c in courses
        ],
        user_progress=UserProgress(
            courses_passed=len(progress.passed_quiz_ids),
            total_courses=progress.total,
            percentage=percentage,
        )
        if progress.started
        else None,
        is_completed=progress.completed,
        certificate=certificate_read(progress.active_certificate)
        if progress.active_certificate is not None
        else None,
    )


def list_tracks_for(
    session: Session, *, principal: Principal, include_inactive: bool = False
) -> list[TrackOverview]:
    """Active tracks the caller may take, courses in order, with the caller's progress."""
    tracks = repository.list_tracks(
        session,
        types=visible_types(principal),
        include_inactive=include_inactive and principal.is_admin,
    )
    now = utcnow()
    progress = _progress_for_tracks(session, user_id=principal.user_id, tracks=tracks, now=now)
    return [_overview(t, progress[t.id], principal=principal) for t in tracks]


def get_track_overview(session: Session, *, principal: Principal, track_id: int) -> TrackOverview:
    track = _visible_track(session, principal, track_id)
    progress = _progress_for_tracks(
        session, user_id=principal.user_id, tracks=[track], now=utcnow()
    )
    return _overview(track, progress[track.id], principal=principal)


def get_course(session: Session, *, principal: Principal, course_id: int) -> CourseRead:
    """One course the caller may see (its `content` is markdown; see render_course_content)."""
    return course_read(_visible_course(session, principal, course_id))


def get_quiz(session: Session, *, principal: Principal, course_id: int) -> QuizRead:
    """The quiz of a course with its answer key (admins only: endpoints enforce the role)."""
    course = _visible_course(session, principal, course_id)
    if course.quiz is None:
        raise NotFound(f"Course {course_id} has no quiz.")
    return quiz_read(course.quiz)


def track_completed(session: Session, *, user_id: int, track_id: int) -> bool:
    track = repository.get_track_with_courses(session, track_id)
    if track is None:
        return False
    return _progress_for_tracks(session, user_id=user_id, tracks=[track], now=utcnow())[
        track.id
    ].completed


# --- authoring ------------------------------------------------------------------


def _parse_version(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100].strip("-")
    return slug or "track"


def create_track(session: Session, *, data: TrackCreate, settings: Settings) -> Track:
    slug = data.slug or _slugify(data.name)
    if repository.get_track_by_slug(session, slug) is not None:
        raise Conflict(f"A track with slug {slug!r} already exists.")
    major, minor = _parse_version(data.version)
    track = Track(
        name=data.name,
        slug=slug,
        description=data.description,
        type=data.type,
        level=data.level,
        is_required=data.is_required,
        estimated_minutes=data.estimated_minutes,
        version_major=major,
        version_minor=minor,
        validity_days=data.validity_days or settings.certificate_validity_days,
        is_active=data.is_active,
        sort_order=data.sort_order,
    )
    session.add(track)
    flush_or_conflict(session, f"A track with slug {slug!r} already exists.")
    return track


def update_track(session: Session, *, track_id: int, data: TrackUpdate) -> Track:
    track = repository.get_track(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise InvalidInput(f"{field} cannot be null.", field=to_camel(field))
    if "slug" in changes and changes["slug"] != track.slug:
        if repository.get_track_by_slug(session, changes["slug"]) is not None:
            raise Conflict(f"A track with slug {changes['slug']!r} already exists.")
    if "version" in changes:
        major, minor = _parse_version(changes.pop("version"))
        if (major, minor) < (track.version_major, track.version_minor):
            raise InvalidInput(
                f"version cannot go back from {track.version} to {major}.{minor}.", field="version"
            )
        track.version_major, track.version_minor = major, minor
    for field, value in changes.items():
        setattr(track, field, value)
    flush_or_conflict(session, f"A track with slug {track.slug!r} already exists.")
    return track


def create_course(session: Session, *, track_id: int, data: CourseCreate) -> Course:
    track = repository.get_track(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    fields = data.model_dump()
    if "sort_order" not in data.model_fields_set:
        fields["sort_order"] = repository.next_course_sort_order(session, track_id)
    course = Course(track_id=track.id, **fields)
    session.add(course)
    session.flush()
    return course


def update_course(session: Session, *, course_id: int, data: CourseUpdate) -> Course:
    course = repository.get_course(session, course_id)
    if course is None:
        raise NotFound(f"Course {course_id} not found.")
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise InvalidInput(f"{field} cannot be null.", field=to_camel(field))
        setattr(course, field, value)
    session.flush()
    return course


def validate_questions(questions: Sequence[QuestionIn]) -> None:
    """The spec's quiz rules; a violation is a 422 naming e.g. `questions.2.correctOptionIds`."""
    seen_questions: set[str] = set()
    for index, question in enumerate(questions):
        at = f"questions.{index}"
        if question.id in seen_questions:
            raise InvalidInput(f"Question id {question.id!r} is used twice.", field=f"{at}.id")
        seen_questions.add(question.id)
        option_ids: set[str] = set()
        for option_index, option in enumerate(question.options):
            if option.id in option_ids:
                raise InvalidInput(
                    f"Option id {option.id!r} is used twice in question {question.id!r}.",
                    field=f"{at}.options.{option_index}.id",
                )
            option_ids.add(option.id)
        if question.type is QuestionType.TRUE_FALSE and len(question.options) != 2:
            raise InvalidInput(
                "A TRUE_FALSE question has exactly two options.", field=f"{at}.options"
            )
        correct = question.correct_option_ids
        if len(set(correct)) != len(correct):
            raise InvalidInput(
                "A correct option id is listed twice.", field=f"{at}.correctOptionIds"
            )
        unknown = [c for c in correct if c not in option_ids]
        if unknown:
            raise InvalidInput(
                f"Correct option ids {unknown} are not among the question's options.",
                field=f"{at}.correctOptionIds",
            )
        if question.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
            if len(correct) != 1:
                raise InvalidInput(
                    f"A {question.type.value} question has exactly one correct option.",
                    field=f"{at}.correctOptionIds",
                )
        elif not correct:
            raise InvalidInput(
                "A MULTI_SELECT question has at least one correct option.",
                field=f"{at}.correctOptionIds",
            )


def put_quiz(session: Session, *, course_id: int, data: QuizPut) -> Quiz:
    """Create the course's quiz, or replace it whole (same quiz id; started attempts keep
    the questions they were given)."""
    course = repository.get_course(session, course_id)
    if course is None:
        raise NotFound(f"Course {course_id} not found.")
    validate_questions(data.questions)
    questions = [q.model_dump(mode="json") for q in data.questions]
    title = data.title or course.title
    quiz = course.quiz
    if quiz is None:
        quiz = Quiz(
            course_id=course.id,
            title=title,
            pass_threshold=data.pass_threshold,
            questions=questions,
        )
        session.add(quiz)
    else:
        quiz.title = title
        quiz.pass_threshold = data.pass_threshold
        quiz.questions = questions
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        # Two first PUTs racing on the unique course_id: the loser retries as a replace.
        raise Conflict("The quiz was created concurrently; send the PUT again.") from exc
    return quiz


# --- attempts -------------------------------------------------------------------


def _public_questions(questions: Sequence[dict[str, Any]]) -> list[QuestionPublic]:
    return [
        QuestionPublic(id=q["id"], question=q["question"], type=q["type"], options=q["options"])
        for q in questions
    ]


def start_attempt(session: Session, *, principal: Principal, quiz_id: int) -> AttemptStarted:
    quiz = repository.get_quiz(session, quiz_id)
    if (
        quiz is None
        or not _can_see_track(principal, quiz.course.track)
        or not (quiz.course.is_active or principal.is_admin)
    ):
        raise NotFound(f"Quiz {quiz_id} not found.")
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=principal.user_id,
        questions=list(quiz.questions),
        pass_threshold=quiz.pass_threshold,
    )
    session.add(attempt)
    session.flush()
    return AttemptStarted(
        attempt_id=attempt.id,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        required_score=grading.required_score(Decimal(quiz.pass_threshold)),
        questions=_public_questions(attempt.questions),
    )


def _own_attempt(session: Session, principal: Principal, attempt_id: int) -> QuizAttempt:
    attempt = repository.get_attempt(session, attempt_id)
    # Someone else's attempt is reported exactly like a missing one.
    if attempt is None or attempt.user_id != principal.user_id:
        raise NotFound(f"Attempt {attempt_id} not found.")
    return attempt


def _keys(questions: Sequence[dict[str, Any]]) -> list[grading.QuestionKey]:
    return [grading.QuestionKey(q["id"], frozenset(q["correct_option_ids"])) for q in questions]


def submit_attempt(
    session: Session, *, principal: Principal, attempt_id: int, answers: Sequence[AnswerIn]
) -> AttemptResult:
    """Grade an attempt once; a second or concurrent submit is a 409 that changes nothing."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    answer_values = [grading.Answer(a.question_id, tuple(a.selected_option_ids)) for a in answers]
    try:
        result = grading.grade(
            _keys(attempt.questions), answer_values, Decimal(attempt.pass_threshold)
        )
    except grading.AnswerError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    won = repository.mark_submitted(
        session,
        attempt_id=attempt.id,
        user_id=principal.user_id,
        values={
            "submitted_at": utcnow(),
            "answers": [
                {"question_id": g.question_id, "selected_option_ids": list(g.selected)}
                for g in result.questions
            ],
            "correct_count": result.correct_count,
            "total_questions": result.total_questions,
            "score": result.score,
            "passed": result.passed,
        },
    )
    if not won:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    return _result(session, attempt)


def _result(session: Session, attempt: QuizAttempt) -> AttemptResult:
    assert attempt.submitted_at is not None and attempt.answers is not None
    selected = {a["question_id"]: a["selected_option_ids"] for a in attempt.answers}
    correct_ids = {
        q["id"]: bool(selected.get(q["id"]))
        and set(selected[q["id"]]) == set(q["correct_option_ids"])
        for q in attempt.questions
    }
    track_id = attempt.quiz.course.track_id
    return AttemptResult(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=attempt.quiz.course_id,
        track_id=track_id,
        score=attempt.score or 0,
        passed=bool(attempt.passed),
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        correct_count=attempt.correct_count or 0,
        total_questions=attempt.total_questions or 0,
        track_completed=track_completed(session, user_id=attempt.user_id, track_id=track_id),
        submitted_at=attempt.submitted_at,
        feedback=[
            QuestionFeedback(
                question_id=q["id"],
                question=q["question"],
                correct=correct_ids[q["id"]],
                selected=selected.get(q["id"], []),
                correct_option_ids=q["correct_option_ids"],
                explanation=q.get("explanation"),
            )
            for q in attempt.questions
        ],
    )


def get_attempt(session: Session, *, principal: Principal, attempt_id: int) -> AttemptRead:
    """The caller's attempt: its questions, and the graded result once submitted."""
    attempt = _own_attempt(session, principal, attempt_id)
    return AttemptRead(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=attempt.quiz.course_id,
        title=attempt.quiz.title,
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        questions=_public_questions(attempt.questions),
        result=_result(session, attempt) if attempt.submitted_at is not None else None,
    )


def get_attempt_result(session: Session, *, principal: Principal, attempt_id: int) -> AttemptResult:
    """The graded result with per-question feedback; 409 before the attempt is submitted."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is None:
        raise Conflict(f"Attempt {attempt_id} has not been submitted yet.")
    return _result(session, attempt)


# --- certificates -----------------------------------------------------------------


def issue_certificate(
    session: Session, *, principal: Principal, track_id: int, settings: Settings
) -> tuple[CertificateRead, bool]:
    """(certificate, created): the caller's active certificate for the track's current major
    version if there is one, otherwise a new one when the track is complete (409 if not)."""
    track = _visible_track(session, principal, track_id)
    existing = _active_certificate(session, principal.user_id, track)
    if existing is not None:
        return certificate_read(existing), False
    # Serialise issuance for this user, then look again: a concurrent request
    # for the same track may have just issued one.
    repository.lock_user(session, principal.user_id)
    existing = _active_certificate(session, principal.user_id, track)
    if existing is not None:
        return certificate_read(existing), False
    now = utcnow()
    progress = _progress_for_tracks(session, user_id=principal.user_id, tracks=[track], now=now)
    if not progress[track.id].completed:
        raise Conflict(
            "The track is not complete: pass every course quiz first.",
            extra={"trackId": track.id},
        )
    user = session.get(User, principal.user_id)
    assert user is not None
    # The counter lock is taken last and held to commit: numbers stay gapless.
    serial = repository.allocate_serial(session, now.year)
    certificate = Certificate(
        certificate_number=format_certificate_number(now.year, serial),
        issue_year=now.year,
        serial=serial,
        verification_code=new_verification_code(),
        user_id=user.id,
        track_id=track.id,
        recipient_name=user.name,
        track_name=track.name,
        track_version=track.version,
        track_major=track.version_major,
        issued_at=now,
        expires_at=expiry_for(now, track.validity_days),
    )
    certificate.track = track
    session.add(certificate)
    session.flush()
    return certificate_read(certificate, now=now), True


def _active_certificate(session: Session, user_id: int, track: Track) -> Certificate | None:
    now = utcnow()
    for certificate in repository.certificates_of(session, user_id=user_id, track_id=track.id):
        if status_of(certificate, now=now) is CertificateStatus.ACTIVE:
            return certificate
    return None


def list_certificates(session: Session, *, principal: Principal) -> list[CertificateRead]:
    """The caller's certificates, newest first."""
    now = utcnow()
    return [
        certificate_read(c, now=now)
        for c in repository.certificates_of(session, user_id=principal.user_id)
    ]


def _readable_certificate(
    session: Session, principal: Principal, certificate_id: int
) -> Certificate:
    certificate = repository.get_certificate(session, certificate_id)
    if certificate is None or not (certificate.user_id == principal.user_id or principal.is_admin):
        raise NotFound(f"Certificate {certificate_id} not found.")
    return certificate


def get_certificate(
    session: Session, *, principal: Principal, certificate_id: int
) -> CertificateRead:
    return certificate_read(_readable_certificate(session, principal, certificate_id))


def certificate_document(certificate: Certificate, *, settings: Settings) -> CertificateDocument:
    return CertificateDocument(
        recipient_name=certificate.recipient_name,
        track_name=certificate.track_name,
        track_version=certificate.track_version,
        certificate_number=certificate.certificate_number,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        verification_url=verification_url(settings.public_base_url, certificate.verification_code),
    )


def render_certificate_pdf(
    session: Session, *, principal: Principal, certificate_id: int, settings: Settings
) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one of the caller's certificates (admins: any)."""
    certificate = _readable_certificate(session, principal, certificate_id)
    return (
        f"{certificate.certificate_number}.pdf",
        render_pdf(certificate_document(certificate, settings=settings)),
    )


def revoke_certificate(
    session: Session, *, principal: Principal, certificate_id: int, reason: str
) -> CertificateRead:
    certificate = repository.get_certificate(session, certificate_id)
    if certificate is None:
        raise NotFound(f"Certificate {certificate_id} not found.")
    if certificate.revoked_at is not None:
        raise Conflict(f"Certificate {certificate.certificate_number} is already revoked.")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = principal.user_id
    session.flush()
    return certificate_read(certificate)


_CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]+")


def verify_certificate(session: Session, *, code: str) -> VerificationRead:
    """Public check of a verification code; an unknown code (or a certificate number) is 404."""
    certificate = (
        repository.get_certificate_by_code(session, code)
        if _CODE_SHAPE.fullmatch(code) and len(code) <= MAX_VERIFICATION_CODE_LENGTH
        else None
    )
    if certificate is None:
        raise NotFound("No certificate has this verification code.")
    status = status_of(certificate)
    return VerificationRead(
        valid=status is CertificateStatus.ACTIVE,
        status=status,
        certificate_number=certificate.certificate_number,
        recipient_name=certificate.recipient_name,
        track_name=certificate.track_name,
        track_version=certificate.track_version,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )
