"""Signing in through an organisation's SAML IdP: pysaml2's IdP, answering our real requests.

The IdP here signs with a key and certificate made by the test; the answers are
posted to the ACS as a browser would (HTTP-POST binding). The broken answers are
the ones a misconfigured IdP or an attacker would post: unsigned, signed with
SHA-1 or another key, expired, replayed, meant for another organisation, or
vouching for someone of another organisation.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.auth.sso import saml, service
from opsportal.auth.sso.errors import SignInFailed
from opsportal.models import AuditEntry, OrganizationDomain, Role, SamlRequest, User
from opsportal.models.base import utcnow
from tests.auth.saml_idp import SamlIdp, free_loopback_socket
from tests.auth.sso_helpers import continue_url
from tests.factories import create_organization, create_user

# Each answer is signed and checked by xmlsec1 processes, and the IdP makes an RSA key.
pytestmark = pytest.mark.slow

BASE = "http://testserver"


def unused_port() -> int:
    sock = free_loopback_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> SamlIdp:
    """The IdP, in this process: these tests take its answers and post them themselves."""
    return SamlIdp(tmp_path_factory.mktemp("idp"), port=unused_port())


def configure(
    client: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    idp: SamlIdp,
    *,
    name: str,
    domain: str,
) -> int:
    organization = create_organization(session, name=name)
    answer = client.put(
        f"/api/v1/organizations/{organization.id}/sso",
        headers=admin_headers,
        json={
            "protocol": "saml",
            "jitProvisioning": True,
            "saml": {"idpMetadataXml": idp.metadata_xml()},
            "domains": [domain],
        },
    )
    assert answer.status_code == 200, answer.text
    idp.trust(client.get(f"/auth/saml/{organization.id}/metadata").text)
    return organization.id


@pytest.fixture
def acme(client: TestClient, session: Session, admin_headers: dict[str, str], idp: SamlIdp) -> int:
    return configure(client, session, admin_headers, idp, name="Acme", domain="acme.example")


def start(client: TestClient, idp: SamlIdp, organization_id: int) -> tuple[str, str, str]:
    """Start a sign-in: (request id, SP entity ID, ACS URL) of the AuthnRequest sent to the IdP."""
    answer = client.get(
        f"/auth/saml/{organization_id}/login?next=/training", follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(f"{idp.base_url}/sso/redirect?SAMLRequest=")
    request_id, sp_entity_id, acs_url, _ = idp.read_request(answer.headers["location"])
    return request_id, sp_entity_id, acs_url


def post(client: TestClient, organization_id: int, saml_response: str) -> httpx.Response:
    return client.post(
        f"/auth/saml/{organization_id}/acs",
        data={"SAMLResponse": saml_response},
        follow_redirects=False,
    )


def who(client: TestClient) -> str | None:
    page = client.get("/training", follow_redirects=False)
    if page.status_code != 200:
        return None
    # The name is isolated for right-to-left pages: <p class="who"><bdi>Name</bdi> ...
    return page.text.split('<p class="who"><bdi>', 1)[1].split("<", 1)[0].strip()


def users(session: Session, email: str) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.email == email)) or 0


def pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SamlRequest)) or 0


class TestServiceProvider:
    def test_metadata_names_the_entity_id_and_the_post_acs(
        self, client: TestClient, acme: int
    ) -> None:
        answer = client.get(f"/auth/saml/{acme}/metadata")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/samlmetadata+xml")
        assert f'entityID="{BASE}/auth/saml/{acme}/metadata"' in answer.text
        assert f'Location="{BASE}/auth/saml/{acme}/acs"' in answer.text
        assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in answer.text
        assert 'WantAssertionsSigned="true"' in answer.text
        assert "sha1" not in answer.text and "md5" not in answer.text

    def test_an_organisation_without_saml_has_no_metadata_and_no_login(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        assert client.get(f"/auth/saml/{organization.id}/metadata").status_code == 404
        assert client.get(f"/auth/saml/{organization.id}/login").status_code == 404


class TestSignIn:
    def test_a_signed_answer_signs_the_person_in_and_creates_them(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        request_id, entity_id, acs = start(client, idp, acme)
        assert (entity_id, acs) == (
            f"{BASE}/auth/saml/{acme}/metadata",
            f"{BASE}/auth/saml/{acme}/acs",
        )
        answer = post(
            client,
            acme,
            idp.response_for(
                request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email="sam@acme.example"
            ),
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/training"
        assert who(client) == "Sam Learner"
        user = session.scalars(select(User).where(User.email == "sam@acme.example")).one()
        assert (user.role, user.organization_id) == (Role.CUSTOMER, acme)
        assert session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "sso.jit_create", AuditEntry.target_id == user.id
            )
        )
        assert pending(session) == 0

    def test_the_login_page_sends_an_sso_domain_to_the_idp(
        self, client: TestClient, idp: SamlIdp, acme: int
    ) -> None:
        from tests.pages import csrf_from

        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"email": "sam@acme.example", "password": "", "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        url = continue_url(answer)
        assert url.startswith(f"/auth/saml/{acme}/login?")
        followed = client.get(url, follow_redirects=False)
        assert followed.headers["location"].startswith(f"{idp.base_url}/sso/redirect?")


class TestRefusedAnswers:
    """Each: a clear 400 or 403 page, nobody signed in, nothing created, the request still open."""

    @pytest.mark.parametrize(
        ("broken", "says"),
        [
            ({"sign_assertion": False}, "signature"),
            ({"sha1": True}, "SHA-256"),
            ({"clock_minutes": -10}, "expired"),
            ({"clock_minutes": 10}, "not valid yet"),
        ],
        ids=["unsigned", "sha1", "expired", "not-yet-valid"],
    )
    def test_a_broken_answer_is_refused_and_changes_nothing(
        self,
        client: TestClient,
        session: Session,
        idp: SamlIdp,
        acme: int,
        broken: dict[str, object],
        says: str,
    ) -> None:
        request_id, entity_id, acs = start(client, idp, acme)
        answer = post(
            client,
            acme,
            idp.response_for(
                request_id=request_id,
                sp_entity_id=entity_id,
                acs_url=acs,
                email="sam@acme.example",
                **broken,  # type: ignore[arg-type]
            ),
        )
        assert answer.status_code == 400
        assert says in answer.text
        assert who(client) is None
        assert users(session, "sam@acme.example") == 0
        # The request still waits: the IdP's proper answer is accepted.
        assert pending(session) == 1
        good = idp.response_for(
            request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email="sam@acme.example"
        )
        assert post(client, acme, good).status_code == 303

    def test_an_answer_signed_by_another_key_is_refused(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int, tmp_path: Path
    ) -> None:
        # Same entity ID and endpoints as the real IdP, but the attacker's own key.
        impostor = SamlIdp(tmp_path, port=idp.port, name="impostor")
        impostor.sp_metadata = list(idp.sp_metadata)
        impostor.server = impostor._server()
        request_id, entity_id, acs = start(client, idp, acme)
        answer = post(
            client,
            acme,
            impostor.response_for(request_id=request_id, sp_entity_id=entity_id, acs_url=acs),
        )
        assert answer.status_code == 400
        assert who(client) is None

    def test_a_replayed_answer_is_refused(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        request_id, entity_id, acs = start(client, idp, acme)
        answer = idp.response_for(
            request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email="sam@acme.example"
        )
        assert post(client, acme, answer).status_code == 303
        client.cookies.clear()
        start(client, idp, acme)  # a new sign-in is waiting; the old answer is not its answer
        again = post(client, acme, answer)
        assert again.status_code == 400
        assert "used already" in again.text
        assert who(client) is None

    def test_a_used_assertion_id_is_refused_even_for_another_waiting_request(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        request_id, entity_id, acs = start(client, idp, acme)
        request_id, assertion = service.verify_saml_answer(
            session,
            organization_id=acme,
            base_url=BASE,
            saml_response=idp.response_for(
                request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email="sam@acme.example"
            ),
        )
        service.accept_saml(
            session, organization_id=acme, request_id=request_id, assertion=assertion
        )
        # The same assertion again, against a request that is still waiting (two replicas
        # each holding one): the recorded assertion ID refuses it.
        second, _, _ = start(client, idp, acme)
        with pytest.raises(SignInFailed, match="replay"):
            service.accept_saml(
                session, organization_id=acme, request_id=second, assertion=assertion
            )

    def test_an_answer_for_another_organisation_is_refused(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        idp: SamlIdp,
        acme: int,
    ) -> None:
        globex = configure(
            client, session, admin_headers, idp, name="Globex", domain="globex.example"
        )
        request_id, entity_id, acs = start(client, idp, globex)
        answer = idp.response_for(
            request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email="ceo@globex.example"
        )
        # Posted to Acme's ACS: addressed to Globex, meant for Globex's service provider.
        refused = post(client, acme, answer)
        assert refused.status_code == 400
        assert who(client) is None
        assert users(session, "ceo@globex.example") == 0

    def test_an_idp_vouching_for_someone_of_another_organisation_is_refused(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        globex = create_organization(session, name="Globex")
        session.add(OrganizationDomain(domain="globex.example", organization_id=globex.id))
        create_user(session, organization=globex, email="ceo@globex.example")
        # Made before acme.example became Acme's domain: a Globex user in Acme's domain.
        create_user(session, organization=globex, email="spy@acme.example")
        session.flush()
        for email, status in (
            ("ceo@globex.example", 403),
            ("spy@acme.example", 403),
            ("someone@gmail.example", 403),
        ):
            request_id, entity_id, acs = start(client, idp, acme)
            answer = post(
                client,
                acme,
                idp.response_for(
                    request_id=request_id, sp_entity_id=entity_id, acs_url=acs, email=email
                ),
            )
            assert answer.status_code == status, email
            assert who(client) is None
        assert users(session, "someone@gmail.example") == 0

    def test_an_unsolicited_answer_is_refused(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        _, entity_id, acs = start(client, idp, acme)
        answer = post(
            client,
            acme,
            idp.response_for(
                request_id="id-made-up-by-the-idp", sp_entity_id=entity_id, acs_url=acs
            ),
        )
        assert answer.status_code == 400
        assert who(client) is None

    @pytest.mark.parametrize(
        "saml_response",
        ["", "not base64 at all!", base64.b64encode(b"<not-saml/>").decode(), "A" * 5000],
    )
    def test_garbage_is_a_clear_400(
        self, client: TestClient, acme: int, saml_response: str
    ) -> None:
        answer = post(client, acme, saml_response)
        assert answer.status_code == 400
        assert "Sign-in failed" in answer.text

    def test_an_expired_request_is_not_answered(
        self, client: TestClient, session: Session, idp: SamlIdp, acme: int
    ) -> None:
        request_id, entity_id, acs = start(client, idp, acme)
        stored = session.get(SamlRequest, request_id)
        assert stored is not None
        stored.expires_at = utcnow()
        session.flush()
        answer = post(
            client,
            acme,
            idp.response_for(request_id=request_id, sp_entity_id=entity_id, acs_url=acs),
        )
        assert answer.status_code == 400
        assert who(client) is None


def test_metadata_parsing_refuses_what_is_not_one_idp() -> None:
    for bad in ("", "<x/>", "<?xml version='1.0'?><EntitiesDescriptor/>", "not xml"):
        with pytest.raises(saml.InvalidMetadata):
            saml.idp_entity_id(bad)
