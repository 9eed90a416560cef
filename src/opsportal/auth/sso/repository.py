"""Queries for single sign-on: domains, identity providers, SAML requests and used assertions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opsportal.models import (
    OrganizationDomain,
    OrganizationSso,
    SamlAssertionUse,
    SamlRequest,
)


def get_sso(session: Session, organization_id: int) -> OrganizationSso | None:
    return session.get(OrganizationSso, organization_id)


def domains_of(session: Session, organization_id: int) -> list[str]:
    return list(
        session.scalars(
            select(OrganizationDomain.domain)
            .where(OrganizationDomain.organization_id == organization_id)
            .order_by(OrganizationDomain.domain)
        )
    )


def owners_of(session: Session, domains: list[str]) -> dict[str, int]:
    """The organisation each of these domains belongs to (those that belong to one)."""
    if not domains:
        return {}
    rows = session.execute(
        select(OrganizationDomain.domain, OrganizationDomain.organization_id).where(
            OrganizationDomain.domain.in_(domains)
        )
    ).tuples()
    return dict(rows.all())


def replace_domains(session: Session, organization_id: int, domains: list[str]) -> None:
    session.execute(
        delete(OrganizationDomain).where(
            OrganizationDomain.organization_id == organization_id,
            OrganizationDomain.domain.not_in(domains),
        )
    )
    kept = set(domains_of(session, organization_id))
    for domain in domains:
        if domain not in kept:
            session.add(OrganizationDomain(domain=domain, organization_id=organization_id))


def sso_for_domain(session: Session, domain: str) -> OrganizationSso | None:
    """The identity provider of the organisation this email domain belongs to, if it has one."""
    return session.scalars(
        select(OrganizationSso)
        .join(
            OrganizationDomain,
            OrganizationDomain.organization_id == OrganizationSso.organization_id,
        )
        .where(OrganizationDomain.domain == domain)
    ).first()


def add_saml_request(
    session: Session, *, request_id: str, organization_id: int, next_path: str, expires_at: datetime
) -> None:
    session.add(
        SamlRequest(
            id=request_id,
            organization_id=organization_id,
            next_path=next_path,
            expires_at=expires_at,
        )
    )
    session.flush()


def take_saml_request(
    session: Session, *, request_id: str, organization_id: int, now: datetime
) -> str | None:
    """The next path of a pending, unexpired request, deleted as it is taken (used once).

    One DELETE … RETURNING: of two answers posted at once, only one finds the row.
    """
    row = session.execute(
        delete(SamlRequest)
        .where(SamlRequest.id == request_id, SamlRequest.organization_id == organization_id)
        .returning(SamlRequest.next_path, SamlRequest.expires_at)
    ).first()
    if row is None or row.expires_at <= now:
        return None
    return str(row.next_path)


def forget_expired(session: Session, *, now: datetime) -> None:
    session.execute(delete(SamlRequest).where(SamlRequest.expires_at <= now))
    session.execute(delete(SamlAssertionUse).where(SamlAssertionUse.expires_at <= now))


def use_assertion(
    session: Session, *, assertion_id: str, organization_id: int, expires_at: datetime
) -> bool:
    """Record an assertion as used; False if it was used before (a replay)."""
    try:
        with session.begin_nested():
            session.add(
                SamlAssertionUse(
                    assertion_id=assertion_id,
                    organization_id=organization_id,
                    expires_at=expires_at,
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True
