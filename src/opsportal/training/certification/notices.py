"""What a certificate's holder is told when it is revoked: an in-app notification and an email."""

from __future__ import annotations

from opsportal.models import Certificate
from opsportal.notifications.service import UserNotice

CERTIFICATE_REVOKED = "certificate_revoked"


def revocation_notice(certificate: Certificate, *, email: str, base_url: str) -> UserNotice:
    """The holder's notice of a revocation: which certificate, when, why, and what it means."""
    assert certificate.revoked_at is not None and certificate.revoked_reason is not None
    number, track = certificate.certificate_number, certificate.track_name
    when = certificate.revoked_at.date().isoformat()
    link = f"/certificates/{certificate.id}"
    title = f"Certificate revoked: {track}"
    body = (
        f"Your certificate {number} for “{track}” (version {certificate.track_version}) "
        f"was revoked on {when}. Reason: {certificate.revoked_reason}"
    )
    return UserNotice(
        user_id=certificate.user_id,
        email=email,
        kind=CERTIFICATE_REVOKED,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"{CERTIFICATE_REVOKED}:{certificate.id}",
        email_subject=f"opsportal: your certificate {number} was revoked",
        email_body=(
            f"{body}\n\n"
            "The certificate is no longer valid: its verification page, its PDF and its "
            "Open Badges credential now say that it was revoked. If you think this is a "
            "mistake, contact the person who administers your training.\n\n"
            f"{base_url.rstrip('/')}{link}\n"
        ),
    )
