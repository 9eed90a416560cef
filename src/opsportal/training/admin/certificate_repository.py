"""Queries behind the admin certificate list: every certificate, filtered and paged in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from opsportal.models import Certificate, Organization, Track, User
from opsportal.training.admin.repository import certificate_status_is, matches
from opsportal.training.certificates import CertificateStatus


def certificates(
    session: Session,
    *,
    track_id: int | None,
    status: CertificateStatus | None,
    organization_id: int | None,
    search: str | None,
    now: datetime,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Certificate, str, str | None]], int]:
    """(certificate, holder's email, holder's organisation name), newest first."""
    query = (
        select(Certificate, User.email, Organization.name)
        .join(Track, Track.id == Certificate.track_id)
        .join(User, User.id == Certificate.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .options(selectinload(Certificate.track))
    )
    if track_id is not None:
        query = query.where(Certificate.track_id == track_id)
    if status is not None:
        query = query.where(certificate_status_is(status, now))
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if search:
        query = query.where(or_(matches(search), Certificate.certificate_number == search.upper()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(certificate, email, org) for certificate, email, org in rows], total


def certificate_organizations(session: Session, *, track_id: int | None) -> list[tuple[int, str]]:
    query = (
        select(Organization.id, Organization.name)
        .join(User, User.organization_id == Organization.id)
        .join(Certificate, Certificate.user_id == User.id)
    )
    if track_id is not None:
        query = query.where(Certificate.track_id == track_id)
    rows = session.execute(query.distinct().order_by(Organization.name, Organization.id))
    return [(org_id, name) for org_id, name in rows]
