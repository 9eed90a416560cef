"""Signing in through OpenID Connect, against a real provider (Authlib's) on loopback.

Staff through the company's provider, and an organisation's people through
theirs. The provider is real; where a test needs it to misbehave (a token for
another client, a wrong nonce, an expired token, an unpublished key) it is told
to, as a misconfigured or hostile provider would.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.auth.sso import oidc
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import (
    Assignment,
    AuditEntry,
    OrganizationDomain,
    OrganizationSso,
    Role,
    User,
)
from tests.auth.oidc_provider import OidcProvider, ProviderUser, new_key, running_provider
from tests.auth.sso_helpers import continue_url
from tests.factories import create_organization, create_track, create_user
from tests.pages import PASSWORD, csrf_from

pytestmark = pytest.mark.slow

CLIENT_ID = "opsportal-staff"
CLIENT_SECRET = "staff-client-secret-value"
BASE = "http://testserver"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with running_provider() as found:
        found.register(CLIENT_ID, CLIENT_SECRET, f"{BASE}/auth/oidc/callback")
        yield found


@pytest.fixture(autouse=True)
def fresh_provider(provider: OidcProvider) -> Iterator[None]:
    """Each test starts with an honest provider, and this process knows none of its keys yet."""
    provider.user = ProviderUser()
    provider.tamper = {}
    provider.unpublished_key = None
    oidc.forget_providers()
    yield
    oidc.forget_providers()


@pytest.fixture
def settings(database_url: str, provider: OidcProvider) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-with-enough-length",
        public_base_url=BASE,
        scheduler_enabled=False,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_staff_domains="staff.example",
    )


def sign_in(client: TestClient, start: str) -> httpx.Response:
    """Follow a sign-in as a browser would: to the provider, and back to our callback."""
    started = client.get(start, follow_redirects=False)
    assert started.status_code == 303, started.text
    answer = httpx.get(started.headers["location"], follow_redirects=False)
    assert answer.status_code == 302, answer.text
    callback = answer.headers["location"]
    assert callback.startswith(BASE), callback
    return client.get(callback, follow_redirects=False)


def callback_url(client: TestClient, start: str) -> str:
    started = client.get(start, follow_redirects=False)
    answer = httpx.get(started.headers["location"], follow_redirects=False)
    return str(answer.headers["location"])


def who(client: TestClient) -> str | None:
    """The signed-in user's name, as the page header shows it (None: not signed in)."""
    page = client.get("/training", follow_redirects=False)
    if page.status_code != 200:
        return None
    # The name is isolated for right-to-left pages: <p class="who"><bdi>Name</bdi> ...
    return page.text.split('<p class="who"><bdi>', 1)[1].split("<", 1)[0].strip()


def users_named(session: Session, email: str) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.email == email)) or 0


class TestStaffSignIn:
    def test_authorisation_request_uses_pkce_state_and_nonce(self, client: TestClient) -> None:
        started = client.get("/auth/oidc/login", follow_redirects=False)
        query = parse_qs(urlsplit(started.headers["location"]).query)
        assert query["response_type"] == ["code"]
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43
        assert query["state"][0] and query["nonce"][0]
        assert query["redirect_uri"] == [f"{BASE}/auth/oidc/callback"]
        assert "code_verifier" not in query

    def test_a_new_staff_member_of_a_staff_domain_becomes_internal(
        self, client: TestClient, session: Session
    ) -> None:
        answer = sign_in(client, "/auth/oidc/login?next=/training")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/training"
        assert who(client) == "Alex Staff"
        user = session.scalars(select(User).where(User.email == "alex@staff.example")).one()
        assert user.role is Role.INTERNAL and user.organization_id is None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == user.id)
        ).all()
        assert "sso.jit_create" in actions

    def test_an_existing_admin_is_matched_by_email(
        self, client: TestClient, session: Session, provider: OidcProvider
    ) -> None:
        admin, _ = create_user(
            session, role=Role.ADMIN, email="Boss@Company.example", name="The Boss"
        )
        provider.user = ProviderUser(sub="boss", email="boss@company.example", name="B")
        assert sign_in(client, "/auth/oidc/login").status_code == 303
        assert who(client) == "The Boss"

    def test_an_unverified_email_is_refused(
        self, client: TestClient, session: Session, provider: OidcProvider
    ) -> None:
        provider.user = ProviderUser(email="new@staff.example", email_verified=False)
        answer = sign_in(client, "/auth/oidc/login")
        assert answer.status_code == 400
        assert "not verified" in answer.text
        assert users_named(session, "new@staff.example") == 0
        assert who(client) is None

    def test_an_email_outside_the_staff_domains_gets_no_account(
        self, client: TestClient, session: Session, provider: OidcProvider
    ) -> None:
        provider.user = ProviderUser(email="someone@elsewhere.example")
        answer = sign_in(client, "/auth/oidc/login")
        assert answer.status_code == 403
        assert users_named(session, "someone@elsewhere.example") == 0
        assert who(client) is None

    def test_a_customer_cannot_sign_in_through_the_staff_provider(
        self, client: TestClient, session: Session, provider: OidcProvider
    ) -> None:
        create_user(session, role=Role.CUSTOMER, email="cust@staff.example")
        provider.user = ProviderUser(email="cust@staff.example")
        assert sign_in(client, "/auth/oidc/login").status_code == 403
        assert who(client) is None


