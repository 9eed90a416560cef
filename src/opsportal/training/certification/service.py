"""Certificates: issue, list, revoke, verify, and render as PDF."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.config import Settings
from opsportal.errors import Conflict, NotFound
from opsportal.i18n import recipient_locale
from opsportal.models import Certificate, Track, User
from opsportal.models.base import utcnow
from opsportal.notifications.service import notify_users
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.achievements import achievement_name
from opsportal.training.catalogue.service import visible_track
from opsportal.training.certificates import (
    NAME_WITHHELD,
    CertificateStatus,
    expiry_for,
    format_certificate_number,
    name_matches,
    new_verification_code,
    normalised_name,
    verification_url,
)
from opsportal.training.certification import events
from opsportal.training.certification.notices import revocation_notice
from opsportal.training.certification.pdf import CertificateDocument, render_pdf
from opsportal.training.credentials.service import (
    assign_status_entry,
    certificate_by_code,
    share_links,
)
from opsportal.training.progress import certificate_read, progress_for_tracks, status_of
from opsportal.training.schemas import CertificateRead, VerificationRead
from opsportal.web.i18n import N_
from opsportal.web.translatable import Translatable


def new_certificate(
    session: Session, *, track: Track, user_id: int, recipient_name: str, issued_at: datetime
) -> Certificate:
    """A certificate of the track's current version, numbered next in its year (added, not
    flushed). Takes the year's counter lock, which is held until the transaction ends."""
    serial = repository.allocate_serial(session, issued_at.year)
    certificate = Certificate(
        certificate_number=format_certificate_number(issued_at.year, serial),
        issue_year=issued_at.year,
        serial=serial,
        verification_code=new_verification_code(),
        user_id=user_id,
        track_id=track.id,
        recipient_name=recipient_name,
        track_name=track.name,
        track_version=track.version,
        track_major=track.version_major,
        issued_at=issued_at,
        expires_at=expiry_for(issued_at, track.validity_days),
    )
    session.add(certificate)
    return certificate


def issue_certificate(
    session: Session, *, principal: Principal, track_id: int, settings: Settings
) -> tuple[CertificateRead, bool]:
    """(certificate, created): the caller's active certificate for the track's current major
    version if there is one, otherwise a new one when the track is complete (409 if not)."""
    track = visible_track(session, principal, track_id)
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
    progress = progress_for_tracks(session, user_id=principal.user_id, tracks=[track], now=now)
    if not progress[track.id].completed:
        raise Conflict(
            "The track is not complete: pass every course quiz first.",
            extra={"trackId": track.id},
        )
    user = session.get(User, principal.user_id)
    assert user is not None
    # The counter lock is taken last and held to commit: numbers stay gapless.
    certificate = new_certificate(
        session, track=track, user_id=user.id, recipient_name=user.name, issued_at=now
    )
    certificate.track = track
    session.flush()
    # Its bit in the credential status list, fixed from the start.
    assign_status_entry(session, certificate.id)
    events.certificate_issued(session, certificate)
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


def achievement_names(
    session: Session, certificates: list[CertificateRead], *, locale: str
) -> dict[int, str]:
    """Certificate id → its achievement's name as a reader of `locale` is shown it: the
    track's complete translation, else the name it was issued under (as its PDF says)."""
    names = {}
    for certificate in certificates:
        track = session.get(Track, certificate.track_id)
        names[certificate.id] = (
            achievement_name(session, track, locale, issued_name=certificate.track_name).name
            if track is not None
            else certificate.track_name
        )
    return names


def own_certificate(
    session: Session, *, principal: Principal, certificate_id: int
) -> CertificateRead:
    """One of the caller's own certificates; anyone else's (an admin's view too) is a 404."""
    certificate = repository.get_certificate(session, certificate_id)
    if certificate is None or certificate.user_id != principal.user_id:
        raise NotFound(f"Certificate {certificate_id} not found.")
    return certificate_read(certificate)


