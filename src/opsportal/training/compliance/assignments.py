"""Assignments: staff and customer_admins assign tracks; statuses derived when read.

Who may do what: staff assign and read for any organisation; a customer_admin
only within its own (anything else reads as not found); a customer reads only
its own assignments. A required track is assigned to every new customer user.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.errors import Forbidden, InvalidInput, NotFound
from opsportal.models import Assignment, Organization, TrackType, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.schemas import Page
from opsportal.training import repository as training_repository
from opsportal.training.certificates import CertificateStatus
from opsportal.training.compliance import repository
from opsportal.training.compliance.schemas import (
    AssignmentCreate,
    AssignmentRead,
    AssignmentsCreated,
)
from opsportal.training.compliance.status import AssignmentStatus, TrackFacts, derive_status
from opsportal.training.progress import status_of

# How far ahead a due day may be set.
MAX_DUE_DAYS = 5 * 366


# --- who may see and assign ------------------------------------------------------------


def managed_organization(
    session: Session, principal: Principal, organization_id: int
) -> Organization:
    """The organisation whose compliance the caller manages: staff any, a customer_admin its own.

    Another tenant's organisation, or one that does not exist, is a 404; a plain
    customer asking about its own organisation is a 403 (wrong role).
    """
    if not principal.can_see_organization(organization_id):
        raise NotFound(f"Organization {organization_id} not found.")
    if not principal.oversees_training:
        raise Forbidden("This needs one of the roles: admin, internal, customer_admin.")
    organization = repository.get_organization(session, organization_id)
    if organization is None:
        raise NotFound(f"Organization {organization_id} not found.")
    return organization


def today_utc() -> date:
    return utcnow().date()


# --- reading ---------------------------------------------------------------------------


def facts_for(
    session: Session, assignments: Sequence[Assignment], *, now: datetime
) -> dict[tuple[int, int], TrackFacts]:
    """What each assignment's user has done on its track: a few queries for any number of rows."""
    users = {a.user_id for a in assignments}
    if not users:
        return {}
    wanted = {(a.user_id, a.track_id) for a in assignments}
    active: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    lapsed: dict[tuple[int, int], datetime] = {}
    for certificate in repository.certificates_of_users(session, users):
        pair = (certificate.user_id, certificate.track_id)
        if pair not in wanted:
            continue
        if status_of(certificate, now=now) is CertificateStatus.ACTIVE:
            held = active.get(pair)
            if held is None or certificate.issued_at > held[0]:
                active[pair] = (certificate.issued_at, certificate.expires_at)
        elif pair not in lapsed or certificate.issued_at > lapsed[pair]:
            lapsed[pair] = certificate.issued_at
    attempts = repository.last_attempts(session, users)
    facts: dict[tuple[int, int], TrackFacts] = {}
    for pair in wanted:
        last = attempts.get(pair)
        since = lapsed.get(pair)
        held = active.get(pair)
        facts[pair] = TrackFacts(
            certified_at=held[0] if held else None,
            certificate_expires_at=held[1] if held else None,
            started=last is not None and (since is None or last > since),
        )
    return facts


def assignment_reads(
    session: Session, assignments: Sequence[Assignment], *, now: datetime | None = None
) -> list[AssignmentRead]:
    now = now or utcnow()
    facts = facts_for(session, assignments, now=now)
    today = now.date()
    reads = []
    for a in assignments:
        fact = facts[(a.user_id, a.track_id)]
        reads.append(
            AssignmentRead(
                id=a.id,
                track_id=a.track_id,
                track_name=a.track.name,
                user_id=a.user_id,
                user_name=a.user.name,
                organization_id=a.organization_id,
                due_on=a.due_on,
                status=derive_status(due_on=a.due_on, today=today, facts=fact),
                assigned_at=a.assigned_at,
                completed_at=fact.certified_at,
                certificate_expires_at=fact.certificate_expires_at,
            )
        )
    return reads


