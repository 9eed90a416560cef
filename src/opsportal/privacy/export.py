"""A person's data as one ZIP: JSON per kind, their certificates as PDFs and as credentials.

One function per file the registry names (`registry.py`: `export`), checked by
the registry's test, so a table declared as exported is in the archive.
"""

from __future__ import annotations

import enum
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.errors import NotFound
from opsportal.i18n import recipient_locale
from opsportal.models import Organization, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.privacy import repository
from opsportal.training.certification.pdf import render_pdf
from opsportal.training.certification.service import certificate_document
from opsportal.training.credentials.service import credential_jwt
from opsportal.users.service import get_user

README = """Your data in opsportal, exported {when} for user {user_id}.

person.json                 your account: email, name, role, organisation
api-tokens.json             your API tokens' labels and dates (never the tokens)
training/attempts.json      your quiz attempts: questions as shown, your answers, scores
training/scorm-attempts.json  your SCORM courses: status, score, place and saved data
training/assignments.json   the training assigned to you and when it is due
training/course-reads.json  the courses you marked as read
training/extra-time.json    extra time you were given on timed quizzes
certificates.json           your certificates
certificates/NUMBER.pdf     each certificate as a PDF
credentials/NUMBER.jwt      each certificate as a signed Open Badges 3.0 credential
notifications.json          your in-app notifications
mail.json                   the email opsportal queued or sent to you
audit.json                  the audit trail's entries of what you did, or what was done to you
"""


@dataclass(frozen=True)
class Context:
    session: Session
    factory: SessionFactory
    settings: Settings
    user: User


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _person(ctx: Context) -> Any:
    user = ctx.user
    organization = (
        ctx.session.get(Organization, user.organization_id) if user.organization_id else None
    )
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "organizationId": user.organization_id,
        "organizationName": organization.name if organization else None,
        "isActive": user.is_active,
        "externalId": user.external_id,
        "directoryAttributes": user.scim_attributes,
        "hasPassword": user.password_hash is not None,
        "createdAt": user.created_at,
        "erasedAt": user.erased_at,
    }


def _tokens(ctx: Context) -> Any:
    return [
        {
            "id": t.id,
            "label": t.label,
            "createdAt": t.created_at,
            "expiresAt": t.expires_at,
            "lastUsedAt": t.last_used_at,
            "revokedAt": t.revoked_at,
        }
        for t in repository.tokens_of(ctx.session, ctx.user.id)
    ]


def _attempts(ctx: Context) -> Any:
    return [
        {
            "id": a.id,
            "quizId": a.quiz_id,
            "startedAt": a.started_at,
            "submittedAt": a.submitted_at,
            "questions": a.questions,
            "answers": a.answers,
            "draftAnswers": a.draft_answers,
            "extraMinutes": a.extra_minutes,
            "correctCount": a.correct_count,
            "totalQuestions": a.total_questions,
            "score": a.score,
            "passed": a.passed,
            "timeExpired": a.time_expired,
        }
        for a in repository.attempts_of(ctx.session, ctx.user.id)
    ]


def _scorm_attempts(ctx: Context) -> Any:
    return [
        {
            "id": a.id,
            "courseId": a.course_id,
            "attempt": a.number,
            "startedAt": a.started_at,
            "updatedAt": a.updated_at,
            "completionStatus": a.completion_status,
            "successStatus": a.success_status,
            "scoreRaw": a.score_raw,
            "scoreScaled": a.score_scaled,
            "location": a.location,
            "suspendData": a.suspend_data,
            "totalSeconds": a.total_seconds,
            "completedAt": a.completed_at,
        }
        for a in repository.scorm_attempts_of(ctx.session, ctx.user.id)
    ]


def _assignments(ctx: Context) -> Any:
    return [
        {
            "trackId": a.track_id,
            "organizationId": a.organization_id,
            "dueOn": a.due_on,
            "assignedAt": a.assigned_at,
        }
        for a in repository.assignments_of(ctx.session, ctx.user.id)
    ]


