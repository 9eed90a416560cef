"""Credential queries: signing keys and status-list entries."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from opsportal.models import Certificate, CredentialKey, CredentialStatusEntry, Track


def current_key(session: Session) -> CredentialKey | None:
    return session.scalars(select(CredentialKey).where(CredentialKey.current.is_(True))).first()


def all_keys(session: Session) -> list[CredentialKey]:
    """Every key, the current one first: all of them still verify what they signed."""
    return list(
        session.scalars(
            select(CredentialKey).order_by(CredentialKey.current.is_(None), CredentialKey.id.desc())
        )
    )


def status_entry(session: Session, certificate_id: int) -> CredentialStatusEntry | None:
    return session.get(CredentialStatusEntry, certificate_id)


def last_list(session: Session) -> tuple[int | None, int]:
    """(the highest list id, how many entries it holds); (None, 0) before the first entry."""
    last = session.scalar(select(func.max(CredentialStatusEntry.list_id)))
    if last is None:
        return None, 0
    used = session.scalar(select(func.count()).where(CredentialStatusEntry.list_id == last))
    return last, int(used or 0)


def used_indexes(session: Session, list_id: int) -> set[int]:
    return set(
        session.scalars(
            select(CredentialStatusEntry.list_index).where(CredentialStatusEntry.list_id == list_id)
        )
    )


def list_exists(session: Session, list_id: int) -> bool:
    return (
        session.scalar(
            select(CredentialStatusEntry.certificate_id)
            .where(CredentialStatusEntry.list_id == list_id)
            .limit(1)
        )
        is not None
    )


def withdrawn_indexes(session: Session, list_id: int) -> list[int]:
    """Bits to set: certificates revoked, or withdrawn by a newer major version of their track."""
    return list(
        session.scalars(
            select(CredentialStatusEntry.list_index)
            .join(Certificate, Certificate.id == CredentialStatusEntry.certificate_id)
            .join(Track, Track.id == Certificate.track_id)
            .where(
                CredentialStatusEntry.list_id == list_id,
                or_(
                    Certificate.revoked_at.is_not(None),
                    Track.version_major > Certificate.track_major,
                ),
            )
        )
    )
