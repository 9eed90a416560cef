"""Signing in through an identity provider, and the pages where SSO is configured.

Staff: `/auth/oidc/login` → the company's OIDC provider → `/auth/oidc/callback`.
An organisation: `/auth/oidc/{orgId}/login` → its provider → `/auth/oidc/{orgId}/callback`,
or `/auth/saml/{orgId}/login` → its IdP → POST `/auth/saml/{orgId}/acs`.

An OIDC sign-in keeps its `state`, `nonce` and PKCE verifier in the signed session
cookie (the provider's redirect back is a top-level GET, which SameSite=Lax lets
the cookie come with). A SAML answer is a cross-site POST that the cookie does
not come with, so a SAML request is remembered in the database instead.

No handler holds a database transaction while it talks to an identity provider.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.auth.sso import oidc, service
from opsportal.auth.sso.endpoints import sealing_secret
from opsportal.auth.sso.errors import SignInFailed
from opsportal.config import Settings
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.deps import ResourceId, SessionFactoryDep, SettingsDep
from opsportal.errors import NotFound
from opsportal.messages import N_
from opsportal.principal import Principal
from opsportal.schemas import QueryText
from opsportal.web.session import safe_next, sign_in

router = APIRouter(include_in_schema=False)


class CallbackQueryRedaction(logging.Filter):
    """Keeps the provider's one-time code (and state) of an OIDC callback out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, question, _ = args[2].partition("?")
            if question and path.startswith("/auth/oidc/") and path.endswith("/callback"):
                record.args = (*args[:2], f"{path}?[redacted]", *args[3:])
        return True


def redact_callback_queries() -> None:
    """Install the redaction on uvicorn's access log (once, however many apps are made)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, CallbackQueryRedaction) for f in access.filters):
        access.addFilter(CallbackQueryRedaction())


FLOW_KEY = "sso_flow"
NextQuery = Annotated[QueryText | None, Query(max_length=2000)]
HintQuery = Annotated[QueryText | None, Query(max_length=320)]
CallbackText = Annotated[QueryText | None, Query(max_length=4000)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- OpenID Connect ------------------------------------------------------------------


def _staff_client(settings: Settings) -> oidc.Client:
    if not settings.staff_oidc_configured:
        raise NotFound(N_("Staff single sign-on is not configured (OPSPORTAL_OIDC_ISSUER)."))
    assert settings.oidc_issuer is not None and settings.oidc_client_id is not None
    return oidc.Client(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        redirect_uri=f"{settings.public_base_url}/auth/oidc/callback",
    )


def _start_oidc(
    request: Request,
    client: oidc.Client,
    *,
    settings: Settings,
    organization_id: int | None,
    next_path: str | None,
    login_hint: str | None,
) -> RedirectResponse:
    started = oidc.start(client, timeout=settings.sso_http_timeout_seconds, login_hint=login_hint)
    request.session[FLOW_KEY] = {
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.code_verifier,
        "org": organization_id,
        "next": safe_next(next_path),
    }
    return _see_other(started.url)


def _finish_oidc(
    request: Request,
    client: oidc.Client,
    *,
    settings: Settings,
    organization_id: int | None,
    code: str | None,
    state: str | None,
    error: str | None,
    error_description: str | None,
) -> tuple[oidc.Identity, str]:
    """The identity of a callback that answers the sign-in this browser started here."""
    flow = request.session.pop(FLOW_KEY, None)
    if (
        not isinstance(flow, dict)
        or not isinstance(flow.get("state"), str)
        or not isinstance(state, str)
        or not hmac.compare_digest(flow["state"], state)
        or flow.get("org") != organization_id
    ):
        raise SignInFailed(
            N_(
                "This sign-in answer does not belong to a sign-in started in this browser "
                "(state), or was used already. Start signing in again."
            )
        )
    if error and error_description:
        raise SignInFailed(
            N_(
                "The identity provider did not sign you in: %(error)s (%(description)s).",
                error=error,
                description=error_description[:300],
            )
        )
    if error:
        raise SignInFailed(N_("The identity provider did not sign you in: %(error)s.", error=error))
    if not code:
        raise SignInFailed(N_("The identity provider's answer has no code."))
    identity = oidc.finish(
        client,
        code=code,
        code_verifier=str(flow["verifier"]),
        nonce=str(flow["nonce"]),
        timeout=settings.sso_http_timeout_seconds,
    )
    return identity, safe_next(str(flow.get("next") or "/"))


def _signed_in(
    request: Request, factory: SessionFactory, principal: Principal, next_path: str
) -> RedirectResponse:
    with session_scope(factory) as db:
        read_only(db)
        sign_in(request, principal, db=db)
    return _see_other(next_path)


@router.get("/auth/oidc/login")
def staff_oidc_login(
    request: Request, settings: SettingsDep, next: NextQuery = None, login_hint: HintQuery = None
) -> Response:
    """Staff: off to the company's OpenID Connect provider."""
    return _start_oidc(
        request,
        _staff_client(settings),
        settings=settings,
        organization_id=None,
        next_path=next,
        login_hint=login_hint,
    )


