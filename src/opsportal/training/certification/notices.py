"""What a certificate's holder is told when it is revoked: an in-app notification and an email.

Written in the holder's language (`locale`); the reason stays as the admin typed it.
"""

from __future__ import annotations

from opsportal.i18n import _, format_day, using_locale
from opsportal.models import Certificate
from opsportal.notifications.service import UserNotice

CERTIFICATE_REVOKED = "certificate_revoked"


def revocation_notice(
    certificate: Certificate, *, email: str, base_url: str, locale: str
) -> UserNotice:
    """The holder's notice of a revocation: which certificate, when, why, and what it means."""
    assert certificate.revoked_at is not None and certificate.revoked_reason is not None
    number, track = certificate.certificate_number, certificate.track_name
    link = f"/certificates/{certificate.id}"
    with using_locale(locale):
        title = _("Certificate revoked: %(track)s", track=track)
        body = _(
            "Your certificate %(number)s for “%(track)s” (version %(version)s) "
            "was revoked on %(day)s. Reason: %(reason)s",
            number=number,
            track=track,
            version=certificate.track_version,
            day=format_day(certificate.revoked_at),
            reason=certificate.revoked_reason,
        )
        subject = _("opsportal: your certificate %(number)s was revoked", number=number)
        meaning = _(
            "The certificate is no longer valid: its verification page, its PDF and its "
            "Open Badges credential now say that it was revoked. If you think this is a "
            "mistake, contact the person who administers your training."
        )
    return UserNotice(
        user_id=certificate.user_id,
        email=email,
        kind=CERTIFICATE_REVOKED,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"{CERTIFICATE_REVOKED}:{certificate.id}",
        email_subject=subject,
        email_body=f"{body}\n\n{meaning}\n\n{base_url.rstrip('/')}{link}\n",
    )
