"""Open Badges credentials for certificates, their status lists, and the links that share them."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.errors import NotFound, ServiceBusy
from opsportal.i18n import recipient_locale
from opsportal.models import Certificate, CredentialStatusEntry, User
from opsportal.models.base import utcnow
from opsportal.training import repository as training_repository
from opsportal.training.achievements import achievement_name
from opsportal.training.certificates import (
    MAX_VERIFICATION_CODE_LENGTH,
    credential_filename,
    verification_url,
)
from opsportal.training.credentials import badge, repository, signing, statuslist

_CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]+")
# Two requests drawing the same free bit at once is rare; a handful of retries ends it.
_ALLOCATION_TRIES = 8


@dataclass(frozen=True)
class StatusPlace:
    list_id: int
    index: int
    salt: str


@dataclass(frozen=True)
class ShareLinks:
    verification_url: str
    credential_url: str
    linkedin_url: str


class Shared(Protocol):
    """What the share links tell of a certificate (the model, or a schema read from it)."""

    @property
    def certificate_number(self) -> str: ...
    @property
    def track_name(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


def assign_status_entry(session: Session, certificate_id: int) -> StatusPlace:
    """The certificate's status-list place, allocated now if it has none.

    A random free bit of the latest list; the unique (list, index) and the
    primary key on the certificate settle two allocations racing for the same
    bit or the same certificate (each try is a savepoint).
    """
    for _ in range(_ALLOCATION_TRIES):
        existing = repository.status_entry(session, certificate_id)
        if existing is not None:
            return StatusPlace(existing.list_id, existing.list_index, existing.salt)
        last, used_count = repository.last_list(session)
        list_id = statuslist.place_for(last_list_id=last, used_in_last=used_count)
        used = repository.used_indexes(session, list_id) if list_id == last else set[int]()
        entry = CredentialStatusEntry(
            certificate_id=certificate_id,
            list_id=list_id,
            list_index=statuslist.random_free_index(used),
            salt=secrets.token_hex(16),
        )
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:
            continue  # the savepoint's rollback dropped `entry`; look again
        return StatusPlace(entry.list_id, entry.list_index, entry.salt)
    raise ServiceBusy("Could not reserve a status-list entry; try again.")


def _status_place(session: Session, factory: SessionFactory, certificate_id: int) -> StatusPlace:
    existing = repository.status_entry(session, certificate_id)
    if existing is not None:
        return StatusPlace(existing.list_id, existing.list_index, existing.salt)
    # A certificate issued before credentials existed: allocate in a write
    # transaction of its own (this request's is a read).
    with session_scope(factory) as writer:
        return assign_status_entry(writer, certificate_id)


def certificate_by_code(session: Session, code: str) -> Certificate:
    """The certificate with this verification code; 404 for any other code (a number too)."""
    certificate = (
        training_repository.get_certificate_by_code(session, code)
        if _CODE_SHAPE.fullmatch(code) and len(code) <= MAX_VERIFICATION_CODE_LENGTH
        else None
    )
    if certificate is None:
        raise NotFound("No certificate has this verification code.")
    return certificate


def credential_facts(
    session: Session, factory: SessionFactory, settings: Settings, certificate: Certificate
) -> badge.BadgeFacts:
    user = session.get(User, certificate.user_id)
    assert user is not None  # certificates restrict the deletion of their user
    place = _status_place(session, factory, certificate.id)
    withheld = certificate.recipient_name_hash is not None
    # In the holder's language, as their PDF is, whoever downloads it.
    achievement = achievement_name(
        session,
        certificate.track,
        recipient_locale(user.locale, settings.default_locale),
        issued_name=certificate.track_name,
    )
    return badge.BadgeFacts(
        base_url=settings.public_base_url,
        issuer_name=settings.credential_issuer_name,
        verification_code=certificate.verification_code,
        certificate_number=certificate.certificate_number,
        recipient_name=None if withheld else certificate.recipient_name,
        recipient_email=None if withheld else user.email,
        recipient_name_hash=certificate.recipient_name_hash,
        recipient_name_salt=certificate.recipient_name_salt,
        salt=place.salt,
        track_id=certificate.track_id,
        track_name=achievement.name,
        track_version=certificate.track_version,
        track_major=certificate.track_major,
        track_description=achievement.description,
        language=achievement.language,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        status_list_id=place.list_id,
        status_index=place.index,
    )


def credential_jwt(
    session: Session, *, factory: SessionFactory, settings: Settings, code: str
) -> tuple[str, str]:
    """(file name, VC-JWT) of the certificate with this verification code; unknown code: 404."""
    certificate = certificate_by_code(session, code)
    secret = signing.secret_key(session, settings)
    facts = credential_facts(session, factory, settings, certificate)
    kid, key = signing.current_signer(session, factory, secret)
    claims = badge.jwt_claims(badge.open_badge_credential(facts))
    filename = credential_filename(certificate.certificate_number, certificate.track_name)
    return filename, signing.sign(claims, kid=kid, key=key)


def status_list_jwt(
    session: Session, *, factory: SessionFactory, settings: Settings, list_id: int
) -> str:
    """The list as a signed BitstringStatusListCredential, fresh from the certificates' state."""
    if not repository.list_exists(session, list_id):
        raise NotFound(f"Status list {list_id} not found.")
    secret = signing.secret_key(session, settings)
    encoded = statuslist.encode(repository.withdrawn_indexes(session, list_id))
    credential = badge.status_list_credential(
        base_url=settings.public_base_url,
        issuer_name=settings.credential_issuer_name,
        list_id=list_id,
        encoded_list=encoded,
        now=utcnow(),
    )
    kid, key = signing.current_signer(session, factory, secret)
    return signing.sign(badge.jwt_claims(credential), kid=kid, key=key)


def key_set(session: Session, *, factory: SessionFactory, settings: Settings) -> dict[str, Any]:
    return signing.key_set(session, factory, signing.secret_key(session, settings))


def issuer_profile(settings: Settings) -> dict[str, Any]:
    profile = badge.issuer_profile(settings.public_base_url, settings.credential_issuer_name)
    return {"@context": [badge.VC_CONTEXT, badge.OB_CONTEXT], **profile}


def share_links(settings: Settings, certificate: Shared, *, verification_code: str) -> ShareLinks:
    """Where to download the credential, and LinkedIn's form filled in with the certificate."""
    base = settings.public_base_url
    return ShareLinks(
        verification_url=verification_url(base, verification_code),
        credential_url=badge.credential_url(base, verification_code),
        linkedin_url=badge.linkedin_add_url(
            certification_name=certificate.track_name,
            organization_name=settings.credential_issuer_name,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            verification_url=verification_url(base, verification_code),
            certificate_number=certificate.certificate_number,
        ),
    )
