"""Roster import: a customer organisation's employees from a CSV, all or nothing.

Each line is matched to a user by email (case-insensitive): a new email makes a
`customer` user of the organisation (or the line's role) through
`auth.service.create_user`, so it gets its required tracks like any new user,
and is emailed an invitation unless told not to; a known email of the same
organisation has its name, role and externalId brought up to date (an empty
role or externalId cell leaves them as they are). A line is refused when its
externalId is another user's, when it would change the importer's own role, or
when a customer_admin's roster would change another customer_admin; and, for an
admin or the command line, when its email belongs to an account outside the
organisation. A customer_admin is told nothing about accounts outside its
organisation: such a line makes a new user like any other, which starts
unconfirmed and whose invitation tells the address's owner instead
(users/service.py). One refused line refuses the whole file: nothing is written
(422, every line's reason). A line that changes a role ends that user's
sessions, tokens and links, like any role change.

An import never deactivates or reactivates anyone: a roster says who should
have an account, not who should lose one (the organisation's directory does
that, through SCIM).
"""

from __future__ import annotations

import enum
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opsportal.audit import changes, record
from opsportal.auth import service as auth_service
from opsportal.auth.sessions import end_credentials
from opsportal.config import Settings
from opsportal.errors import Conflict, Forbidden, InvalidInput, NotFound
from opsportal.kit.progress import ProgressCallback
from opsportal.messages import N_
from opsportal.models import Organization, Role, User
from opsportal.principal import Principal
from opsportal.users import invitations, repository
from opsportal.users.roster.parse import LineError, Roster, RosterRow, decode, parse_roster

CHANGED_MEANWHILE = N_("Another change to these users came first; nothing was imported. Try again.")
# At most this many line errors are returned; the detail says how many there were.
MAX_REPORTED_ERRORS = 1000