def certificate_document(
    session: Session, certificate: Certificate, *, settings: Settings, locale: str
) -> CertificateDocument:
    """The PDF's content, in `locale` (the holder's: `holder_locale`)."""
    links = share_links(settings, certificate, verification_code=certificate.verification_code)
    withheld = certificate.recipient_name_hash is not None
    revoked = certificate.revoked_at is not None
    achievement = achievement_name(
        session, certificate.track, locale, issued_name=certificate.track_name
    )
    return CertificateDocument(
        recipient_name=NAME_WITHHELD if withheld else certificate.recipient_name,
        track_name=achievement.name,
        track_version=certificate.track_version,
        certificate_number=certificate.certificate_number,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        verification_url=verification_url(settings.public_base_url, certificate.verification_code),
        # A revoked certificate is nothing to share any more.
        credential_url=None if revoked else links.credential_url,
        linkedin_url=None if revoked else links.linkedin_url,
        revoked_at=certificate.revoked_at,
        revoked_reason=certificate.revoked_reason,
        locale=locale,
    )


def holder_locale(session: Session, certificate: Certificate, *, settings: Settings) -> str:
    """The language a certificate is printed in: its holder's, whoever downloads it."""
    holder = session.get(User, certificate.user_id)
    return recipient_locale(holder.locale if holder else None, settings.default_locale)


def render_certificate_pdf(
    session: Session, *, principal: Principal, certificate_id: int, settings: Settings
) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one of the caller's certificates (admins: any)."""
    certificate = _readable_certificate(session, principal, certificate_id)
    locale = holder_locale(session, certificate, settings=settings)
    return (
        f"{certificate.certificate_number}.pdf",
        render_pdf(certificate_document(session, certificate, settings=settings, locale=locale)),
    )


def revoke_certificate(
    session: Session, *, principal: Principal, certificate_id: int, reason: str, settings: Settings
) -> CertificateRead:
    """Withdraw a certificate for good, with the reason; its holder is told in the app and by
    email (unless the holder's account was deactivated or erased)."""
    certificate = repository.get_certificate(session, certificate_id)
    if certificate is None:
        raise NotFound(f"Certificate {certificate_id} not found.")
    if certificate.revoked_at is not None:
        raise Conflict(
            Translatable(
                N_("Certificate %(number)s is already revoked."),
                number=certificate.certificate_number,
            )
        )
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = principal.user_id
    session.flush()
    audit.record(
        session,
        actor=principal,
        action="certificate.revoke",
        target_type="certificate",
        target_id=certificate.id,
        detail={
            "certificateNumber": certificate.certificate_number,
            "userId": certificate.user_id,
            "reason": reason,
        },
    )
    events.certificate_revoked(session, certificate)
    holder = session.get(User, certificate.user_id)
    if holder is not None and holder.is_active and holder.erased_at is None:
        notice = revocation_notice(
            certificate,
            email=holder.email,
            base_url=settings.public_base_url,
            locale=recipient_locale(holder.locale, settings.default_locale),
        )
        notify_users(session, [notice])
    return certificate_read(certificate)


def verify_certificate(session: Session, *, code: str) -> VerificationRead:
    """Public check of a verification code; an unknown code (or a certificate number) is 404."""
    certificate = certificate_by_code(session, code)
    status = status_of(certificate)
    withheld = certificate.recipient_name_hash is not None
    return VerificationRead(
        valid=status is CertificateStatus.ACTIVE,
        status=status,
        certificate_number=certificate.certificate_number,
        recipient_name=None if withheld else certificate.recipient_name,
        name_withheld=withheld,
        track_name=certificate.track_name,
        track_version=certificate.track_version,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )


def holder_name_matches(session: Session, *, code: str, name: str) -> bool:
    """Whether `name` is the (withheld) holder's name of the certificate with this code.

    For a certificate whose holder was erased: the name is compared, normalised,
    against its salted hash. For one whose name is shown, against the name itself.
    """
    certificate = certificate_by_code(session, code)
    if certificate.recipient_name_hash is None or certificate.recipient_name_salt is None:
        return normalised_name(name) == normalised_name(certificate.recipient_name)
    return name_matches(
        name, salt=certificate.recipient_name_salt, expected=certificate.recipient_name_hash
    )
