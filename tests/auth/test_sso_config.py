"""Configuring an organisation's single sign-on and its email domains, in the API and the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.models import AuditEntry, Organization, OrganizationSso, Role
from tests.auth.saml_idp import SamlIdp
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, log_in, post_form

OIDC = {
    "protocol": "oidc",
    "jitProvisioning": True,
    "oidc": {
        "issuer": "https://idp.acme.example",
        "clientId": "acme-client",
        "clientSecret": "the-secret-value",
    },
}


@pytest.fixture
def acme(session: Session) -> Organization:
    return create_organization(session, name="Acme")


@pytest.fixture
def acme_admin(session: Session, acme: Organization) -> dict[str, str]:
    _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=acme)
    return bearer(token)


def sso_url(organization: Organization) -> str:
    return f"/api/v1/organizations/{organization.id}/sso"


def actions(session: Session, organization: Organization) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.target_type == "organization", AuditEntry.target_id == organization.id
            )
            .order_by(AuditEntry.id)
        )
    )


class TestWhoMayConfigure:
    def test_an_admin_sets_reads_and_removes_it(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        admin_headers: dict[str, str],
    ) -> None:
        assert client.get(sso_url(acme), headers=admin_headers).status_code == 404
        put = client.put(
            sso_url(acme), headers=admin_headers, json={**OIDC, "domains": ["Acme.Example"]}
        )
        assert put.status_code == 200, put.text
        read = client.get(sso_url(acme), headers=admin_headers).json()
        assert read["protocol"] == "oidc" and read["jitProvisioning"] is True
        assert read["oidc"] == {
            "issuer": "https://idp.acme.example",
            "clientId": "acme-client",
            "clientSecretSet": True,
            "redirectUri": f"http://testserver/auth/oidc/{acme.id}/callback",
        }
        assert read["domains"] == ["acme.example"]
        assert read["loginUrl"] == f"http://testserver/auth/oidc/{acme.id}/login"
        assert "the-secret-value" not in str(read)
        assert client.delete(sso_url(acme), headers=admin_headers).status_code == 204
        assert client.get(sso_url(acme), headers=admin_headers).status_code == 404
        # The domains stay with the organisation.
        domains = client.get(f"/api/v1/organizations/{acme.id}/domains", headers=admin_headers)
        assert domains.json()["domains"] == ["acme.example"]
        assert actions(session, acme) == ["organization.domains", "sso.create", "sso.delete"]

    def test_the_organisations_customer_admin_configures_it_but_not_its_domains(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        acme_admin: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        assert client.put(sso_url(acme), headers=acme_admin, json=OIDC).status_code == 200
        assert client.get(sso_url(acme), headers=acme_admin).status_code == 200
        grab = client.put(
            sso_url(acme), headers=acme_admin, json={**OIDC, "domains": ["gmail.com"]}
        )
        assert grab.status_code == 403
        direct = client.put(
            f"/api/v1/organizations/{acme.id}/domains",
            headers=acme_admin,
            json={"domains": ["gmail.com"]},
        )
        assert direct.status_code == 403
        assert client.get(sso_url(acme), headers=admin_headers).json()["domains"] == []
        # Sending the domains it has, unchanged, is fine.
        client.put(
            f"/api/v1/organizations/{acme.id}/domains",
            headers=admin_headers,
            json={"domains": ["acme.example"]},
        )
        same = client.put(
            sso_url(acme), headers=acme_admin, json={**OIDC, "domains": ["acme.example"]}
        )
        assert same.status_code == 200
        assert client.delete(sso_url(acme), headers=acme_admin).status_code == 204

    def test_others_are_refused(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        admin_headers: dict[str, str],
        staff_headers: dict[str, str],
    ) -> None:
        client.put(sso_url(acme), headers=admin_headers, json=OIDC)
        other = create_organization(session)
        _, other_admin = create_user(session, role=Role.CUSTOMER_ADMIN, organization=other)
        _, acme_customer = create_user(session, role=Role.CUSTOMER, organization=acme)
        for headers, status in (
            (bearer(other_admin), 404),  # another tenant: never confirmed to exist
            (bearer(acme_customer), 403),
            (staff_headers, 403),
            ({}, 401),
        ):
            assert client.get(sso_url(acme), headers=headers).status_code == status
            assert client.put(sso_url(acme), headers=headers, json=OIDC).status_code == status
            assert client.delete(sso_url(acme), headers=headers).status_code == status
        assert session.get(OrganizationSso, acme.id) is not None


class TestDomains:
    def test_a_domain_belongs_to_one_organisation(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        admin_headers: dict[str, str],
    ) -> None:
        other = create_organization(session)
        url = "/api/v1/organizations/{}/domains"
        assert (
            client.put(
                url.format(acme.id), headers=admin_headers, json={"domains": ["acme.example"]}
            ).status_code
            == 200
        )
        taken = client.put(
            url.format(other.id),
            headers=admin_headers,
            json={"domains": ["ACME.example", "other.example"]},
        )
        assert taken.status_code == 409
        assert "acme.example" in taken.json()["detail"]
        assert client.get(url.format(other.id), headers=admin_headers).json()["domains"] == []
        via_sso = client.put(
            sso_url(other), headers=admin_headers, json={**OIDC, "domains": ["acme.example"]}
        )
        assert via_sso.status_code == 409
        assert session.get(OrganizationSso, other.id) is None

    @pytest.mark.parametrize(
        "domain",
        ["not a domain", "@acme.example", "localhost", "a" * 300 + ".example", "acme.example\x00"],
    )
    def test_a_bad_domain_is_named(
        self, client: TestClient, acme: Organization, admin_headers: dict[str, str], domain: str
    ) -> None:
        answer = client.put(
            f"/api/v1/organizations/{acme.id}/domains",
            headers=admin_headers,
            json={"domains": [domain]},
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"].startswith("domains")


class TestInvalidSettings:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"protocol": "oidc"}, ""),
            ({"protocol": "saml"}, ""),
            ({"protocol": "ldap"}, "protocol"),
            (
                {**OIDC, "oidc": {**OIDC["oidc"], "issuer": "http://idp.acme.example"}},
                "oidc.issuer",
            ),
            (
                {**OIDC, "oidc": {"issuer": "https://idp.acme.example", "clientId": "c"}},
                "oidc.clientSecret",
            ),
            (
                {"protocol": "saml", "saml": {"idpMetadataXml": "<not-metadata/>"}},
                "saml.idpMetadataXml",
            ),
            ({**OIDC, "unknown": 1}, "unknown"),
        ],
        ids=[
            "oidc-missing",
            "saml-missing",
            "protocol",
            "http-issuer",
            "no-secret",
            "bad-metadata",
            "extra",
        ],
    )
    def test_bad_settings_are_422_and_change_nothing(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        admin_headers: dict[str, str],
        body: dict[str, object],
        field: str,
    ) -> None:
        answer = client.put(sso_url(acme), headers=admin_headers, json=body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in str(answer.json().get("errors"))
        assert session.get(OrganizationSso, acme.id) is None

    @pytest.mark.real_password_cost  # production refuses the tests' cheap hashing
    def test_in_production_an_organisation_cannot_name_a_loopback_http_issuer(
        self,
        session: Session,
        acme: Organization,
        settings: object,
        session_factory: object,
    ) -> None:
        from opsportal.app import create_app

        production = settings.model_copy(  # type: ignore[attr-defined]
            update={
                "environment": "production",
                "session_cookie_secure": True,
                "database_url": "postgresql://production.invalid/db",
                "public_base_url": "https://ops.example.test",
            }
        )
        admin, token = create_user(session, role=Role.ADMIN)
        with TestClient(create_app(production, session_factory=session_factory)) as client:  # type: ignore[arg-type]
            body = {**OIDC, "oidc": {**OIDC["oidc"], "issuer": "http://127.0.0.1:8000"}}  # type: ignore[dict-item]
            answer = client.put(sso_url(acme), headers=bearer(token), json=body)
            assert answer.status_code == 422
            assert answer.json()["errors"][0]["field"] == "oidc.issuer"
        assert session.get(OrganizationSso, acme.id) is None

    def test_the_secret_stays_when_omitted_and_never_enters_the_audit_trail(
        self,
        client: TestClient,
        session: Session,
        acme: Organization,
        admin_headers: dict[str, str],
    ) -> None:
        client.put(sso_url(acme), headers=admin_headers, json=OIDC)
        sealed = session.get(OrganizationSso, acme.id).oidc_client_secret_sealed  # type: ignore[union-attr]
        keep = {
            **OIDC,
            "jitProvisioning": False,
            "oidc": {k: v for k, v in OIDC["oidc"].items() if k != "clientSecret"},
        }  # type: ignore[attr-defined]
        assert client.put(sso_url(acme), headers=admin_headers, json=keep).status_code == 200
        session.expire_all()
        assert session.get(OrganizationSso, acme.id).oidc_client_secret_sealed == sealed  # type: ignore[union-attr]
        trail = session.scalars(select(AuditEntry).where(AuditEntry.target_id == acme.id)).all()
        assert [e.action for e in trail if e.action.startswith("sso.")] == [
            "sso.create",
            "sso.update",
        ]
        assert all("the-secret-value" not in str(e.detail) for e in trail)
        update = next(e for e in trail if e.action == "sso.update")
        assert update.detail["before"]["jitProvisioning"] is True
        assert update.detail["after"]["jitProvisioning"] is False

    def test_saml_settings_from_real_idp_metadata(
        self, client: TestClient, acme: Organization, admin_headers: dict[str, str], tmp_path: Path
    ) -> None:
        idp = SamlIdp(tmp_path, port=1)
        answer = client.put(
            sso_url(acme),
            headers=admin_headers,
            json={
                "protocol": "saml",
                "jitProvisioning": False,
                "saml": {"idpMetadataXml": idp.metadata_xml()},
            },
        )
        assert answer.status_code == 200, answer.text
        saml = answer.json()["saml"]
        assert saml["idpEntityId"] == idp.entity_id
        assert saml["spEntityId"] == f"http://testserver/auth/saml/{acme.id}/metadata"
        assert saml["acsUrl"] == f"http://testserver/auth/saml/{acme.id}/acs"
        assert answer.json()["oidc"] is None


class TestPages:
    def test_a_customer_admin_configures_saml_in_the_page(
        self, client: TestClient, session: Session, acme: Organization, tmp_path: Path
    ) -> None:
        manager, _ = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=acme, password=PASSWORD
        )
        log_in(client, manager.email)
        assert (
            client.get("/admin/sso", follow_redirects=False).headers["location"]
            == f"/admin/organizations/{acme.id}/sso"
        )
        page = client.get(f"/admin/organizations/{acme.id}/sso")
        assert page.status_code == 200
        assert "Single sign-on is off" in page.text
        assert f"http://testserver/auth/saml/{acme.id}/acs" in page.text
        assert 'name="domains"' not in page.text  # admins set the domains
        idp = SamlIdp(tmp_path, port=1)
        saved = post_form(
            client,
            f"/admin/organizations/{acme.id}/sso",
            from_page=f"/admin/organizations/{acme.id}/sso",
            data={
                "protocol": "saml",
                "metadata": idp.metadata_xml(),
                "jit": "on",
                "action": "save",
            },
        )
        assert saved.status_code == 303
        shown = client.get(saved.headers["location"])
        assert "Single sign-on saved." in shown.text
        assert "SAML 2.0" in shown.text
        stored = session.get(OrganizationSso, acme.id)
        assert (
            stored is not None
            and stored.jit_provisioning
            and stored.saml_idp_entity_id == idp.entity_id
        )

    def test_a_bad_form_shows_the_problem_and_saves_nothing(
        self, client: TestClient, session: Session, acme: Organization
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        answer = post_form(
            client,
            f"/admin/organizations/{acme.id}/sso",
            from_page=f"/admin/organizations/{acme.id}/sso",
            data={
                "protocol": "saml",
                "metadata": "<nope/>",
                "domains": "acme.example",
                "action": "save",
            },
        )
        assert answer.status_code == 422
        assert 'role="alert"' in answer.text
        assert session.get(OrganizationSso, acme.id) is None

    def test_other_organisations_pages_are_not_found(
        self, client: TestClient, session: Session, acme: Organization
    ) -> None:
        other = create_organization(session)
        manager, _ = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=other, password=PASSWORD
        )
        log_in(client, manager.email)
        assert client.get(f"/admin/organizations/{acme.id}/sso").status_code == 404

    def test_an_admin_finds_organisations(
        self, client: TestClient, session: Session, acme: Organization
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        page = client.get("/admin/sso?q=Acme")
        assert page.status_code == 200
        assert f'href="/admin/organizations/{acme.id}/sso"' in page.text


def test_the_access_log_never_shows_an_oidc_callbacks_code(app: object) -> None:
    import logging

    access = logging.getLogger("uvicorn.access")
    # As uvicorn logs a request: client, method, path with query, HTTP version, status.
    for path in ("/auth/oidc/callback", "/auth/oidc/42/callback"):
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", f"{path}?code=the-one-time-code&state=s", "1.1", 303),
            None,
        )
        assert all(f.filter(record) for f in access.filters)  # type: ignore[union-attr]
        assert "the-one-time-code" not in record.getMessage()
        assert f"{path}?[redacted]" in record.getMessage()
