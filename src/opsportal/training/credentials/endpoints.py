"""Public credential routes: a certificate as a VC-JWT, status lists, the issuer and its keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from opsportal.deps import ResourceId, SessionDep, SessionFactoryDep, SettingsDep
from opsportal.kit.downloads import attachment
from opsportal.training.credentials import service
from opsportal.training.credentials.badge import MEDIA_TYPE

router = APIRouter(tags=["credentials"])

_VC_JWT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "A VC-JWT (EdDSA, Ed25519) verifiable with /.well-known/jwks.json",
    }
}


@router.get(
    "/api/v1/certificates/verify/{verification_code}/credential",
    response_class=Response,
    responses=_VC_JWT_RESPONSE,
)
def certificate_credential(
    verification_code: str,
    session: SessionDep,
    factory: SessionFactoryDep,
    settings: SettingsDep,
) -> Response:
    """Public: the certificate as an Open Badges 3.0 OpenBadgeCredential, signed as a VC-JWT."""
    filename, token = service.credential_jwt(
        session, factory=factory, settings=settings, code=verification_code
    )
    return attachment(token, filename=filename, media_type=MEDIA_TYPE)


@router.get(
    "/api/v1/credentials/status/{list_id}", response_class=Response, responses=_VC_JWT_RESPONSE
)
def status_list(
    list_id: ResourceId, session: SessionDep, factory: SessionFactoryDep, settings: SettingsDep
) -> Response:
    """Public: a Bitstring Status List credential; a set bit marks a withdrawn certificate."""
    token = service.status_list_jwt(session, factory=factory, settings=settings, list_id=list_id)
    return Response(token, media_type=MEDIA_TYPE)


@router.get("/api/v1/credentials/issuer")
def issuer(settings: SettingsDep) -> dict[str, Any]:
    """Public: the issuer profile named in every credential."""
    return service.issuer_profile(settings)


@router.get("/.well-known/jwks.json")
def jwks(
    session: SessionDep, factory: SessionFactoryDep, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    """Public: the issuer's Ed25519 public keys, current and retired, as a JWK Set."""
    # Short, so a rotated-in key is seen within minutes by verifiers that cache.
    response.headers["Cache-Control"] = "public, max-age=300"
    return service.key_set(session, factory=factory, settings=settings)
