"""An Open Badges 3.0 `OpenBadgeCredential` from plain values, and its JWT claims.

Pure: the service gathers the certificate, track and status entry and hands
them over as a `BadgeFacts`, the achievement's name already in the holder's
language (`training.achievements`). The credential is secured as a VC-JWT the way
Open Badges 3.0 (section 8.2) and VC-JOSE-COSE describe it: the JWT payload is
the credential itself, with `iss`, `jti`, `nbf` and `exp` mirroring `issuer.id`,
`id`, `validFrom` and `validUntil`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from opsportal.i18n import DEFAULT_LOCALE, _, language_tag, using_locale

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MEDIA_TYPE = "application/vc+jwt"
LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class BadgeFacts:
    base_url: str
    issuer_name: str
    verification_code: str
    certificate_number: str
    # Both None once the holder was erased: the credential then names them only
    # by `recipient_name_hash` (salted with `recipient_name_salt`).
    recipient_name: str | None
    recipient_email: str | None
    salt: str
    track_id: int
    # The achievement's name and description in `language` (achievements.achievement_name).
    track_name: str
    track_version: str
    track_major: int
    track_description: str
    issued_at: datetime
    expires_at: datetime
    status_list_id: int
    status_index: int
    recipient_name_hash: str | None = None
    recipient_name_salt: str | None = None
    # The locale the achievement's words are in ("de", "pt_BR"): the credential says so.
    language: str = DEFAULT_LOCALE


def _identifiers(facts: BadgeFacts) -> list[dict[str, Any]]:
    """How the credential names its subject: hashed email and plain name, or the name's hash."""
    found: list[dict[str, Any]] = []
    if facts.recipient_email is not None:
        found.append(
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(normalised_email(facts.recipient_email), facts.salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": facts.salt,
            }
        )
    if facts.recipient_name is not None:
        found.append(
            {
                "type": "IdentityObject",
                "identityHash": facts.recipient_name,
                "identityType": "name",
                "hashed": False,
            }
        )
    elif facts.recipient_name_hash is not None:
        found.append(
            {
                "type": "IdentityObject",
                "identityHash": facts.recipient_name_hash,
                "identityType": "name",
                "hashed": True,
                "salt": facts.recipient_name_salt,
            }
        )
    return found


def issuer_id(base_url: str) -> str:
    return f"{base_url}/api/v1/credentials/issuer"


def issuer_profile(base_url: str, name: str) -> dict[str, Any]:
    return {"id": issuer_id(base_url), "type": ["Profile"], "name": name, "url": base_url}


def credential_url(base_url: str, code: str) -> str:
    return f"{base_url}/api/v1/certificates/verify/{code}/credential"


def status_list_url(base_url: str, list_id: int) -> str:
    return f"{base_url}/api/v1/credentials/status/{list_id}"


def identity_hash(identity: str, salt: str) -> str:
    """Open Badges' salted identity hash: "sha256$" + hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def normalised_email(email: str) -> str:
    # Hashed as a verifier would type it: addresses are compared case-insensitively.
    return email.strip().lower()


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp())


def open_badge_credential(facts: BadgeFacts) -> dict[str, Any]:
    """The credential, its words in `facts.language`, which `inLanguage` names.

    Open Badges 3.0 gives an Achievement one language, `inLanguage` (a BCP 47
    tag, schema.org's), and plain strings for its name and description: a wallet
    shows them as they are.
    """
    base = facts.base_url
    version = facts.track_version
    with using_locale(facts.language):
        description = facts.track_description or _(
            "Completion of the %(track)s certification track.", track=facts.track_name
        )
        narrative = _(
            "Passed the quiz of every course of the %(track)s track, version %(version)s, "
            "with at least the required score.",
            track=facts.track_name,
            version=version,
        )
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_url(base, facts.verification_code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.track_name,
        "issuer": issuer_profile(base, facts.issuer_name),
        "validFrom": timestamp(facts.issued_at),
        "validUntil": timestamp(facts.expires_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            **({"name": facts.recipient_name} if facts.recipient_name is not None else {}),
            "identifier": _identifiers(facts),
            "achievement": {
                "id": f"{base}/achievements/track-{facts.track_id}/v{facts.track_major}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": facts.track_name,
                "description": description,
                "criteria": {"narrative": narrative},
                "inLanguage": language_tag(facts.language),
                "version": version,
                "humanCode": facts.certificate_number,
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url(base, facts.status_list_id)}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": status_list_url(base, facts.status_list_id),
        },
    }


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with the registered JWT claims that must agree with it."""
    issuer = credential["issuer"]
    claims = dict(credential)
    claims["iss"] = issuer["id"] if isinstance(issuer, dict) else issuer
    claims["jti"] = credential["id"]
    claims["nbf"] = _seconds(datetime.fromisoformat(credential["validFrom"]))
    if "validUntil" in credential:
        claims["exp"] = _seconds(datetime.fromisoformat(credential["validUntil"]))
    return claims


def status_list_credential(
    *, base_url: str, issuer_name: str, list_id: int, encoded_list: str, now: datetime
) -> dict[str, Any]:
    url = status_list_url(base_url, list_id)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(base_url, issuer_name),
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def linkedin_add_url(
    *,
    certification_name: str,
    organization_name: str,
    issued_at: datetime,
    expires_at: datetime,
    verification_url: str,
    certificate_number: str,
) -> str:
    """LinkedIn's "Add licence or certification" form, filled in."""
    return (
        LINKEDIN_ADD_URL
        + "?"
        + urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": certification_name,
                "organizationName": organization_name,
                "issueYear": issued_at.year,
                "issueMonth": issued_at.month,
                "expirationYear": expires_at.year,
                "expirationMonth": expires_at.month,
                "certUrl": verification_url,
                "certId": certificate_number,
            }
        )
    )
