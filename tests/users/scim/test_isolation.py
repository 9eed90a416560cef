"""A SCIM client of one organisation attacks another's users through the real API.

Northwind's directory knows (or guesses) Contoso's user ids, emails and
externalIds, and tries every SCIM operation on them. Each answer must be what
it would be for a user that does not exist (404, or an empty list), and
Contoso's users must come out as they went in. Where a guess collides with
Contoso's data on a unique key (emails are unique across the platform) the
answer is a 409 that names nobody, and still changes nothing.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role, User
from tests.factories import bearer, create_user
from tests.users.scim.conftest import (
    PATCH_SCHEMA,
    USER_SCHEMA,
    Directory,
    assert_scim_error,
    make_directory,
)


@pytest.fixture
def northwind(client: TestClient, session: Session, admin_headers: dict[str, str]) -> Directory:
    return make_directory(client, session, admin_headers, "Northwind")


@pytest.fixture
def contoso(client: TestClient, session: Session, admin_headers: dict[str, str]) -> Directory:
    return make_directory(client, session, admin_headers, "Contoso")


@pytest.fixture
def victim(contoso: Directory) -> dict[str, object]:
    """A Contoso employee, provisioned by Contoso's directory."""
    return contoso.create(
        "victim@contoso.test", externalId="C-42", displayName="Victim", active=True
    )


def unchanged(session: Session, victim: dict[str, object], contoso: Directory) -> None:
    user = session.get(User, int(str(victim["id"])))
    assert user is not None
    session.refresh(user)
    assert user.organization_id == contoso.organization.id
    assert (user.email, user.name, user.external_id) == ("victim@contoso.test", "Victim", "C-42")
    assert user.is_active and user.deleted_at is None
    # And Contoso's own directory still sees it as it was.
    seen = contoso.request("GET", f"/Users/{victim['id']}")
    assert seen.status_code == 200 and seen.json()["displayName"] == "Victim"


