"""Who am I."""

from __future__ import annotations

from fastapi import APIRouter

from opsportal.auth.deps import CurrentUser
from opsportal.auth.schemas import MeRead

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/me", response_model=MeRead)
def read_me(user: CurrentUser) -> MeRead:
    """The caller's identity, role and organisation."""
    return MeRead(
        id=user.user_id,
        email=user.email,
        name=user.name,
        role=user.role,
        organization_id=user.organization_id,
    )
