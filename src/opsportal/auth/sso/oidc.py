"""OpenID Connect relying party: the authorisation code flow with PKCE, and ID token checks.

The provider is found through its discovery document; its signing keys are read
from its JWKS and kept per process. A token signed with a key this process has
not seen (the provider rotated its keys) makes it read the JWKS again, once, so
rotation at the provider keeps working without a restart.

An ID token is accepted only when its signature verifies against the issuer's
keys (never `none`, never a shared-secret algorithm) and its `iss`, `aud` (and
`azp`), `exp`, `iat` and `nonce` are what this sign-in expects.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from opsportal.auth.sso.errors import IdentityProviderUnavailable, SignInFailed
from opsportal.messages import N_

SCOPE = "openid email profile"
# Asymmetric signatures only: the provider's public keys are what we trust.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
# Clocks of the provider and this server may differ this much.
LEEWAY_SECONDS = 60
# A discovery document is read again after this long.
DISCOVERY_MAX_AGE_SECONDS = 3600
MAX_DOCUMENT_BYTES = 512 * 1024


@dataclass(frozen=True)
class Client:
    """This application as a client of one provider."""

    issuer: str
    client_id: str
    client_secret: str | None
    redirect_uri: str


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_endpoint_auth_method: str


@dataclass
class _ProviderCache:
    discovery: Discovery | None = None
    read_at: float = 0.0
    keys: KeySet | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: dict[str, _ProviderCache] = {}
_cache_lock = threading.Lock()


def _provider_cache(issuer: str) -> _ProviderCache:
    with _cache_lock:
        return _cache.setdefault(issuer, _ProviderCache())


def forget_providers() -> None:
    """Drop every cached discovery document and key set (a configuration changed)."""
    with _cache_lock:
        _cache.clear()


def _get_json(url: str, *, timeout: float) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise IdentityProviderUnavailable(
            N_("The identity provider could not be reached (%(why)s).", why=type(exc).__name__)
        ) from exc
    if response.status_code != 200 or len(response.content) > MAX_DOCUMENT_BYTES:
        raise IdentityProviderUnavailable(
            N_(
                "The identity provider answered %(status)s for %(url)s.",
                status=response.status_code,
                url=url,
            )
        )
    try:
        document = response.json()
    except ValueError as exc:
        raise IdentityProviderUnavailable(
            N_("The identity provider sent no JSON at %(url)s.", url=url)
        ) from exc
    if not isinstance(document, dict):
        raise IdentityProviderUnavailable(
            N_("The identity provider sent no JSON object at %(url)s.", url=url)
        )
    return document


def _discover(issuer: str, *, timeout: float) -> Discovery:
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=timeout)
    if document.get("issuer") != issuer:
        raise IdentityProviderUnavailable(
            N_(
                "The discovery document names issuer %(named)r, not %(issuer)r.",
                named=document.get("issuer"),
                issuer=issuer,
            )
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise IdentityProviderUnavailable(
                N_("The discovery document has no %(name)s.", name=name)
            )
        endpoints[name] = value
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = (
        "client_secret_basic"
        if "client_secret_basic" in methods or "client_secret_post" not in methods
        else "client_secret_post"
    )
    return Discovery(issuer=issuer, token_endpoint_auth_method=method, **endpoints)


def discovery(issuer: str, *, timeout: float) -> Discovery:
    cache = _provider_cache(issuer)
    with cache.lock:
        if cache.discovery is None or time.monotonic() - cache.read_at > DISCOVERY_MAX_AGE_SECONDS:
            cache.discovery = _discover(issuer, timeout=timeout)
            cache.read_at = time.monotonic()
            cache.keys = None
        return cache.discovery


def _key_set(issuer: str, jwks_uri: str, *, timeout: float, refresh: bool) -> KeySet:
    cache = _provider_cache(issuer)
    with cache.lock:
        if cache.keys is None or refresh:
            document = _get_json(jwks_uri, timeout=timeout)
            try:
                cache.keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise IdentityProviderUnavailable(
                    N_("The identity provider's key set could not be read.")
                ) from exc
        return cache.keys


@dataclass(frozen=True)
class Start:
    """Where to send the browser, and what the callback must find in the session."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def start(client: Client, *, timeout: float, login_hint: str | None = None) -> Start:
    """The authorisation request: code flow, PKCE (S256), a fresh `state` and `nonce`."""
    found = discovery(client.issuer, timeout=timeout)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(48)
    extra = {"login_hint": login_hint} if login_hint else {}
    url = prepare_grant_uri(
        found.authorization_endpoint,
        client_id=client.client_id,
        response_type="code",
        redirect_uri=client.redirect_uri,
        scope=SCOPE,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(code_verifier),
        code_challenge_method="S256",
        **extra,
    )
    return Start(url=url, state=state, nonce=nonce, code_verifier=code_verifier)


