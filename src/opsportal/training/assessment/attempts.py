"""Quiz attempts: start one under the quiz's policy, submit it once, read it and its result."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.models import Quiz, QuizAttempt
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.assessment import events, extra_time, grading, policy
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.catalogue.service import can_see_track
from opsportal.training.certificates import CertificateStatus
from opsportal.training.progress import status_of, track_completed
from opsportal.training.schemas import (
    AnswerIn,
    AttemptRead,
    AttemptResult,
    AttemptStarted,
    QuestionFeedback,
    QuestionFeedbackRevealed,
    QuestionPublic,
    QuizStatus,
)
from opsportal.training.translations import serving
from opsportal.training.translations.status import (
    Served,
    translate_questions,
    translate_quiz_title,
)

# Unpredictable draws and orders: a learner must not be able to foresee the next attempt.
_RANDOM = random.SystemRandom()


class PolicyRefusal(Conflict):
    """409: the policy forbids a start now; `rule` names it, `retryAfter` if waiting helps."""

    def __init__(self, refusal: policy.Refusal) -> None:
        extra: dict[str, Any] = {"rule": refusal.rule}
        if refusal.retry_after is not None:
            extra["retryAfter"] = refusal.retry_after
            extra["availableAt"] = refusal.available_at
        super().__init__(refusal.message, extra=extra)
        if refusal.retry_after is not None:
            self.headers["Retry-After"] = str(max(1, refusal.retry_after))


def _public_questions(
    questions: Sequence[dict[str, Any]], served: Served, *, course_id: int
) -> list[QuestionPublic]:
    """The questions without their answer key, in the served language."""
    return [
        QuestionPublic(id=q["id"], question=q["question"], type=q["type"], options=q["options"])
        for q in _translated(questions, served, course_id=course_id)
    ]


def _translated(
    questions: Sequence[dict[str, Any]], served: Served, *, course_id: int
) -> list[dict[str, Any]]:
    # The snapshot keeps the author's texts; the language is chosen each time it is shown,
    # so a learner who switches language mid-attempt sees the new one and loses nothing.
    if not served.texts:
        return list(questions)
    return translate_questions(questions, served.texts, course_id=course_id)


def _title(quiz: Quiz, served: Served) -> str:
    return translate_quiz_title(
        served.texts, course_id=quiz.course_id, title=quiz.title, course_title=quiz.course.title
    )


def visible_quiz(session: Session, principal: Principal, quiz_id: int) -> Quiz:
    quiz = repository.get_quiz(session, quiz_id)
    if (
        quiz is None
        or not can_see_track(principal, quiz.course.track)
        or not (quiz.course.is_active or principal.is_admin)
    ):
        raise NotFound(f"Quiz {quiz_id} not found.")
    return quiz


def _counting_since(
    session: Session, *, user_id: int, quiz: Quiz, now: datetime
) -> datetime | None:
    """Attempts count from the newest lapsed certificate of the track on, the same cut-off
    as progress: a learner re-certifying after expiry or revocation gets fresh attempts."""
    certificates = repository.certificates_of(
        session, user_id=user_id, track_id=quiz.course.track_id
    )
    lapsed = [
        c.issued_at for c in certificates if status_of(c, now=now) is not CertificateStatus.ACTIVE
    ]
    return max(lapsed, default=None)


def _limits(quiz: Quiz) -> policy.Limits:
    return policy.Limits(max_attempts=quiz.max_attempts, cooldown_minutes=quiz.cooldown_minutes)


def _last_attempt_at(attempts: Sequence[QuizAttempt]) -> datetime | None:
    return max((a.submitted_at or a.started_at for a in attempts), default=None)


def _is_open(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and not policy.is_late(attempt.deadline_at, now)


def start_attempt(
    session: Session,
    *,
    principal: Principal,
    quiz_id: int,
    now: datetime | None = None,
    locale: str | None = None,
) -> AttemptStarted:
    """Start an attempt if the policy allows it now (409 naming the rule otherwise); its
    questions in the language `locale` asks for, if the track is complete in it."""
    quiz = visible_quiz(session, principal, quiz_id)
    now = now or utcnow()
    # Lock first, then count: a concurrent start by the same learner waits here and
    # then sees this one's attempt, so maxAttempts holds across requests and processes.
    attempt_repository.lock_attempt_counter(session, user_id=principal.user_id, quiz_id=quiz.id)
    since = _counting_since(session, user_id=principal.user_id, quiz=quiz, now=now)
    started, last_attempt_at = attempt_repository.attempt_tally(
        session, user_id=principal.user_id, quiz_id=quiz.id, since=since
    )
    refusal = policy.start_refusal(
        _limits(quiz),
        attempts_started=started,
        last_attempt_at=last_attempt_at,
        now=now,
    )
    if refusal is not None:
        raise PolicyRefusal(refusal)
    extra = extra_time.extra_minutes_for(
        session,
        user_id=principal.user_id,
        track_id=quiz.course.track_id,
        time_limit_minutes=quiz.time_limit_minutes,
    )
    questions = policy.draw_questions(
        quiz.questions,
        per_attempt=quiz.questions_per_attempt,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        rng=_RANDOM,
    )
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=principal.user_id,
        questions=questions,
        pass_threshold=quiz.pass_threshold,
        started_at=now,
        deadline_at=policy.deadline(now, quiz.time_limit_minutes, extra),
        extra_minutes=extra or None,
    )
    served = serving.served_track(session, track_id=quiz.course.track_id, requested=locale)
    attempt.locale = served.locale
    session.add(attempt)
    session.flush()
    events.attempt_started(session, attempt)
    return AttemptStarted(
        attempt_id=attempt.id,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=_title(quiz, served),
        required_score=grading.required_score(Decimal(quiz.pass_threshold)),
        deadline_at=attempt.deadline_at,
        extra_minutes=extra,
        questions=_public_questions(attempt.questions, served, course_id=quiz.course_id),
        locale=served.locale,
    )


def quiz_status(
    session: Session, *, principal: Principal, quiz_id: int, now: datetime | None = None
) -> QuizStatus:
    """The quiz's rules and the caller's standing: attempts left, cooldown, an open attempt."""
    quiz = visible_quiz(session, principal, quiz_id)
    now = now or utcnow()
    since = _counting_since(session, user_id=principal.user_id, quiz=quiz, now=now)
    attempts = attempt_repository.attempts_of(
        session, user_id=principal.user_id, quiz_id=quiz.id, since=since
    )
    open_attempt = next((a for a in reversed(attempts) if _is_open(a, now)), None)
    refusal = policy.start_refusal(
        _limits(quiz),
        attempts_started=len(attempts),
        last_attempt_at=_last_attempt_at(attempts),
        now=now,
    )
    return QuizStatus(
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        question_count=quiz.questions_per_attempt or len(quiz.questions),
        required_score=grading.required_score(Decimal(quiz.pass_threshold)),
        reveal_answers=quiz.reveal_answers,
        max_attempts=quiz.max_attempts,
        attempts_used=len(attempts),
        attempts_left=policy.attempts_left(quiz.max_attempts, len(attempts)),
        cooldown_minutes=quiz.cooldown_minutes,
        time_limit_minutes=quiz.time_limit_minutes,
        extra_minutes=extra_time.extra_minutes_for(
            session,
            user_id=principal.user_id,
            track_id=quiz.course.track_id,
            time_limit_minutes=quiz.time_limit_minutes,
        ),
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        passed=attempt_repository.has_passed(session, user_id=principal.user_id, quiz_id=quiz.id),
        can_start=refusal is None,
        refusal_rule=refusal.rule if refusal else None,
        refusal_message=refusal.message if refusal else None,
        available_at=refusal.available_at if refusal else None,
        open_attempt_id=open_attempt.id if open_attempt else None,
    )


def own_attempt(session: Session, principal: Principal, attempt_id: int) -> QuizAttempt:
    attempt = repository.get_attempt(session, attempt_id)
    # Someone else's attempt is reported exactly like a missing one.
    if attempt is None or attempt.user_id != principal.user_id:
        raise NotFound(f"Attempt {attempt_id} not found.")
    return attempt


def keys(questions: Sequence[dict[str, Any]]) -> list[grading.QuestionKey]:
    return [grading.QuestionKey(q["id"], frozenset(q["correct_option_ids"])) for q in questions]


def submit_attempt(
    session: Session,
    *,
    principal: Principal,
    attempt_id: int,
    answers: Sequence[AnswerIn],
    now: datetime | None = None,
    locale: str | None = None,
) -> AttemptResult:
    """Grade an attempt once; a second or concurrent submit is a 409 that changes nothing.

    After the time limit and its grace the answers are still graded (the score
    says what they were worth) but the attempt fails, with `timeExpired`.
    """
    attempt = own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    now = now or utcnow()
    answer_values = [grading.Answer(a.question_id, tuple(a.selected_option_ids)) for a in answers]
    try:
        result = grading.grade(
            keys(attempt.questions), answer_values, Decimal(attempt.pass_threshold)
        )
    except grading.AnswerError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    late = policy.is_late(attempt.deadline_at, now)
    served = _served(session, attempt, locale)
    won = repository.mark_submitted(
        session,
        attempt_id=attempt.id,
        user_id=principal.user_id,
        values={
            "submitted_at": now,
            "answers": [
                {"question_id": g.question_id, "selected_option_ids": list(g.selected)}
                for g in result.questions
            ],
            "correct_count": result.correct_count,
            "total_questions": result.total_questions,
            "score": result.score,
            "passed": result.passed and not late,
            "time_expired": late,
            # The language the learner last had the questions in, for item statistics.
            "locale": served.locale,
        },
    )
    if not won:
        raise Conflict(f"Attempt {attempt_id} has already been submitted.")
    events.attempt_submitted(session, attempt)
    return _result(session, attempt, served)


def _served(session: Session, attempt: QuizAttempt, locale: str | None) -> Served:
    return serving.served_track(session, track_id=attempt.quiz.course.track_id, requested=locale)


def _result(session: Session, attempt: QuizAttempt, served: Served) -> AttemptResult:
    assert attempt.submitted_at is not None and attempt.answers is not None
    selected = {a["question_id"]: a["selected_option_ids"] for a in attempt.answers}
    graded = {
        g.question_id: g.correct
        for g in grading.grade(
            keys(attempt.questions),
            [grading.Answer(q, tuple(s)) for q, s in selected.items()],
            Decimal(attempt.pass_threshold),
        ).questions
    }
    has_passed = attempt_repository.has_passed(
        session, user_id=attempt.user_id, quiz_id=attempt.quiz_id
    )
    revealed = policy.answers_revealed(attempt.quiz.reveal_answers, has_passed=has_passed)
    feedback: list[QuestionFeedbackRevealed | QuestionFeedback] = []
    for q in _translated(attempt.questions, served, course_id=attempt.quiz.course_id):
        common = {
            "question_id": q["id"],
            "question": q["question"],
            "correct": graded[q["id"]],
            "selected": selected.get(q["id"], []),
        }
        if revealed:
            feedback.append(
                QuestionFeedbackRevealed(
                    **common,
                    correct_option_ids=q["correct_option_ids"],
                    explanation=q.get("explanation"),
                )
            )
        else:
            feedback.append(QuestionFeedback(**common))
    course = attempt.quiz.course
    track_id = course.track_id
    # A track whose active course's quiz the learner has never passed is not complete:
    # the progress rule (its certificates, passes and SCORM completions, a handful of
    # queries) is worked out only where the answer could be yes.
    completed = (has_passed or not course.is_active) and track_completed(
        session, user_id=attempt.user_id, track_id=track_id
    )
    return AttemptResult(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=course.id,
        track_id=track_id,
        score=attempt.score or 0,
        passed=bool(attempt.passed),
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        correct_count=attempt.correct_count or 0,
        total_questions=attempt.total_questions or 0,
        track_completed=completed,
        submitted_at=attempt.submitted_at,
        time_expired=attempt.time_expired,
        answers_revealed=revealed,
        regraded_at=attempt.regraded_at,
        feedback=feedback,
        locale=served.locale,
    )


def get_attempt(
    session: Session, *, principal: Principal, attempt_id: int, locale: str | None = None
) -> AttemptRead:
    """The caller's attempt: its questions, and the graded result once submitted, in the
    language `locale` asks for if the track is complete in it."""
    attempt = own_attempt(session, principal, attempt_id)
    served = _served(session, attempt, locale)
    course_id = attempt.quiz.course_id
    return AttemptRead(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=course_id,
        title=_title(attempt.quiz, served),
        required_score=grading.required_score(Decimal(attempt.pass_threshold)),
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        extra_minutes=attempt.extra_minutes or 0,
        submitted_at=attempt.submitted_at,
        questions=_public_questions(attempt.questions, served, course_id=course_id),
        result=_result(session, attempt, served) if attempt.submitted_at is not None else None,
        locale=served.locale,
    )


def get_attempt_result(
    session: Session, *, principal: Principal, attempt_id: int, locale: str | None = None
) -> AttemptResult:
    """The graded result with per-question feedback; 409 before the attempt is submitted."""
    attempt = own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is None:
        raise Conflict(f"Attempt {attempt_id} has not been submitted yet.")
    return _result(session, attempt, _served(session, attempt, locale))