def list_assignments(
    session: Session,
    *,
    principal: Principal,
    organization_id: int | None = None,
    user_id: int | None = None,
    status: AssignmentStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[AssignmentRead]:
    """Staff see any organisation's; a customer_admin its organisation's; a customer its own."""
    if principal.is_staff:
        pass
    elif principal.is_customer_admin:
        own = principal.organization_id
        if organization_id is not None and organization_id != own:
            raise NotFound(f"Organization {organization_id} not found.")
        organization_id = own
    else:
        if organization_id is not None and organization_id != principal.organization_id:
            raise NotFound(f"Organization {organization_id} not found.")
        if user_id is not None and user_id != principal.user_id:
            raise NotFound(f"User {user_id} not found.")
        user_id = principal.user_id
    now = utcnow()
    # A status is derived (status.derive_status); the database applies the same rule.
    rows, total = repository.list_assignments(
        session,
        organization_id=organization_id,
        user_id=user_id,
        status=None if status is None else repository.StatusFilter(status, now),
        limit=limit,
        offset=offset,
    )
    return Page(
        items=assignment_reads(session, rows, now=now), total=total, limit=limit, offset=offset
    )


def my_assignments(session: Session, *, principal: Principal) -> list[AssignmentRead]:
    """The caller's own assignments, soonest due first (the learner's "My training")."""
    rows, _ = repository.list_assignments(session, user_id=principal.user_id)
    return assignment_reads(session, rows)


# --- assigning -------------------------------------------------------------------------


def _check_due_on(due_on: date, *, today: date) -> None:
    if due_on < today:
        raise InvalidInput(f"dueOn must be today ({today.isoformat()}) or later.", field="dueOn")
    if due_on > today + timedelta(days=MAX_DUE_DAYS):
        raise InvalidInput("dueOn must be within five years.", field="dueOn")


def _assignable_users(
    session: Session, organization: Organization, user_ids: list[int] | None
) -> list[User]:
    if user_ids is None:
        return repository.customer_users(session, organization_id=organization.id)
    if not user_ids:
        raise InvalidInput(
            "userIds must name at least one user; leave it out to assign every user.",
            field="userIds",
        )
    seen: set[int] = set()
    for index, user_id in enumerate(user_ids):
        if user_id in seen:
            raise InvalidInput(
                f"userIds.{index}: user {user_id} is listed twice.", field=f"userIds.{index}"
            )
        seen.add(user_id)
    found = {
        u.id: u
        for u in repository.customer_users(
            session, organization_id=organization.id, user_ids=user_ids
        )
    }
    for index, user_id in enumerate(user_ids):
        if user_id not in found:
            # The same words whether the user is elsewhere, staff, inactive or
            # unknown: nothing about other tenants is confirmed.
            raise InvalidInput(
                f"userIds.{index}: user {user_id} is not an active customer user "
                f"of organization {organization.id}.",
                field=f"userIds.{index}",
            )
    return [found[user_id] for user_id in user_ids]


def assign_track(
    session: Session, *, principal: Principal, data: AssignmentCreate, today: date | None = None
) -> AssignmentsCreated:
    """Assign a track to some or all of an organisation's customer users, due on a day.

    A user who has this track assigned already keeps that one assignment with
    the new due day. Audited; flushes, never commits.
    """
    organization = managed_organization(session, principal, data.organization_id)
    today = today or today_utc()
    track = training_repository.get_track(session, data.track_id)
    if track is None or not track.is_active or track.type is not TrackType.CUSTOMER:
        raise InvalidInput(
            f"trackId: track {data.track_id} is not an active track for customer users.",
            field="trackId",
        )
    _check_due_on(data.due_on, today=today)
    users = _assignable_users(session, organization, data.user_ids)
    now = utcnow()
    actor_id = principal.user_id
    created = _upsert(
        session,
        track_id=track.id,
        organization_id=organization.id,
        user_ids=[u.id for u in users],
        due_on=data.due_on,
        assigned_by_id=actor_id,
        now=now,
    )
    audit.record(
        session,
        actor=principal,
        action="training_assignment.assign",
        target_type="organization",
        target_id=organization.id,
        detail={
            "trackId": track.id,
            "dueOn": data.due_on,
            "userIds": None if data.user_ids is None else [u.id for u in users],
            "created": len(created),
            "dueDayMoved": len(users) - len(created),
        },
    )
    rows = repository.assignments_for(session, track_id=track.id, user_ids=[u.id for u in users])
    return AssignmentsCreated(created=len(created), assignments=assignment_reads(session, rows))


def _upsert(
    session: Session,
    *,
    track_id: int,
    organization_id: int,
    user_ids: list[int],
    due_on: date,
    assigned_by_id: int | None,
    now: datetime,
) -> set[int]:
    """Insert the new (user, track) pairs, move the due day of the others; returns those created."""
    rows = [
        {
            "track_id": track_id,
            "user_id": user_id,
            "organization_id": organization_id,
            "due_on": due_on,
            "assigned_at": now,
            "assigned_by_id": assigned_by_id,
            "updated_at": now,
        }
        for user_id in user_ids
    ]
    created = repository.insert_assignments(session, rows)
    repository.move_due_days(
        session,
        track_id=track_id,
        user_ids=[u for u in user_ids if u not in created],
        due_on=due_on,
        assigned_by_id=assigned_by_id,
        now=now,
    )
    return created


def assign_required_tracks(
    session: Session, user: User, actor: Principal | None, *, due_days: int
) -> int:
    """Assign every active required customer track to a new customer user; returns how many."""
    if not user.role.is_customer or user.organization_id is None:
        return 0
    tracks = repository.required_tracks(session, types={TrackType.CUSTOMER})
    if not tracks:
        return 0
    now = utcnow()
    due_on = now.date() + timedelta(days=due_days)
    for track in tracks:
        _upsert(
            session,
            track_id=track.id,
            organization_id=user.organization_id,
            user_ids=[user.id],
            due_on=due_on,
            assigned_by_id=actor.user_id if actor else None,
            now=now,
        )
    audit.record(
        session,
        actor=actor,
        action="training_assignment.assign_required",
        target_type="user",
        target_id=user.id,
        detail={"trackIds": [t.id for t in tracks], "dueOn": due_on},
    )
    return len(tracks)
