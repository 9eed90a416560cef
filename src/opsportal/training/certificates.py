"""Certificate rules in one place: status, numbering, verification codes."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import unicodedata
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


# What a certificate says of an erased holder, where the name stood.
NAME_WITHHELD = "Holder's name withheld"
NAME_SALT_BYTES = 16


def normalised_name(name: str) -> str:
    """A name as people type it, made comparable: Unicode NFKC, case folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def new_name_salt() -> str:
    return secrets.token_hex(NAME_SALT_BYTES)


def name_hash(name: str, salt: str) -> str:
    """Open Badges' identity hash of the normalised name: "sha256$" + hex SHA-256 of name + salt."""
    digest = hashlib.sha256((normalised_name(name) + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def name_matches(name: str, *, salt: str, expected: str) -> bool:
    return hmac.compare_digest(name_hash(name, salt), expected)


def credential_filename(certificate_number: str, track_name: str) -> str:
    """The Open Badges file's name, saying what it is: `open-badge-<track>-<number>.jwt`.

    ASCII only (accents dropped, anything else a hyphen), so every browser and
    wallet keeps it as given.
    """
    ascii_name = unicodedata.normalize("NFKD", track_name).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_name.lower()).split())
    return f"open-badge-{slug[:60].strip('-') or 'certificate'}-{certificate_number}.jwt"