class TestAnotherOrganizationsUsersDoNotExist:
    def test_read(
        self, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        assert_scim_error(northwind.request("GET", f"/Users/{victim['id']}"), 404)

    def test_replace(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        response = northwind.request(
            "PUT",
            f"/Users/{victim['id']}",
            {"schemas": [USER_SCHEMA], "userName": "victim@contoso.test", "displayName": "Owned"},
        )
        assert_scim_error(response, 404)
        unchanged(session, victim, contoso)

    @pytest.mark.parametrize(
        "operation",
        [
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "displayName", "value": "Owned"},
            {"op": "replace", "value": {"userName": "attacker@northwind.test"}},
        ],
    )
    def test_patch(
        self,
        session: Session,
        northwind: Directory,
        contoso: Directory,
        victim: dict[str, object],
        operation: dict[str, object],
    ) -> None:
        assert_scim_error(northwind.patch(str(victim["id"]), operation), 404)
        unchanged(session, victim, contoso)

    def test_delete(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        assert_scim_error(northwind.request("DELETE", f"/Users/{victim['id']}"), 404)
        unchanged(session, victim, contoso)

    @pytest.mark.parametrize(
        "scim_filter",
        [
            None,
            'userName eq "victim@contoso.test"',
            'externalId eq "C-42"',
            'id eq "{id}"',
            'userName sw "victim"',
            'displayName eq "Victim" or userName co "contoso"',
        ],
    )
    def test_list_and_filter(
        self,
        northwind: Directory,
        contoso: Directory,
        victim: dict[str, object],
        scim_filter: str | None,
    ) -> None:
        params = {"filter": scim_filter.format(id=victim["id"])} if scim_filter else {}
        listed = northwind.request("GET", "/Users", **params).json()
        assert listed["totalResults"] == 0 and not listed.get("Resources")
        searched = northwind.request("POST", "/Users/.search", params or {}).json()
        assert searched["totalResults"] == 0

    def test_the_same_external_id_is_another_person(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        # externalIds are the directory's own: unique per organisation, not across them.
        own = northwind.create("colleague@northwind.test", externalId="C-42")
        assert own["id"] != victim["id"]
        unchanged(session, victim, contoso)


class TestCollisionsChangeNothing:
    """An address in use in another organisation reads like a new one: the directory makes a
    user of its own, unconfirmed (it never signs in as the other account, nor gets its
    mail), and the other organisation's user is untouched (users/service.py)."""

    def test_creating_an_email_in_use_elsewhere_makes_an_unconfirmed_user_of_its_own(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        fresh = northwind.create("nobody@northwind.test", displayName="Owned")
        held = northwind.create("VICTIM@contoso.test", displayName="Owned")
        assert held["id"] != victim["id"] and held["userName"] == "VICTIM@contoso.test"
        assert sorted(held) == sorted(fresh)
        unchanged(session, victim, contoso)
        mine = session.get(User, int(held["id"]))
        assert mine is not None and mine.organization_id == northwind.organization.id
        assert not mine.email_confirmed

    def test_a_deleted_user_does_not_come_back_in_another_organization(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        assert contoso.request("DELETE", f"/Users/{victim['id']}").status_code == 204
        made = northwind.create("victim@contoso.test")
        assert made["id"] != victim["id"]
        user = session.get(User, int(str(victim["id"])))
        assert user is not None
        session.refresh(user)
        assert user.organization_id == contoso.organization.id and user.deleted_at is not None

    def test_renaming_onto_an_email_in_use_elsewhere_leaves_it_unconfirmed(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        own = northwind.create("mine@northwind.test")
        response = northwind.patch(
            str(own["id"]), {"op": "replace", "path": "userName", "value": "victim@contoso.test"}
        )
        assert response.status_code == 200, response.text
        unchanged(session, victim, contoso)
        mine = session.get(User, int(own["id"]))
        assert mine is not None
        session.refresh(mine)
        assert mine.email == "victim@contoso.test" and not mine.email_confirmed

    def test_an_email_of_its_own_organization_is_a_409(
        self, session: Session, northwind: Directory
    ) -> None:
        northwind.create("twice@northwind.test")
        response = northwind.request(
            "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "TWICE@northwind.test"}
        )
        assert_scim_error(response, 409, "uniqueness")


class TestStaffAndTokens:
    def test_staff_and_users_of_no_organization_are_invisible(
        self, session: Session, northwind: Directory
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, email="root@ops.test")
        assert northwind.find('userName eq "root@ops.test"')["totalResults"] == 0
        assert_scim_error(northwind.request("GET", f"/Users/{admin.id}"), 404)
        assert_scim_error(
            northwind.patch(str(admin.id), {"op": "replace", "path": "active", "value": False}),
            404,
        )
        session.refresh(admin)
        assert admin.is_active

    def test_a_customer_admin_cannot_reach_another_organizations_tokens(
        self, client: TestClient, session: Session, northwind: Directory, contoso: Directory
    ) -> None:
        _, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=northwind.organization
        )
        headers = bearer(token)
        theirs = f"/api/v1/organizations/{contoso.organization.id}/scim-tokens"
        assert client.get(theirs, headers=headers).status_code == 404
        assert client.post(theirs, json={"label": "mine now"}, headers=headers).status_code == 404
        revoke = client.delete(f"/api/v1/scim-tokens/{contoso.token_id}", headers=headers)
        assert revoke.status_code == 404
        assert contoso.request("GET", "/Users").status_code == 200

    def test_a_patch_body_cannot_name_another_resource(
        self, session: Session, northwind: Directory, contoso: Directory, victim: dict[str, object]
    ) -> None:
        own = northwind.create("self@northwind.test")
        response = northwind.request(
            "PATCH",
            f"/Users/{own['id']}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "value": {"id": victim["id"], "active": False}}],
            },
        )
        assert response.status_code in (200, 400), response.text
        unchanged(session, victim, contoso)
