"""Extra time on timed quizzes for one learner (WCAG 2.2.1 Timing Adjustable).

Admins grant it to anyone; a customer_admin to its own organisation's `customer`
users, never to itself or another customer_admin (a platform admin does that, so
nobody lengthens their own certification). The server enforces deadlines, so
the grant is applied where an attempt's deadline is set: at its start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from opsportal.audit.service import record
from opsportal.errors import Forbidden, NotFound
from opsportal.models import ExtraTime, Role, TrackType, User
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.assessment import policy
from opsportal.training.assessment import repository as attempt_repository
from opsportal.training.assessment.schemas import ExtraTimeBody, ExtraTimeRead
from opsportal.training.catalogue.service import can_see_track
from opsportal.users.service import can_reach

SELF_OR_PEER = (
    "A customer administrator grants extra time to its organisation's customer users, not "
    "to itself or another customer administrator; ask a platform administrator."
)


def _reachable(session: Session, principal: Principal, user_id: int) -> User:
    if not principal.manages_users:
        raise Forbidden("Granting extra time needs the role admin or customer_admin.")
    user = session.get(User, user_id)
    if user is None or not can_reach(principal, user):
        raise NotFound(f"User {user_id} not found.")
    return user


def _grantable(session: Session, principal: Principal, user_id: int) -> User:
    user = _reachable(session, principal, user_id)
    if not principal.is_admin and user.role is not Role.CUSTOMER:
        raise Forbidden(SELF_OR_PEER)
    return user


def may_grant(principal: Principal, user: User) -> bool:
    """Whether the user's page offers `principal` the extra-time form for `user`."""
    return principal.is_admin or (
        principal.is_customer_admin
        and user.role is Role.CUSTOMER
        and user.organization_id == principal.organization_id
    )


def _read(grant: ExtraTime, track_name: str | None) -> ExtraTimeRead:
    return ExtraTimeRead(
        id=grant.id,
        user_id=grant.user_id,
        track_id=grant.track_id,
        track_name=track_name,
        multiplier=float(grant.multiplier) if grant.multiplier is not None else None,
        extra_minutes=grant.extra_minutes,
        granted_by_id=grant.granted_by_id,
        granted_at=grant.granted_at,
    )


def list_extra_time(session: Session, *, principal: Principal, user_id: int) -> list[ExtraTimeRead]:
    """The learner's grants, the one for every timed quiz first."""
    _reachable(session, principal, user_id)
    return [
        _read(g, g.track.name if g.track is not None else None)
        for g in attempt_repository.extra_time_of(session, user_id=user_id)
    ]


def _audit_detail(grant: ExtraTime) -> dict[str, object]:
    return {
        "trackId": grant.track_id,
        "multiplier": float(grant.multiplier) if grant.multiplier is not None else None,
        "extraMinutes": grant.extra_minutes,
    }


def grant_extra_time(
    session: Session, *, principal: Principal, user_id: int, body: ExtraTimeBody
) -> ExtraTimeRead:
    """Create or replace the learner's grant for one scope (a track, or every track)."""
    _grantable(session, principal, user_id)
    track_name = None
    if body.track_id is not None:
        track = repository.get_track(session, body.track_id)
        if track is None or not can_see_track(principal, track):
            raise NotFound(f"Track {body.track_id} not found.")
        track_name = track.name
    attempt_repository.lock_user(session, user_id)
    existing = next(
        (
            g
            for g in attempt_repository.extra_time_of(session, user_id=user_id)
            if g.track_id == body.track_id
        ),
        None,
    )
    before = _audit_detail(existing) if existing is not None else None
    grant = existing or ExtraTime(user_id=user_id, track_id=body.track_id)
    grant.multiplier = body.multiplier
    grant.extra_minutes = body.extra_minutes
    grant.granted_by_id = principal.user_id
    if existing is None:
        session.add(grant)
    session.flush()
    record(
        session,
        actor=principal,
        action="training_extra_time.grant",
        target_type="user",
        target_id=user_id,
        detail={**_audit_detail(grant), "before": before},
    )
    return _read(grant, track_name)


def remove_extra_time(session: Session, *, principal: Principal, grant_id: int) -> int:
    """Withdraw a grant; attempts already started keep their deadline. Returns the user id."""
    grant = attempt_repository.get_extra_time(session, grant_id)
    if grant is None:
        raise NotFound(f"Extra time {grant_id} not found.")
    try:
        _grantable(session, principal, grant.user_id)
    except NotFound:
        raise NotFound(f"Extra time {grant_id} not found.") from None
    detail = _audit_detail(grant)
    session.delete(grant)
    session.flush()
    record(
        session,
        actor=principal,
        action="training_extra_time.remove",
        target_type="user",
        target_id=grant.user_id,
        detail=detail,
    )
    return grant.user_id


def extra_minutes_for(
    session: Session, *, user_id: int, track_id: int, time_limit_minutes: int | None
) -> int:
    """The minutes the learner's grant adds to a quiz of this track (0 without a grant)."""
    if time_limit_minutes is None:
        return 0
    grants = [
        (g.track_id, policy.ExtraTime(multiplier=g.multiplier, extra_minutes=g.extra_minutes))
        for g in attempt_repository.extra_time_of(session, user_id=user_id)
    ]
    return policy.extra_minutes(time_limit_minutes, policy.applicable_grant(grants, track_id))


@dataclass(frozen=True)
class TimedTrack:
    id: int
    name: str


@dataclass(frozen=True)
class ExtraTimeView:
    """What the user's page shows of a learner's extra time, and what it offers to grant."""

    grants: list[ExtraTimeRead]
    may_grant: bool
    tracks: list[TimedTrack]


def page_view(session: Session, *, principal: Principal, user: User) -> ExtraTimeView:
    """The learner's grants, and the tracks with a timed quiz that a grant may name."""
    may = may_grant(principal, user)
    tracks = repository.list_tracks(
        session,
        types={TrackType.CUSTOMER} if user.role.is_customer else None,
        include_inactive=principal.is_admin,
    )
    timed = [
        TimedTrack(t.id, t.name)
        for t in tracks
        if can_see_track(principal, t)
        and any(c.quiz is not None and c.quiz.time_limit_minutes for c in t.courses)
    ]
    return ExtraTimeView(
        grants=list_extra_time(session, principal=principal, user_id=user.id),
        may_grant=may,
        tracks=timed if may else [],
    )