def _extra_time(ctx: Context) -> Any:
    return [
        {
            "trackId": e.track_id,
            "multiplier": e.multiplier,
            "extraMinutes": e.extra_minutes,
            "grantedAt": e.granted_at,
        }
        for e in repository.extra_time_of(ctx.session, ctx.user.id)
    ]


def _reads(ctx: Context) -> Any:
    return [
        {"courseId": r.course_id, "readAt": r.read_at}
        for r in repository.reads_of(ctx.session, ctx.user.id)
    ]


def _certificates(ctx: Context) -> Any:
    return [
        {
            "id": c.id,
            "certificateNumber": c.certificate_number,
            "verificationCode": c.verification_code,
            "recipientName": c.recipient_name if c.recipient_name_hash is None else None,
            "trackName": c.track_name,
            "trackVersion": c.track_version,
            "issuedAt": c.issued_at,
            "expiresAt": c.expires_at,
            "revokedAt": c.revoked_at,
            "revokedReason": c.revoked_reason,
        }
        for c in repository.certificates_of(ctx.session, ctx.user.id)
    ]


def _notifications(ctx: Context) -> Any:
    return [
        {
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "createdAt": n.created_at,
            "readAt": n.read_at,
        }
        for n in repository.notifications_of(ctx.session, ctx.user.id)
    ]


def _mail(ctx: Context) -> Any:
    return [
        {
            "recipient": m.recipient,
            "subject": m.subject,
            "body": m.body,
            "status": m.status,
            "createdAt": m.created_at,
            "sentAt": m.sent_at,
        }
        for m in repository.mail_to(ctx.session, ctx.user.email)
    ]


def _audit(ctx: Context) -> Any:
    return [
        {
            "at": e.at,
            "actorId": e.actor_id,
            "action": e.action,
            "targetType": e.target_type,
            "targetId": e.target_id,
            "detail": e.detail,
        }
        for e in repository.audit_of(ctx.session, ctx.user.id)
    ]


# One per file the registry names (the test checks both ways).
EXPORTERS: dict[str, Callable[[Context], Any]] = {
    "person.json": _person,
    "api-tokens.json": _tokens,
    "training/attempts.json": _attempts,
    "training/scorm-attempts.json": _scorm_attempts,
    "training/assignments.json": _assignments,
    "training/course-reads.json": _reads,
    "training/extra-time.json": _extra_time,
    "certificates.json": _certificates,
    "notifications.json": _notifications,
    "mail.json": _mail,
    "audit.json": _audit,
}


def export_zip(
    session: Session, *, factory: SessionFactory, settings: Settings, user: User
) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of everything opsportal holds about `user`."""
    ctx = Context(session, factory, settings, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=utcnow().isoformat(), user_id=user.id))
        for name, build in EXPORTERS.items():
            archive.writestr(name, json.dumps(_plain(build(ctx)), indent=2, ensure_ascii=False))
        for certificate in repository.certificates_of(session, user.id):
            number = certificate.certificate_number
            locale = recipient_locale(user.locale, settings.default_locale)
            document = certificate_document(session, certificate, settings=settings, locale=locale)
            pdf = render_pdf(document)
            archive.writestr(f"certificates/{number}.pdf", pdf)
            _, token = credential_jwt(
                session, factory=factory, settings=settings, code=certificate.verification_code
            )
            archive.writestr(f"credentials/{number}.jwt", token)
    return f"opsportal-data-user-{user.id}.zip", buffer.getvalue()


def export_for(
    session: Session,
    *,
    principal: Principal,
    user_id: int,
    factory: SessionFactory,
    settings: Settings,
) -> tuple[str, bytes]:
    """A person's export: their own, or one of a user the caller manages (else 404)."""
    if user_id == principal.user_id:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"User {user_id} not found.")
    else:
        # Who may see the user may export them: the same rule, and a 404 for anyone else.
        user = get_user(session, principal=principal, user_id=user_id)
    return export_zip(session, factory=factory, settings=settings, user=user)
