"""A real OpenID provider for the tests: Authlib's authorisation server, served on loopback.

Authorisation code flow with PKCE (required) and `nonce` (required), client
authentication by `client_secret_basic` or `client_secret_post`, RS256 ID tokens
signed with keys it publishes at its JWKS, and a discovery document. It signs in
whoever the test says (`provider.user`) without a login page of its own, and can
rotate its keys. Like a misconfigured or hostile provider it can also be told to
lie (`provider.tamper`: claims written over the real ones) or to sign with a key
it never published.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    AuthorizationServer,
    ClientMixin,
    OAuth2Error,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.auth.saml_idp import free_loopback_socket, serve

SCOPES = {"openid", "email", "profile"}


def new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True)
    key.ensure_kid()
    return key


@dataclass
class ProviderUser:
    sub: str = "user-1"
    email: str = "alex@staff.example"
    email_verified: bool = True
    name: str = "Alex Staff"


@dataclass
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: ProviderUser
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {key: [value] for key, value in self._data.items()}


class _Request(OAuth2Request):  # type: ignore[misc]
    """An Authlib request made from what Starlette read (the body is read before, async)."""

    def __init__(self, method: str, uri: str, headers: Any, data: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(data)
        self._values = data

    @property
    def args(self) -> dict[str, str]:
        return self._values

    @property
    def form(self) -> dict[str, str]:
        return self._values


class OidcProvider:
    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.keys = [new_key()]
        self.unpublished_key: RSAKey | None = None
        self.user = ProviderUser()
        self.tamper: dict[str, Any] = {}
        self.clients: dict[str, RegisteredClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.jwks_reads = 0
        self.server = self._server()

    # --- what the tests change ------------------------------------------------------

    def register(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = RegisteredClient(client_id, client_secret, [redirect_uri])

    def rotate_keys(self, *, keep_old: bool = False) -> None:
        """Sign with a new key from now on; the old one stays published only if asked."""
        self.keys = [new_key(), *(self.keys if keep_old else [])]

    @property
    def signing_key(self) -> RSAKey:
        return self.unpublished_key or self.keys[0]

    # --- Authlib's server ---------------------------------------------------------------

    def _server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):  # type: ignore[misc]
            def query_client(self, client_id: str) -> RegisteredClient | None:
                return provider.clients.get(client_id)

            def save_token(self, token: dict[str, Any], request: Any) -> None:
                pass

            def create_oauth2_request(self, request: Any) -> OAuth2Request:
                return request

            def handle_response(self, status: int, body: Any, headers: Any) -> Response:
                headers = dict(headers or [])
                if isinstance(body, dict):
                    return JSONResponse(body, status_code=status, headers=headers)
                return Response(body or "", status_code=status, headers=headers)

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                pass

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                provider.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.client.get_allowed_scope(data.get("scope", "")),
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    user=request.user,
                )

            def query_authorization_code(
                self, code: str, client: RegisteredClient
            ) -> AuthorizationCode | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: AuthorizationCode) -> ProviderUser:
                return authorization_code.user

        class OpenID(OpenIDCode):  # type: ignore[misc]
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client: RegisteredClient) -> RSAKey:
                return provider.signing_key

            def get_client_algorithm(self, client: RegisteredClient) -> str:
                return "RS256"

            def get_encode_header(self, client: RegisteredClient) -> dict[str, str]:
                return {"alg": "RS256", "kid": str(provider.signing_key.kid)}

            def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
                return {"iss": provider.issuer, "aud": [client.client_id]}

            def generate_user_info(self, user: ProviderUser, scope: str) -> UserInfo:
                info = UserInfo(sub=user.sub, name=user.name)
                if "email" in scope:
                    info["email"] = user.email
                    info["email_verified"] = user.email_verified
                # Written last, over every claim before it: what a lying provider sends.
                info.update(provider.tamper)
                return info

        server = Server()
        server.register_token_generator(
            "default",
            BearerTokenGenerator(access_token_generator=lambda *a, **k: secrets.token_urlsafe(32)),
        )
        server.register_grant(CodeGrant, [OpenID(require_nonce=True), CodeChallenge(required=True)])
        return server

    # --- its endpoints ------------------------------------------------------------------

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "scopes_supported": sorted(SCOPES),
            }
        )

    async def _jwks(self, request: Request) -> Response:
        self.jwks_reads += 1
        return JSONResponse(KeySet(list(self.keys)).as_dict(private=False))

    async def _authorize(self, request: Request) -> Response:
        oauth_request = _Request(
            "GET", str(request.url), request.headers, dict(request.query_params)
        )
        try:
            grant = self.server.get_consent_grant(request=oauth_request, end_user=self.user)
        except OAuth2Error as error:
            return self.server.handle_error_response(oauth_request, error)  # type: ignore[no-any-return]
        # The person consents at once: the tests decide who signs in.
        return self.server.create_authorization_response(  # type: ignore[no-any-return]
            request=oauth_request, grant_user=self.user, grant=grant
        )

    async def _token(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        oauth_request = _Request("POST", str(request.url), request.headers, dict(parse_qsl(body)))
        return self.server.create_token_response(oauth_request)  # type: ignore[no-any-return]

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )


@contextmanager
def running_provider() -> Iterator[OidcProvider]:
    sock = free_loopback_socket()
    provider = OidcProvider(sock.getsockname()[1])
    with serve(provider.app(), sock):
        yield provider
