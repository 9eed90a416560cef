"""Organisations: create, change, list, and the CSV upsert."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from pydantic import ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.db import flush_or_conflict
from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.kit.progress import ProgressCallback
from opsportal.models import Organization
from opsportal.principal import Principal
from opsportal.tenants import repository
from opsportal.tenants.schemas import OrganizationCreate, OrganizationUpdate

ORGANIZATION_CSV_COLUMNS = ("externalId", "name", "industrySector", "employeeCount", "status")


def get_organization(
    session: Session, *, principal: Principal, organization_id: int
) -> Organization:
    principal.require_organization(organization_id)
    organization = repository.get_organization(session, organization_id)
    if organization is None:
        raise NotFound(f"Organization {organization_id} not found.")
    return organization


def list_organizations(
    session: Session,
    *,
    principal: Principal,
    search: str | None = None,
    limit: int,
    offset: int,
    filters: repository.OrganizationFilter | None = None,
) -> tuple[list[Organization], int]:
    """`search` by name, or every filter of the list page in `filters`."""
    only_id = None if principal.is_staff else principal.organization_id
    return repository.list_organizations(
        session, search=search, only_id=only_id, limit=limit, offset=offset, filters=filters
    )


def industries(session: Session) -> list[str]:
    """Every industry on record (staff: the organisation list's filter)."""
    return repository.industries(session)


def _ensure_external_id_free(
    session: Session, external_id: str | None, *, own_id: int | None = None
) -> None:
    if external_id is None:
        return
    existing = repository.get_by_external_id(session, external_id)
    if existing is not None and existing.id != own_id:
        raise Conflict(f"externalId {external_id!r} already belongs to organization {existing.id}.")


def create_organization(
    session: Session, *, data: OrganizationCreate, actor: Principal | None = None
) -> Organization:
    _ensure_external_id_free(session, data.external_id)
    organization = Organization(
        name=data.name,
        external_id=data.external_id,
        industry_sector=data.industry_sector,
        employee_count=data.employee_count,
        status=data.status,
    )
    session.add(organization)
    flush_or_conflict(session, _taken(data.external_id))
    audit.record(
        session,
        actor=actor,
        action="organization.create",
        target_type="organization",
        target_id=organization.id,
        detail=data.model_dump(by_alias=True, exclude_none=True),
    )
    return organization


def update_organization(
    session: Session, *, principal: Principal, organization_id: int, data: OrganizationUpdate
) -> Organization:
    organization = get_organization(session, principal=principal, organization_id=organization_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("name", "status"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be null.", field=required)
    if "external_id" in changes:
        _ensure_external_id_free(session, changes["external_id"], own_id=organization.id)
    before = {to_camel(field): getattr(organization, field) for field in changes}
    for field, value in changes.items():
        setattr(organization, field, value)
    flush_or_conflict(session, _taken(organization.external_id))
    audit.record_changes(
        session,
        actor=principal,
        target_type="organization",
        target_id=organization.id,
        before=before,
        after={to_camel(field): value for field, value in changes.items()},
    )
    return organization


def _taken(external_id: str | None) -> str:
    return f"externalId {external_id!r} is already taken."


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def read_organization_csv(stream: TextIO) -> list[tuple[int, OrganizationCreate]]:
    """Parse and validate every line first; nothing is written if any line is bad."""
    reader = csv.DictReader(stream)
    missing = [c for c in ("externalId", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"CSV header must contain {', '.join(ORGANIZATION_CSV_COLUMNS)}; "
            f"missing {', '.join(missing)}.",
            field="header",
        )
    rows: list[tuple[int, OrganizationCreate]] = []
    first_seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        if not values.get("externalId"):
            raise InvalidInput(f"Line {line}: externalId is required.", field=f"line {line}")
        try:
            row = OrganizationCreate.model_validate(
                {
                    "externalId": values["externalId"],
                    "name": values.get("name", ""),
                    "industrySector": values.get("industrySector") or None,
                    "employeeCount": values.get("employeeCount") or None,
                    "status": (values.get("status") or "ACTIVE").upper(),
                }
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise InvalidInput(
                f"Line {line}: {field}: {err['msg']}", field=f"line {line}: {field}"
            ) from exc
        assert row.external_id is not None
        if row.external_id in first_seen:
            raise InvalidInput(
                f"Line {line}: externalId {row.external_id!r} "
                f"repeats line {first_seen[row.external_id]}.",
                field=f"line {line}: externalId",
            )
        first_seen[row.external_id] = line
        rows.append((line, row))
    return rows


def upsert_organizations(
    session: Session,
    *,
    rows: Iterable[OrganizationCreate],
    progress: ProgressCallback | None = None,
    actor: Principal | None = None,
) -> ImportSummary:
    batch = list(rows)
    existing = repository.by_external_ids(session, (r.external_id for r in batch if r.external_id))
    created = updated = 0
    for row in batch:
        assert row.external_id is not None
        organization = existing.get(row.external_id)
        if organization is None:
            session.add(
                Organization(
                    external_id=row.external_id,
                    name=row.name,
                    industry_sector=row.industry_sector,
                    employee_count=row.employee_count,
                    status=row.status,
                )
            )
            created += 1
        else:
            organization.name = row.name
            organization.industry_sector = row.industry_sector
            organization.employee_count = row.employee_count
            organization.status = row.status
            updated += 1
        if progress is not None:
            progress(1)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organization.import",
        target_type="organization",
        target_id=None,
        detail={"created": created, "updated": updated},
    )
    return ImportSummary(created=created, updated=updated)