class TestIdTokenChecks:
    def test_key_rotation_at_the_provider_keeps_sign_in_working(
        self, client: TestClient, provider: OidcProvider
    ) -> None:
        assert sign_in(client, "/auth/oidc/login").status_code == 303
        reads = provider.jwks_reads
        client.cookies.clear()
        provider.rotate_keys()  # the old key is gone from the JWKS, a new one signs
        assert sign_in(client, "/auth/oidc/login").status_code == 303
        assert who(client) == "Alex Staff"
        assert provider.jwks_reads == reads + 1  # read again, once, for the new kid

    def test_a_token_signed_with_a_key_the_provider_never_published_is_refused(
        self, client: TestClient, provider: OidcProvider
    ) -> None:
        provider.unpublished_key = new_key()
        answer = sign_in(client, "/auth/oidc/login")
        assert answer.status_code == 400
        assert "signature" in answer.text
        assert who(client) is None

    @pytest.mark.parametrize(
        ("claims", "says"),
        [
            ({"aud": ["another-client"]}, "aud"),
            ({"aud": [CLIENT_ID, "another-client"], "azp": "another-client"}, "azp"),
            ({"nonce": "a-nonce-of-another-sign-in"}, "nonce"),
            ({"iss": "https://impostor.example"}, "iss"),
            ({"exp": 1_000_000_000}, "expired"),
        ],
        ids=["wrong-aud", "wrong-azp", "wrong-nonce", "wrong-iss", "expired"],
    )
    def test_a_token_with_a_wrong_claim_is_refused(
        self,
        client: TestClient,
        session: Session,
        provider: OidcProvider,
        claims: dict[str, object],
        says: str,
    ) -> None:
        provider.tamper = claims
        answer = sign_in(client, "/auth/oidc/login")
        assert answer.status_code == 400
        assert says in answer.text
        assert who(client) is None
        assert users_named(session, "alex@staff.example") == 0

    def test_a_replayed_callback_is_refused(self, client: TestClient) -> None:
        url = callback_url(client, "/auth/oidc/login")
        assert client.get(url, follow_redirects=False).status_code == 303
        client.cookies.clear()
        again = client.get(url, follow_redirects=False)
        assert again.status_code == 400
        assert "state" in again.text
        assert who(client) is None

    def test_a_callback_for_another_browser_is_refused(self, app: FastAPI) -> None:
        with TestClient(app) as victim, TestClient(app) as attacker:
            # The attacker's own code and state, pushed into the victim's browser.
            url = callback_url(attacker, "/auth/oidc/login")
            victim.get("/auth/oidc/login", follow_redirects=False)  # the victim's own sign-in
            answer = victim.get(url, follow_redirects=False)
            assert answer.status_code == 400
            assert who(victim) is None

    def test_a_callback_whose_state_was_changed_is_refused(self, client: TestClient) -> None:
        # The provider's real code, but not the state this browser's sign-in started with.
        url = callback_url(client, "/auth/oidc/login")
        query = parse_qs(urlsplit(url).query)
        forged = f"{BASE}/auth/oidc/callback?code={query['code'][0]}&state=not-the-one"
        answer = client.get(forged, follow_redirects=False)
        assert answer.status_code == 400
        assert "state" in answer.text
        assert who(client) is None

    @pytest.mark.parametrize("query", ["", "?code=abc", "?code=abc&state=made-up"])
    def test_a_callback_without_the_right_state_is_refused(
        self, client: TestClient, query: str
    ) -> None:
        client.get("/auth/oidc/login", follow_redirects=False)
        answer = client.get(f"/auth/oidc/callback{query}", follow_redirects=False)
        assert answer.status_code == 400
        assert who(client) is None

    def test_an_error_from_the_provider_is_shown(self, client: TestClient) -> None:
        started = client.get("/auth/oidc/login", follow_redirects=False)
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        answer = client.get(
            f"/auth/oidc/callback?error=access_denied&state={state}", follow_redirects=False
        )
        assert answer.status_code == 400
        assert "access_denied" in answer.text


