"""SCIM 2.0 Users as Okta and Entra ID drive them, and the SCIM tokens that let them."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.auth.secrets import hash_password
from opsportal.auth.service import issue_token
from opsportal.config import Settings
from opsportal.models import (
    ApiToken,
    Assignment,
    AuditEntry,
    OutboxMessage,
    Role,
    ScimToken,
    User,
)
from tests.factories import (
    bearer,
    certify,
    create_organization,
    create_track_with_quizzes,
    create_user,
)
from tests.pages import PASSWORD, csrf_from, log_in
from tests.users.scim.conftest import USER_SCHEMA, Directory, assert_scim_error

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def row(session: Session, user_id: str | int) -> User:
    user = session.get(User, int(user_id))
    assert user is not None
    session.refresh(user)
    return user


class TestScimTokens:
    def test_issued_once_stored_hashed_listed_and_revoked(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        url = f"/api/v1/organizations/{organization.id}/scim-tokens"
        issued = client.post(url, json={"label": "Okta"}, headers=admin_headers)
        assert issued.status_code == 201
        body = issued.json()
        assert set(body) == {"id", "token", "label", "createdAt"}
        stored = session.get(ScimToken, body["id"])
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert body["token"] not in stored.token_hash

        listed = client.get(url, headers=admin_headers)
        assert listed.status_code == 200
        assert [t["label"] for t in listed.json()] == ["Okta"]
        assert body["token"] not in listed.text and "token" not in listed.json()[0]

        scim = {"Authorization": f"Bearer {body['token']}"}
        assert client.get("/scim/v2/Users", headers=scim).status_code == 200
        revoked = client.delete(f"/api/v1/scim-tokens/{body['id']}", headers=admin_headers)
        assert revoked.status_code == 204
        assert_scim_error(client.get("/scim/v2/Users", headers=scim), 401)
        assert client.get(url, headers=admin_headers).json()[0]["revokedAt"] is not None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "scim_token")
        ).all()
        assert actions == ["scim_token.issue", "scim_token.revoke"]

    def test_a_customer_admin_manages_its_own_organizations_tokens_only(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization, other = create_organization(session), create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=organization)
        headers = bearer(token)
        own = client.post(
            f"/api/v1/organizations/{organization.id}/scim-tokens",
            json={"label": "Entra"},
            headers=headers,
        )
        assert own.status_code == 201
        theirs = client.post(
            f"/api/v1/organizations/{other.id}/scim-tokens",
            json={"label": "x"},
            headers=admin_headers,
        )
        assert theirs.status_code == 201
        for response in (
            client.post(
                f"/api/v1/organizations/{other.id}/scim-tokens",
                json={"label": "x"},
                headers=headers,
            ),
            client.get(f"/api/v1/organizations/{other.id}/scim-tokens", headers=headers),
            client.delete(f"/api/v1/scim-tokens/{theirs.json()['id']}", headers=headers),
        ):
            assert response.status_code == 404
        _, customer = create_user(session, role=Role.CUSTOMER, organization=organization)
        response = client.get(
            f"/api/v1/organizations/{organization.id}/scim-tokens", headers=bearer(customer)
        )
        assert response.status_code == 403

    def test_a_scim_token_is_no_api_token_and_the_other_way_round(
        self, client: TestClient, directory: Directory, admin_headers: dict[str, str]
    ) -> None:
        assert client.get("/api/v1/me", headers=directory.headers).status_code == 401
        assert_scim_error(client.get("/scim/v2/Users", headers=admin_headers), 401)
        assert_scim_error(client.get("/scim/v2/Users"), 401)

    def test_no_body_is_read_without_a_token(self, client: TestClient) -> None:
        response = client.post(
            "/scim/v2/Users",
            content=b"{not json",
            headers={"Authorization": "Bearer scim_nope", "Content-Type": "application/scim+json"},
        )
        assert_scim_error(response, 401)


class TestCreate:
    def test_a_customer_of_the_tokens_organization_with_its_tracks_and_invitation(
        self, session: Session, directory: Directory, settings: Settings
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1)
        track.is_required = True
        session.flush()
        response = directory.request(
            "POST",
            "/Users",
            {
                "schemas": [USER_SCHEMA, ENTERPRISE],
                "userName": "ada@example.test",
                "externalId": "00u1abc",
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
                "emails": [{"value": "ada@example.test", "type": "work", "primary": True}],
                "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
                ENTERPRISE: {"department": "Engines"},
                "active": True,
            },
        )
        assert response.status_code == 201, response.text
        assert response.headers["content-type"].startswith("application/scim+json")
        body = response.json()
        assert response.headers["location"] == f"http://testserver/scim/v2/Users/{body['id']}"
        assert body["userName"] == "ada@example.test" and body["active"] is True
        assert body["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
        assert "phoneNumbers" not in body and ENTERPRISE not in body  # not kept
        assert body["meta"]["resourceType"] == "User"

        user = row(session, body["id"])
        assert (user.role, user.organization_id) == (Role.CUSTOMER, directory.organization.id)
        assert (user.name, user.external_id) == ("Ada Lovelace", "00u1abc")
        assert session.scalars(
            select(Assignment).where(Assignment.user_id == user.id, Assignment.track_id == track.id)
        ).one()
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.test")
        ).one()
        assert "/set-password/" in mail.body
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == user.id).order_by(AuditEntry.id)
        ).all()
        assert "user.create" in actions and "scim.user.create" in actions

    def test_an_inactive_user_is_not_invited_and_active_defaults_to_true(
        self, session: Session, directory: Directory
    ) -> None:
        sleeping = directory.create("zzz@example.test", active=False)
        assert sleeping["active"] is False
        response = directory.request(
            "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "plain@example.test"}
        )
        assert response.status_code == 201 and response.json()["active"] is True
        recipients = session.scalars(select(OutboxMessage.recipient)).all()
        assert recipients == ["plain@example.test"]

    def test_duplicates_are_409_uniqueness(self, session: Session, directory: Directory) -> None:
        directory.create("dup@example.test", externalId="E1")
        again = directory.request(
            "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "DUP@example.test"}
        )
        assert_scim_error(again, 409, "uniqueness")
        same_id = directory.request(
            "POST",
            "/Users",
            {"schemas": [USER_SCHEMA], "userName": "other@example.test", "externalId": "E1"},
        )
        assert_scim_error(same_id, 409, "uniqueness")


class TestBadBodies:
    @pytest.mark.parametrize(
        ("body", "scim_type"),
        [
            ({"schemas": [USER_SCHEMA]}, "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "not an email"}, "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "a@example.test\r\nBcc: x@evil.test"},
             "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": ["a@example.test"]}, "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "a@example.test", "active": "perhaps"},
             "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "a@example.test", "emails": "a@x.test"},
             "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "a@example.test", "displayName": "x" * 300},
             "invalidValue"),
            ({"schemas": [USER_SCHEMA], "userName": "a@example.test", "externalId": "e\x00"},
             "invalidValue"),
        ],
    )  # fmt: skip
    def test_a_body_that_breaks_the_schema_is_a_400_and_changes_nothing(
        self, session: Session, directory: Directory, body: dict[str, object], scim_type: str
    ) -> None:
        before = session.scalars(select(User.id)).all()
        response = directory.request("POST", "/Users", body)
        assert response.status_code == 400, response.text
        assert response.json()["scimType"] in (scim_type, "invalidSyntax")
        assert session.scalars(select(User.id)).all() == before

    def test_not_json_is_invalid_syntax(self, directory: Directory) -> None:
        response = directory.client.post(
            "/scim/v2/Users",
            content=b"{userName: x",
            headers={**directory.headers, "Content-Type": "application/scim+json"},
        )
        assert_scim_error(response, 400, "invalidSyntax")
        response = directory.request("POST", "/Users", ["a list"])
        assert_scim_error(response, 400, "invalidSyntax")

    @pytest.mark.parametrize(
        ("params", "scim_type"),
        [
            ({"filter": "userName eq"}, "invalidFilter"),
            ({"filter": 'nickName eq "x"'}, "invalidFilter"),
            ({"filter": 'userName eq "a" and ('}, "invalidFilter"),
            ({"startIndex": "abc"}, "invalidValue"),
            ({"count": "99999999999999"}, "invalidValue"),
        ],
    )
    def test_bad_query_parameters_are_400(
        self, directory: Directory, params: dict[str, str], scim_type: str | None
    ) -> None:
        response = directory.request("GET", "/Users", **params)
        assert response.status_code == 400, response.text
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        if scim_type:
            assert response.json()["scimType"] == scim_type

    def test_unknown_paths_and_methods_answer_in_scim(self, directory: Directory) -> None:
        assert_scim_error(directory.request("GET", "/Groups"), 404)
        assert_scim_error(directory.request("GET", "/Users/not-a-number"), 404)
        assert_scim_error(directory.request("DELETE", "/ServiceProviderConfig"), 405)


class TestReadAndList:
    def test_filter_by_user_name_and_paging(self, directory: Directory) -> None:
        ids = [directory.create(f"p{n}@example.test")["id"] for n in range(5)]
        found = directory.find('userName eq "P3@EXAMPLE.test"')
        assert found["totalResults"] == 1
        assert [r["id"] for r in found["Resources"]] == [ids[3]]
        assert directory.find('userName eq "nobody@example.test"')["totalResults"] == 0

        page = directory.request("GET", "/Users", startIndex="2", count="2").json()
        assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
        assert [r["id"] for r in page["Resources"]] == ids[1:3]
        only_total = directory.request("GET", "/Users", count="0").json()
        assert only_total["totalResults"] == 5 and not only_total.get("Resources")
        # Any other filter is evaluated too.
        starts = directory.find('userName sw "p1" or userName ew "p4@example.test"')
        assert sorted(r["id"] for r in starts["Resources"]) == sorted([ids[1], ids[4]])

    def test_attributes_parameter(self, directory: Directory) -> None:
        created = directory.create("attr@example.test", displayName="Attr")
        response = directory.request("GET", f"/Users/{created['id']}", attributes="displayName")
        assert response.status_code == 200
        assert set(response.json()) == {"schemas", "id", "displayName"}

    def test_users_made_elsewhere_are_listed_too(
        self, session: Session, directory: Directory
    ) -> None:
        create_user(
            session, role=Role.CUSTOMER, organization=directory.organization,
            email="form@example.test", name="From The Form",
        )  # fmt: skip
        create_user(session, role=Role.ADMIN, email="staff@example.test")
        found = directory.find('userName eq "form@example.test"')
        assert found["Resources"][0]["displayName"] == "From The Form"
        assert directory.find('userName eq "staff@example.test"')["totalResults"] == 0


class TestUpdate:
    def test_put_replaces(self, session: Session, directory: Directory) -> None:
        created = directory.create("put@example.test", displayName="Before", externalId="X1")
        response = directory.request(
            "PUT",
            f"/Users/{created['id']}",
            {
                "schemas": [USER_SCHEMA],
                "userName": "renamed@example.test",
                "name": {"formatted": "After Name"},
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["userName"] == "renamed@example.test"
        assert "displayName" not in body and "externalId" not in body
        assert body["active"] is True  # left out: as it was
        user = row(session, created["id"])
        assert (user.email, user.name, user.external_id) == (
            "renamed@example.test",
            "After Name",
            None,
        )

    def test_entra_style_patch(self, session: Session, directory: Directory) -> None:
        created = directory.create("entra@example.test", displayName="Old")
        response = directory.patch(
            created["id"],
            {"op": "Replace", "path": "displayName", "value": "New Name"},
            {"op": "Add", "value": {"name.givenName": "New", "externalId": "EID-9"}},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Sales"},
            {"op": "Replace", "path": 'phoneNumbers[type eq "work"].value', "value": "1"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["displayName"] == "New Name" and body["externalId"] == "EID-9"
        assert body["name"]["givenName"] == "New"
        assert row(session, created["id"]).name == "New Name"
        removed = directory.patch(created["id"], {"op": "remove", "path": "displayName"})
        assert "displayName" not in removed.json()
        assert row(session, created["id"]).name == "New"  # then name.givenName

    @pytest.mark.parametrize(
        "operation",
        [
            {"op": "remove", "path": "userName"},
            {"op": "remove", "path": "active"},
            {"op": "replace", "path": "userName", "value": "not-an-email"},
            {"op": "jump", "path": "displayName", "value": "x"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@x.test"},
            {"op": "add", "path": "displayName"},
            {"op": "replace", "path": "name..givenName", "value": "x"},
        ],
    )
    def test_a_bad_patch_is_a_400_and_changes_nothing(
        self, session: Session, directory: Directory, operation: dict[str, object]
    ) -> None:
        created = directory.create("bad@example.test", displayName="Same")
        response = directory.patch(created["id"], operation)
        assert response.status_code == 400, response.text
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        user = row(session, created["id"])
        assert (user.email, user.name, user.is_active) == ("bad@example.test", "Same", True)

    def test_a_patch_without_the_patch_schema_is_refused(self, directory: Directory) -> None:
        created = directory.create("noschema@example.test")
        response = directory.request(
            "PATCH", f"/Users/{created['id']}", {"Operations": [{"op": "remove", "path": "x"}]}
        )
        assert response.status_code == 400


class TestDeprovisioning:
    def test_active_false_ends_sessions_and_tokens_at_once(
        self, client: TestClient, session: Session, directory: Directory
    ) -> None:
        created = directory.create("okta@example.test")
        user = row(session, created["id"])
        # As if it had accepted its invitation (which confirms its address) and set a password.
        user.password_hash, user.email_confirmed = hash_password(PASSWORD), True
        session.flush()
        api = issue_token(session, user=user)
        with TestClient(client.app) as browser:
            assert log_in(browser, "okta@example.test").status_code == 303
            assert browser.get("/training", follow_redirects=False).status_code == 200
            assert client.get("/api/v1/me", headers=bearer(api)).status_code == 200

            response = directory.patch(
                created["id"], {"op": "replace", "path": "active", "value": False}
            )
            assert response.status_code == 200 and response.json()["active"] is False
            assert browser.get("/training", follow_redirects=False).status_code == 303
            assert client.get("/api/v1/me", headers=bearer(api)).status_code == 401
            assert log_in(browser, "okta@example.test").status_code == 401

        # Back again: a fresh start, the old API token stays revoked.
        again = directory.patch(created["id"], {"op": "replace", "value": {"active": True}})
        assert again.json()["active"] is True
        assert client.get("/api/v1/me", headers=bearer(api)).status_code == 401
        assert session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)).one()

    def test_delete_removes_the_user_from_scim_and_keeps_its_certificates(
        self, client: TestClient, session: Session, directory: Directory, settings: Settings
    ) -> None:
        created = directory.create("gone@example.test", displayName="Gone Person")
        user = row(session, created["id"])
        api = issue_token(session, user=user)
        track, quizzes = create_track_with_quizzes(session, courses=1)
        certificate = certify(session, user=user, track=track, quizzes=quizzes, settings=settings)

        assert directory.request("DELETE", f"/Users/{created['id']}").status_code == 204
        assert_scim_error(directory.request("GET", f"/Users/{created['id']}"), 404)
        assert_scim_error(directory.request("DELETE", f"/Users/{created['id']}"), 404)
        assert directory.find('userName eq "gone@example.test"')["totalResults"] == 0
        assert client.get("/api/v1/me", headers=bearer(api)).status_code == 401

        kept = row(session, created["id"])
        assert kept.deleted_at is not None and not kept.is_active
        verified = client.get(f"/api/v1/certificates/verify/{certificate.verification_code}")
        assert verified.status_code == 200
        assert verified.json()["certificateNumber"] == certificate.certificate_number
        assert session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "scim.user.delete", AuditEntry.target_id == kept.id
            )
        ).one()

        # The directory creates the person again: the same account comes back.
        back = directory.create("gone@example.test", displayName="Back Again")
        assert back["id"] == created["id"]
        assert row(session, back["id"]).deleted_at is None


class TestProvisioningPage:
    def test_issue_shows_the_token_once_then_revoke(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization,
            email="it@example.test", password=PASSWORD,
        )  # fmt: skip
        assert log_in(client, "it@example.test").status_code == 303
        page = client.get("/admin/scim")
        assert page.status_code == 200
        assert 'value="http://testserver/scim/v2"' in page.text
        issued = client.post(
            "/admin/scim/tokens",
            data={"csrf_token": csrf_from(page.text), "label": "Okta"},
        )
        assert issued.status_code == 200
        token = re.search(
            r'id="new-scim-token" type="text" readonly value="(scim_[^"]+)"', issued.text
        )
        assert token
        scim = {"Authorization": f"Bearer {token[1]}"}
        assert client.get("/scim/v2/Users", headers=scim).status_code == 200
        again = client.get("/admin/scim")
        assert token[1] not in again.text and "Okta" in again.text
        row_id = session.scalars(select(ScimToken.id)).one()
        revoked = client.post(
            f"/admin/scim/tokens/{row_id}/revoke",
            data={"csrf_token": csrf_from(again.text)},
            follow_redirects=True,
        )
        assert "revoked" in revoked.text
        assert client.get("/scim/v2/Users", headers=scim).status_code == 401