@router.get("/auth/oidc/callback")
def staff_oidc_callback(
    request: Request,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    code: CallbackText = None,
    state: CallbackText = None,
    error: CallbackText = None,
    error_description: CallbackText = None,
) -> Response:
    identity, next_path = _finish_oidc(
        request,
        _staff_client(settings),
        settings=settings,
        organization_id=None,
        code=code,
        state=state,
        error=error,
        error_description=error_description,
    )
    with session_scope(factory) as db:
        principal = service.sign_in_staff(
            db,
            vouched=service.Vouched(email=identity.email, name=identity.name),
            staff_domains=settings.staff_domains,
        )
    return _signed_in(request, factory, principal, next_path)


def _organization_client(
    request: Request, factory: SessionFactory, settings: Settings, organization_id: int
) -> oidc.Client:
    secret_key = sealing_secret(request, settings)
    with session_scope(factory) as db:
        read_only(db)
        sso = service.organization_sso(db, organization_id)
        return service.oidc_client(sso, base_url=settings.public_base_url, secret_key=secret_key)


@router.get("/auth/oidc/{organization_id}/login")
def organization_oidc_login(
    organization_id: ResourceId,
    request: Request,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    next: NextQuery = None,
    login_hint: HintQuery = None,
) -> Response:
    """An organisation's people: off to its OpenID Connect provider."""
    client = _organization_client(request, factory, settings, organization_id)
    return _start_oidc(
        request,
        client,
        settings=settings,
        organization_id=organization_id,
        next_path=next,
        login_hint=login_hint,
    )


@router.get("/auth/oidc/{organization_id}/callback")
def organization_oidc_callback(
    organization_id: ResourceId,
    request: Request,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    code: CallbackText = None,
    state: CallbackText = None,
    error: CallbackText = None,
    error_description: CallbackText = None,
) -> Response:
    client = _organization_client(request, factory, settings, organization_id)
    identity, next_path = _finish_oidc(
        request,
        client,
        settings=settings,
        organization_id=organization_id,
        code=code,
        state=state,
        error=error,
        error_description=error_description,
    )
    with session_scope(factory) as db:
        principal = service.sign_in_organization_user(
            db,
            organization_id=organization_id,
            vouched=service.Vouched(email=identity.email, name=identity.name),
            via="oidc",
        )
    return _signed_in(request, factory, principal, next_path)


# --- SAML 2.0 --------------------------------------------------------------------------


@router.get("/auth/saml/{organization_id}/metadata")
def saml_metadata(
    organization_id: ResourceId, settings: SettingsDep, factory: SessionFactoryDep
) -> Response:
    """The service provider's metadata for the organisation's IdP to import."""
    with session_scope(factory) as db:
        read_only(db)
        service.saml_settings(service.organization_sso(db, organization_id))
    sp = service.saml_service_provider(settings.public_base_url, organization_id)
    return Response(sp.metadata_xml(), media_type="application/samlmetadata+xml")


@router.get("/auth/saml/{organization_id}/login")
def saml_login(
    organization_id: ResourceId,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    next: NextQuery = None,
) -> Response:
    """An organisation's people: off to its SAML IdP with an AuthnRequest (HTTP-Redirect)."""
    with session_scope(factory) as db:
        url = service.start_saml(
            db,
            organization_id=organization_id,
            base_url=settings.public_base_url,
            next_path=safe_next(next),
        )
    return _see_other(url)


@router.post("/auth/saml/{organization_id}/acs")
def saml_acs(
    organization_id: ResourceId,
    request: Request,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    saml_response: Annotated[str, Form(alias="SAMLResponse", max_length=1_000_000)] = "",
    relay_state: Annotated[str, Form(alias="RelayState", max_length=1000)] = "",
) -> Response:
    """The IdP's answer (HTTP-POST): checked, then the person is signed in."""
    with session_scope(factory) as db:
        read_only(db)
        request_id, assertion = service.verify_saml_answer(
            db,
            organization_id=organization_id,
            base_url=settings.public_base_url,
            saml_response=saml_response,
        )
    with session_scope(factory) as db:
        principal, next_path = service.accept_saml(
            db, organization_id=organization_id, request_id=request_id, assertion=assertion
        )
    return _signed_in(request, factory, principal, next_path)


# --- configuring an organisation's SSO ---------------------------------------------------


def login_redirect(
    session: Any, settings: Settings, *, email: str, password: str, next_path: str
) -> str | None:
    """Where the login form sends this email instead of checking a password (home realm).

    An organisation's domain goes to its IdP; a staff domain goes to the company's
    provider when the password is left empty or staff may not use passwords.
    """
    sso = service.sso_for_email(session, email)
    query = urlencode({"next": next_path, "login_hint": email.strip()})
    if sso is not None:
        return f"{service.login_path(sso)}?{query}"
    domain = email.strip().rpartition("@")[2].lower()
    if (
        settings.staff_oidc_configured
        and domain in settings.staff_domains
        and (not password or not settings.staff_password_login)
    ):
        return f"/auth/oidc/login?{query}"
    return None