class Action(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class LinePlan:
    """What importing one line does, or why it is refused."""

    row: RosterRow
    action: Action
    user: User | None = None
    # {"name": {"from": ..., "to": ...}, ...} for an update.
    changes: dict[str, Any] = field(default_factory=dict)
    errors: tuple[LineError, ...] = ()


@dataclass
class RosterPlan:
    organization: Organization
    lines: list[LinePlan]
    errors: list[LineError]
    invite: bool

    def count(self, action: Action) -> int:
        return sum(1 for line in self.lines if line.action is action)

    @property
    def to_invite(self) -> int:
        return self.count(Action.CREATED) if self.invite else 0


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    invited: int
    dry_run: bool


def organization_for_import(
    session: Session, *, principal: Principal | None, organization_id: int
) -> Organization:
    """The organisation whose roster may be imported: any (admin, the command line), or
    a customer_admin's own (another is a 404, never a confirmation that it exists)."""
    if principal is not None and not principal.is_admin:
        if not principal.is_customer_admin:
            raise Forbidden(N_("Importing a roster needs the role admin or customer_admin."))
        if principal.organization_id != organization_id:
            raise NotFound(N_("Organization %(id)s not found.", id=organization_id))
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(N_("Organization %(id)s not found.", id=organization_id))
    return organization


def read_roster(data: bytes, *, progress: ProgressCallback | None = None) -> Roster:
    """Parse an uploaded roster file (bytes, UTF-8)."""
    text = decode(data)
    if isinstance(text, LineError):
        return Roster(errors=[text])
    return parse_roster(io.StringIO(text, newline=""), progress=progress)


def plan_import(
    session: Session,
    *,
    principal: Principal | None,
    organization: Organization,
    roster: Roster,
    invite: bool,
) -> RosterPlan:
    """What importing `roster` would do, line by line; writes nothing."""
    if roster.errors:
        return RosterPlan(organization, [], list(roster.errors), invite)
    rows = roster.rows
    by_email = repository.users_by_email(
        session, [row.email for row in rows], prefer_organization_id=organization.id
    )
    by_external_id = repository.users_by_external_id(
        session,
        organization_id=organization.id,
        external_ids=[row.external_id for row in rows if row.external_id is not None],
    )
    lines = [_plan_line(row, principal, organization.id, by_email, by_external_id) for row in rows]
    errors = [error for line in lines for error in line.errors]
    return RosterPlan(organization, lines, errors, invite)


def _plan_line(
    row: RosterRow,
    principal: Principal | None,
    organization_id: int,
    by_email: dict[str, User],
    by_external_id: dict[str, User],
) -> LinePlan:
    existing = by_email.get(row.email.lower())
    holder = by_external_id.get(row.external_id) if row.external_id is not None else None
    if existing is None:
        if holder is not None:
            return _refused(
                row,
                "externalId",
                N_("%(id)s belongs to %(email)s already", id=row.external_id, email=holder.email),
            )
        return LinePlan(row, Action.CREATED)
    if existing.organization_id != organization_id or not existing.role.is_customer:
        if by_customer_admin(principal):
            # Whether an address has an account elsewhere is not the importer's to learn:
            # a new, unconfirmed user of its own, as for an address nobody has.
            if holder is not None:
                return _refused(
                    row,
                    "externalId",
                    N_(
                        "%(id)s belongs to %(email)s already",
                        id=row.external_id,
                        email=holder.email,
                    ),
                )
            return LinePlan(row, Action.CREATED)
        return _refused(
            row,
            "email",
            N_("%(email)s is taken by an account outside this organization", email=row.email),
        )
    if holder is not None and holder.id != existing.id:
        return _refused(
            row,
            "externalId",
            N_("%(id)s belongs to %(email)s already", id=row.external_id, email=holder.email),
        )
    role = row.role or existing.role
    if principal is not None and existing.id == principal.user_id and role is not existing.role:
        return _refused(
            row, "role", N_("you cannot change your own role; ask another administrator")
        )
    before = {"name": existing.name, "role": existing.role, "externalId": existing.external_id}
    after = {
        "name": row.name,
        "role": role,
        "externalId": row.external_id or existing.external_id,
    }
    changed = changes(before, after)
    if not changed:
        return LinePlan(row, Action.UNCHANGED, existing)
    if (
        principal is not None
        and principal.is_customer_admin
        and existing.role is Role.CUSTOMER_ADMIN
        and existing.id != principal.user_id
    ):
        column = "role" if "role" in changed else "name" if "name" in changed else "externalId"
        return _refused(
            row,
            column,
            N_(
                "%(email)s is a customer administrator like you; ask a platform administrator",
                email=row.email,
            ),
        )
    return LinePlan(row, Action.UPDATED, existing, changed)


def by_customer_admin(principal: Principal | None) -> bool:
    """Users a customer_admin makes start unconfirmed (users/service.py); an admin's, the
    command line's, confirmed."""
    return principal is not None and not principal.is_admin


def _refused(row: RosterRow, column: str, message: str) -> LinePlan:
    return LinePlan(row, Action.REFUSED, errors=(LineError(row.line, column, message),))


def refuse(plan: RosterPlan) -> InvalidInput:
    """The 422 for a plan with errors: every line's reason (up to MAX_REPORTED_ERRORS)."""
    total = len(plan.errors)
    shown = plan.errors[:MAX_REPORTED_ERRORS]
    more = f" (the first {len(shown)} are listed)" if total > len(shown) else ""
    first = shown[0]
    where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
    return InvalidInput(
        f"The roster has {total} error{'' if total == 1 else 's'}{more}; nothing was imported. "
        f"First: {where}: {first.message}.",
        extra={"errors": [error.as_dict() for error in shown]},
    )


def apply_import(
    session: Session,
    *,
    principal: Principal | None,
    plan: RosterPlan,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Carry out a plan without errors, in the caller's transaction (422 if it has any)."""
    if plan.errors:
        raise refuse(plan)
    organization_id = plan.organization.id
    created: list[User] = []
    try:
        for done, line in enumerate(plan.lines, start=1):
            if line.action is Action.CREATED:
                user = auth_service.create_user(
                    session,
                    email=line.row.email,
                    name=line.row.name,
                    role=line.row.role or Role.CUSTOMER,
                    organization_id=organization_id,
                    actor=principal,
                    email_confirmed=not by_customer_admin(principal),
                )
                user.external_id = line.row.external_id
                created.append(user)
            elif line.action is Action.UPDATED and line.user is not None:
                _update(session, line.user, line, principal)
            if progress is not None and done % 100 == 0:
                progress(100)
        session.flush()
    except (IntegrityError, Conflict) as exc:
        # Someone else made one of these users (or took an externalId) since the plan.
        raise Conflict(CHANGED_MEANWHILE) from exc
    if progress is not None:
        progress(len(plan.lines) % 100)
    invited = (
        invitations.invite_new_users(session, users=created, settings=settings, actor=principal)
        if plan.invite
        else 0
    )
    summary = ImportSummary(
        created=len(created),
        updated=plan.count(Action.UPDATED),
        unchanged=plan.count(Action.UNCHANGED),
        invited=invited,
        dry_run=False,
    )
    record(
        session,
        actor=principal,
        action="user.import",
        target_type="organization",
        target_id=organization_id,
        detail={
            "rows": len(plan.lines),
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "invited": summary.invited,
        },
    )
    return summary


def _update(session: Session, user: User, line: LinePlan, principal: Principal | None) -> None:
    row = line.row
    user.name = row.name
    user.role = row.role or user.role
    if row.external_id is not None:
        user.external_id = row.external_id
    if "role" in line.changes:  # like any change of role: what it held before ends
        end_credentials(session, user=user)
    record(
        session,
        actor=principal,
        action="user.update",
        target_type="user",
        target_id=user.id,
        detail={**line.changes, "via": "roster import"},
    )


def dry_run_summary(plan: RosterPlan) -> ImportSummary:
    if plan.errors:
        raise refuse(plan)
    return ImportSummary(
        created=plan.count(Action.CREATED),
        updated=plan.count(Action.UPDATED),
        unchanged=plan.count(Action.UNCHANGED),
        invited=plan.to_invite,
        dry_run=True,
    )


def import_roster(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    data: bytes,
    settings: Settings,
    dry_run: bool,
    invite: bool = True,
) -> ImportSummary:
    """The API's import: read, plan, apply unless `dry_run`; on errors 422, nothing written."""
    organization = organization_for_import(
        session, principal=principal, organization_id=organization_id
    )
    plan = plan_import(
        session,
        principal=principal,
        organization=organization,
        roster=read_roster(data),
        invite=invite,
    )
    if dry_run:
        return dry_run_summary(plan)
    return apply_import(session, principal=principal, plan=plan, settings=settings)


def lines_of(plan: RosterPlan, actions: Iterable[Action]) -> list[LinePlan]:
    wanted = set(actions)
    return [line for line in plan.lines if line.action in wanted]