class TestStaffPasswordSwitch:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"staff_password_login": False})

    def test_staff_cannot_use_a_password_in_the_api_or_the_form(
        self, client: TestClient, session: Session
    ) -> None:
        create_user(session, role=Role.ADMIN, email="root@company.example", password=PASSWORD)
        api = client.post(
            "/api/v1/login", json={"email": "root@company.example", "password": PASSWORD}
        )
        assert api.status_code == 403
        assert "single sign-on" in api.json()["detail"]
        page = client.get("/login")
        form = client.post(
            "/login",
            data={
                "email": "root@company.example",
                "password": PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        assert form.status_code == 403
        assert who(client) is None

    def test_a_staff_domain_email_is_sent_to_the_provider(self, client: TestClient) -> None:
        page = client.get("/login")
        form = client.post(
            "/login",
            data={
                "email": "alex@staff.example",
                "password": "anything",
                "next": "/training",
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        url = continue_url(form)
        assert url.startswith("/auth/oidc/login?")
        answer = sign_in(client, url)
        assert answer.headers["location"] == "/training"

    def test_customers_still_use_passwords(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        api = client.post("/api/v1/login", json={"email": user.email, "password": PASSWORD})
        assert api.status_code == 201


# --- an organisation's own OpenID provider ---------------------------------------------


ORG_CLIENT = "acme-opsportal"
ORG_SECRET = "acme-client-secret-value"


@pytest.fixture
def acme(
    session: Session, client: TestClient, provider: OidcProvider, admin_headers: dict[str, str]
) -> int:
    organization = create_organization(session, name="Acme")
    provider.register(ORG_CLIENT, ORG_SECRET, f"{BASE}/auth/oidc/{organization.id}/callback")
    answer = client.put(
        f"/api/v1/organizations/{organization.id}/sso",
        headers=admin_headers,
        json={
            "protocol": "oidc",
            "jitProvisioning": True,
            "oidc": {"issuer": provider.issuer, "clientId": ORG_CLIENT, "clientSecret": ORG_SECRET},
            "domains": ["acme.example"],
        },
    )
    assert answer.status_code == 200, answer.text
    return organization.id


def log_in_form(client: TestClient, email: str, password: str = "") -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


class TestOrganizationSignIn:
    def test_the_login_page_sends_an_sso_domain_to_its_provider_and_creates_the_user(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        track = create_track(session, name="Code of conduct")
        track.is_required = True
        session.flush()
        provider.user = ProviderUser(sub="sam", email="sam@acme.example", name="Sam Acme")
        form = log_in_form(client, "sam@acme.example")
        url = continue_url(form)
        assert url.startswith(f"/auth/oidc/{acme}/login?")
        assert "login_hint=sam%40acme.example" in url
        assert sign_in(client, url).status_code == 303
        assert who(client) == "Sam Acme"
        user = session.scalars(select(User).where(User.email == "sam@acme.example")).one()
        assert (user.role, user.organization_id) == (Role.CUSTOMER, acme)
        # Created like any other user: its required tracks are assigned.
        assert session.scalar(
            select(Assignment.id).where(
                Assignment.user_id == user.id, Assignment.track_id == track.id
            )
        )
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "sso.jit_create", AuditEntry.target_id == user.id
            )
        ).one()
        assert audit.detail["organizationId"] == acme

    def test_a_password_user_elsewhere_still_logs_in_with_the_same_form(
        self, client: TestClient, session: Session, acme: int
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        assert log_in_form(client, user.email, PASSWORD).headers["location"] == "/"
        assert who(client) == user.name

    def test_an_email_outside_the_organisations_domains_is_refused(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        globex = create_organization(session, name="Globex")
        session.add(OrganizationDomain(domain="globex.example", organization_id=globex.id))
        victim, _ = create_user(session, organization=globex, email="ceo@globex.example")
        session.flush()
        for email in ("ceo@globex.example", "stranger@gmail.example"):
            provider.user = ProviderUser(sub=email, email=email)
            answer = sign_in(client, f"/auth/oidc/{acme}/login")
            assert answer.status_code == 403, email
            assert who(client) is None
        assert users_named(session, "stranger@gmail.example") == 0

    def test_a_user_of_another_organisation_is_refused_even_in_its_domain(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        # Made before acme.example was acme's domain: it belongs to Globex.
        globex = create_organization(session, name="Globex")
        create_user(session, organization=globex, email="spy@acme.example")
        provider.user = ProviderUser(sub="spy", email="spy@acme.example")
        assert sign_in(client, f"/auth/oidc/{acme}/login").status_code == 403
        assert who(client) is None

    def test_staff_cannot_sign_in_through_an_organisations_provider(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        create_user(session, role=Role.ADMIN, email="admin@acme.example")
        provider.user = ProviderUser(sub="a", email="admin@acme.example")
        assert sign_in(client, f"/auth/oidc/{acme}/login").status_code == 403
        assert who(client) is None

    def test_without_jit_an_unknown_person_gets_no_account(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        session.get(OrganizationSso, acme).jit_provisioning = False  # type: ignore[union-attr]
        session.flush()
        provider.user = ProviderUser(sub="n", email="new@acme.example")
        assert sign_in(client, f"/auth/oidc/{acme}/login").status_code == 403
        assert users_named(session, "new@acme.example") == 0

    def test_a_wrong_audience_is_refused_for_an_organisation_too(
        self, client: TestClient, session: Session, provider: OidcProvider, acme: int
    ) -> None:
        provider.user = ProviderUser(sub="sam", email="sam@acme.example")
        provider.tamper = {"aud": [CLIENT_ID]}  # a token for the staff client, not Acme's
        assert sign_in(client, f"/auth/oidc/{acme}/login").status_code == 400
        assert users_named(session, "sam@acme.example") == 0

    def test_the_client_secret_is_sealed_and_never_read_back(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], acme: int
    ) -> None:
        stored = session.get(OrganizationSso, acme)
        assert stored is not None and stored.oidc_client_secret_sealed
        assert ORG_SECRET not in stored.oidc_client_secret_sealed
        read = client.get(f"/api/v1/organizations/{acme}/sso", headers=admin_headers)
        assert read.status_code == 200
        assert ORG_SECRET not in read.text
        assert read.json()["oidc"]["clientSecretSet"] is True
        assert read.json()["oidc"]["redirectUri"] == f"{BASE}/auth/oidc/{acme}/callback"

    def test_a_secret_sealed_under_another_secret_key_fails_clearly(
        self,
        session: Session,
        settings: Settings,
        session_factory: SessionFactory,
        provider: OidcProvider,
        acme: int,
    ) -> None:
        other = create_app(
            settings.model_copy(update={"secret_key": "another-secret-key-of-enough-length"}),
            session_factory=session_factory,
        )
        with TestClient(other) as client:
            provider.user = ProviderUser(sub="sam", email="sam@acme.example")
            answer = client.get(f"/auth/oidc/{acme}/login", follow_redirects=False)
            assert answer.status_code == 400
            assert "client secret" in answer.text
