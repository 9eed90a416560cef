"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP, served on loopback.

It signs with an RSA key and a self-signed certificate the test makes (cryptography),
trusts the service provider whose metadata it is given, and answers an
AuthnRequest (HTTP-Redirect) with a signed Response posted to the SP's ACS
(HTTP-POST, the page submits itself as pysaml2 writes it). Tests choose who
signs in (`idp.user`), and can ask it for answers directly (`response_for`),
including the broken ones an attacker or a misconfigured IdP would send.
"""

from __future__ import annotations

import base64
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import saml2.assertion
import saml2.entity
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from opsportal.auth.sso.saml import xmlsec_binary


def make_key_and_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """An RSA key and a self-signed certificate for `name`, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path = directory / f"{name}.key"
    cert_path = directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class SamlUser:
    email: str
    name: str = "Sam Learner"


class SamlIdp:
    def __init__(self, directory: Path, *, port: int, name: str = "test-idp") -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.port = port
        self.key_file, self.cert_file = make_key_and_certificate(directory, name)
        self.user = SamlUser(email="sam@acme.example")
        self.sp_metadata: list[str] = []
        self.server = self._server()

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    def _config(self) -> IdPConfig:
        settings: dict[str, Any] = {
            "entityid": self.entity_id,
            "xmlsec_binary": xmlsec_binary(),
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "want_authn_requests_signed": False,
                },
            },
        }
        if self.sp_metadata:
            settings["metadata"] = {"inline": list(self.sp_metadata)}
        config = IdPConfig()
        config.load(settings)
        return config

    def _server(self) -> Server:
        return Server(config=self._config())

    def metadata_xml(self) -> str:
        text = create_metadata_string(None, config=self._config(), valid=None)
        return text.decode("utf-8") if isinstance(text, bytes) else str(text)

    def trust(self, sp_metadata_xml: str) -> None:
        """Know this service provider (its entity ID and ACS) from its metadata."""
        self.sp_metadata.append(sp_metadata_xml)
        self.server = self._server()

    def read_request(self, redirect_url: str) -> tuple[str, str, str, str]:
        """(request id, SP entity id, ACS URL, relay state) of an AuthnRequest redirect URL."""
        query = parse_qs(urlsplit(redirect_url).query)
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = parsed.message
        relay_state = query.get("RelayState", [""])[0]
        return (
            message.id,
            message.issuer.text,
            message.assertion_consumer_service_url,
            relay_state,
        )

    def response_for(
        self,
        *,
        request_id: str,
        sp_entity_id: str,
        acs_url: str,
        email: str | None = None,
        name: str | None = None,
        sign_assertion: bool = True,
        sha1: bool = False,
        clock_minutes: int = 0,
    ) -> str:
        """A base64 SAMLResponse for `request_id`, signed (or not) as asked.

        `clock_minutes` sets the IdP's clock that far off (-10: the answer was made ten
        minutes ago, and its five-minute lifetime is over).
        """
        email = email or self.user.email
        with _clock_off_by(clock_minutes):
            response = self.server.create_authn_response(
                identity={"mail": [email], "displayName": [name or self.user.name]},
                in_response_to=request_id,
                destination=acs_url,
                sp_entity_id=sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=sign_assertion,
                sign_response=False,
                sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
            )
        return base64.b64encode(str(response).encode("utf-8")).decode("ascii")

    # --- the IdP's pages ----------------------------------------------------------

    async def _sso_redirect(self, request: Request) -> Response:
        request_id, sp_entity_id, acs_url, relay_state = self.read_request(str(request.url))
        saml_response = self.response_for(
            request_id=request_id, sp_entity_id=sp_entity_id, acs_url=acs_url
        )
        # The page pysaml2 writes for the POST binding: a form that submits itself.
        page = self.server.apply_binding(
            BINDING_HTTP_POST,
            base64.b64decode(saml_response).decode("utf-8"),
            destination=acs_url,
            relay_state=relay_state,
            response=True,
        )
        return HTMLResponse(page["data"])

    async def _metadata(self, request: Request) -> Response:
        return Response(self.metadata_xml(), media_type="application/samlmetadata+xml")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/sso/redirect", self._sso_redirect),
                Route("/metadata", self._metadata),
            ]
        )


@contextmanager
def _clock_off_by(minutes: int) -> Iterator[None]:
    """The IdP's clock `minutes` off while it writes an answer (its own time functions only)."""
    if not minutes:
        yield
        return
    shift = minutes * 60

    def instant(format: str = time_util.TIME_FORMAT, time_stamp: float = 0) -> str:
        return time_util.instant(format, time_stamp or time.time() + shift)

    def in_a_while(**delta: Any) -> str:
        return time_util.in_a_while(**{**delta, "seconds": delta.get("seconds", 0) + shift})

    with (
        mock.patch.object(saml2.assertion, "instant", instant),
        mock.patch.object(saml2.assertion, "in_a_while", in_a_while),
        mock.patch.object(saml2.entity, "instant", instant),
    ):
        yield


def free_loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: Any, sock: socket.socket) -> Iterator[None]:
    """Serve an ASGI app with uvicorn on `sock` (loopback) in a thread, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def running_idp(directory: Path, name: str = "test-idp") -> Iterator[SamlIdp]:
    sock = free_loopback_socket()
    idp = SamlIdp(directory, port=sock.getsockname()[1], name=name)
    with serve(idp.app(), sock):
        yield idp