def _token_request(
    client: Client, found: Discovery, *, code: str, code_verifier: str, timeout: float
) -> dict[str, Any]:
    """POST the code to the token endpoint, authenticated as the provider asks (RFC 6749 2.3.1)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": code_verifier,
    }
    auth: httpx.BasicAuth | None = None
    if client.client_secret is None:
        form["client_id"] = client.client_id
    elif found.token_endpoint_auth_method == "client_secret_post":
        form.update(client_id=client.client_id, client_secret=client.client_secret)
    else:
        auth = httpx.BasicAuth(
            quote(client.client_id, safe=""), quote(client.client_secret, safe="")
        )
    try:
        response = httpx.post(
            found.token_endpoint,
            data=form,
            auth=auth,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise IdentityProviderUnavailable(
            N_(
                "The identity provider's token endpoint could not be reached (%(why)s).",
                why=type(exc).__name__,
            )
        ) from exc
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise IdentityProviderUnavailable(
            N_(
                "The identity provider's token endpoint answered %(status)s without JSON.",
                status=response.status_code,
            )
        )
    if response.status_code != 200 or "error" in answer:
        raise SignInFailed(
            N_(
                "The identity provider refused the sign-in code (%(error)s).",
                error=str(answer.get("error"))[:100],
            )
        )
    return answer


@dataclass(frozen=True)
class Identity:
    """Who the provider vouches for: a verified email, and a name to show."""

    subject: str
    email: str
    name: str | None


def finish(
    client: Client, *, code: str, code_verifier: str, nonce: str, timeout: float
) -> Identity:
    """Exchange the code for tokens and return the ID token's verified identity."""
    found = discovery(client.issuer, timeout=timeout)
    token = _token_request(client, found, code=code, code_verifier=code_verifier, timeout=timeout)
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInFailed(N_("The identity provider sent no ID token."))
    claims = verify_id_token(client, found, id_token=id_token, nonce=nonce, timeout=timeout)
    return identity_of(claims)


def verify_id_token(
    client: Client, found: Discovery, *, id_token: str, nonce: str, timeout: float
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times and nonce are right."""
    keys = _key_set(found.issuer, found.jwks_uri, timeout=timeout, refresh=False)
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # Signed with a key we have not seen: the provider may have rotated its keys.
            keys = _key_set(found.issuer, found.jwks_uri, timeout=timeout, refresh=True)
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInFailed(
            N_("The ID token's signature does not verify against the identity provider's keys.")
        ) from exc
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": found.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": client.client_id},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise SignInFailed(N_("The ID token was refused: %(why)s.", why=exc.description)) from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client.client_id:
        raise SignInFailed(N_("The ID token was issued to another client (azp)."))
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise SignInFailed(N_("The ID token's nonce does not match this sign-in."))
    return claims


def identity_of(claims: dict[str, Any]) -> Identity:
    """A verified email from the claims (`email_verified`; Entra ID says `xms_edov`)."""
    email = claims.get("email")
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    # Some providers send the flag as a string.
    verified = verified or claims.get("email_verified") == "true"
    if not isinstance(email, str) or "@" not in email:
        raise SignInFailed(N_("The identity provider sent no email address (scope `email`)."))
    if not verified:
        raise SignInFailed(
            N_("The identity provider has not verified the email %(email)s.", email=email)
        )
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        given = claims.get("given_name") if isinstance(claims.get("given_name"), str) else ""
        family = claims.get("family_name") if isinstance(claims.get("family_name"), str) else ""
        name = f"{given} {family}".strip() or None
    return Identity(subject=str(claims["sub"]), email=email.strip(), name=name)
