"""Peer groups as people name them: an industry and/or a size band, and what a chooser offers.

A customer's choices are its own organisation's groups only; staff choose from
every industry with active customers and every size band.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.cohorts import describe_peer_group
from opsportal.benchmarks.repository import Membership
from opsportal.benchmarks.schemas import PeerGroupOptions, SizeBandRead
from opsportal.config import Settings
from opsportal.config_values import SizeBand
from opsportal.errors import InvalidInput, NotFound
from opsportal.models import Organization
from opsportal.principal import Principal
from opsportal.tenants.service import get_organization


@dataclass(frozen=True)
class PeerGroup:
    """A requested peer group: an industry and/or a size band ("" / None: any)."""

    sector: str
    band: SizeBand | None

    @property
    def band_label(self) -> str:
        return self.band.label if self.band else ""

    def describe(self, peer_count: int | None = None) -> str:
        return describe_peer_group(self.sector, self.band_label, peer_count)

    def kind_of(self, organization: Organization) -> int | None:
        """Which of the organisation's own groups this is (an index into COHORT_KINDS), or None."""
        return self._kind(organization.industry_sector or "", organization.employee_count)

    def kind_on(self, membership: Membership) -> int | None:
        """The same for the organisation as a run saw it (its groups on that day)."""
        return self._kind(membership.industry_sector, membership.employee_count)

    def _kind(self, own_sector: str, employees: int | None) -> int | None:
        if self.sector and self.sector.casefold() != own_sector.casefold():
            return None
        if self.band is not None and (employees is None or not self.band.contains(employees)):
            return None
        return (1 if self.sector else 0) + (2 if self.band else 0)


def _resolve_band(settings: Settings, size_band: str | None) -> SizeBand | None:
    if not size_band:
        return None
    for band in settings.size_bands:
        if band.label == size_band:
            return band
    labels = ", ".join(band.label for band in settings.size_bands)
    raise InvalidInput(
        f"Unknown size band {size_band!r}; the bands are {labels}.", field="sizeBand"
    )


def resolve_peer_group(
    session: Session,
    *,
    principal: Principal,
    organization: Organization,
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
) -> PeerGroup:
    """The requested group, its industry spelled as the organisations spell it.

    A customer's spelling is matched against its own industry only: matching it
    against every industry would tell it which industries have customers.
    """
    band = _resolve_band(settings, size_band)
    sector = (industry_sector or "").strip()
    if sector:
        known = (
            repository.active_sectors(session)
            if principal.is_staff
            else [organization.industry_sector or ""]
        )
        sector = {s.casefold(): s for s in known if s}.get(sector.casefold(), sector)
    return PeerGroup(sector=sector, band=band)


def peer_group_options(
    session: Session, *, principal: Principal, settings: Settings, organization_id: int | None
) -> PeerGroupOptions:
    """What a peer-group chooser offers.

    Staff: every industry with active customers and every size band. A customer:
    only its own organisation's industry and size band, so the list reveals
    nothing about which other industries or sizes have customers.
    """
    bands = settings.size_bands
    if principal.is_staff:
        sectors = repository.active_sectors(session)
    else:
        own_id = principal.organization_id
        if own_id is None or (organization_id is not None and organization_id != own_id):
            raise NotFound(f"Organization {organization_id or own_id} not found.")
        organization = get_organization(session, principal=principal, organization_id=own_id)
        sectors = [organization.industry_sector] if organization.industry_sector else []
        employees = organization.employee_count
        bands = tuple(b for b in bands if employees is not None and b.contains(employees))
    return PeerGroupOptions(
        industry_sectors=sectors,
        size_bands=[
            SizeBandRead(label=b.label, employee_min=b.minimum, employee_max=b.maximum)
            for b in bands
        ],
    )


def size_band_for(
    settings: Settings, *, employee_min: int | None, employee_max: int | None
) -> str | None:
    """The size band that employeeMin/employeeMax name exactly; 422 listing the bands otherwise."""
    if employee_min is None and employee_max is None:
        return None
    bands = settings.size_bands
    for band in bands:
        if employee_min == band.minimum and employee_max == band.maximum:
            return band.label
    choices = "; ".join(
        f"employeeMin={b.minimum}" + (f"&employeeMax={b.maximum}" if b.maximum else "")
        for b in bands
    )
    raise InvalidInput(
        "employeeMin and employeeMax must name one size band "
        f"({', '.join(b.label for b in bands)}): {choices}.",
        field="employeeMin",
        extra={"sizeBands": [b.label for b in bands]},
    )
