"""Certificate rules in one place: status, numbering, verification codes."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta

# 24 random bytes = 192 bits, URL-safe base64 (32 characters).
VERIFICATION_CODE_BYTES = 24
MAX_VERIFICATION_CODE_LENGTH = 64


class CertificateStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def certificate_status(
    *,
    expires_at: datetime,
    revoked_at: datetime | None,
    certificate_major: int,
    track_major: int,
    now: datetime,
) -> CertificateStatus:
    """The one definition of a certificate's status, used by every reader.

    Revoked wins over expired; a certificate expires at `expires_at` (issue
    date plus the track's validity) or as soon as the track's major version
    moves past the one it certified.
    """
    if revoked_at is not None:
        return CertificateStatus.REVOKED
    if now >= expires_at or track_major > certificate_major:
        return CertificateStatus.EXPIRED
    return CertificateStatus.ACTIVE


def expiry_for(issued_at: datetime, validity_days: int) -> datetime:
    return issued_at + timedelta(days=validity_days)


def format_certificate_number(year: int, serial: int) -> str:
    return f"CERT-{year:04d}-{serial:05d}"


def new_verification_code() -> str:
    return secrets.token_urlsafe(VERIFICATION_CODE_BYTES)


def verification_url(public_base_url: str, code: str) -> str:
    return f"{public_base_url.rstrip('/')}/verify/{code}"
