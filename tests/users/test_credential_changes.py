"""A change of role, organisation, password or active flag ends every API token, web
session and password link the user was given before it, whoever issued them; and a
customer_admin acts for itself and its customers, never for another customer_admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Organization, Role, User
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, csrf_from, log_in, post_form

NEW_PASSWORD = "a brand new passphrase"


@dataclass
class Tenant:
    organization: Organization
    customer_admin: User
    headers: dict[str, str]
    member: User


@pytest.fixture
def acme(session: Session) -> Tenant:
    organization = create_organization(session, name="Acme")
    customer_admin, token = create_user(
        session, role=Role.CUSTOMER_ADMIN, organization=organization, password=PASSWORD
    )
    member, _ = create_user(
        session, role=Role.CUSTOMER, organization=organization, password=PASSWORD
    )
    return Tenant(organization, customer_admin, bearer(token), member)


def link_path(response: Any) -> str:
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url.removeprefix("http://testserver")


@dataclass
class Held:
    """What was given to a user before the change: tokens, a signed-in browser, a link."""

    minted: str  # by its customer_admin
    logged_in: str  # by the user itself, POST /api/v1/login
    browser: TestClient
    link: str  # a password link its customer_admin issued

    def tokens_work(self, client: TestClient) -> list[int]:
        return [
            client.get("/api/v1/me", headers=bearer(token)).status_code
            for token in (self.minted, self.logged_in)
        ]

    def session_works(self) -> bool:
        return self.browser.get("/training", follow_redirects=False).status_code == 200

    def link_works(self, client: TestClient) -> bool:
        return client.get(self.link).status_code == 200


@pytest.fixture
def held(client: TestClient, acme: Tenant) -> Iterator[Held]:
    member = acme.member
    minted = client.post(
        f"/api/v1/users/{member.id}/tokens", json={"label": "by admin"}, headers=acme.headers
    )
    assert minted.status_code == 201, minted.text
    logged_in = client.post("/api/v1/login", json={"email": member.email, "password": PASSWORD})
    assert logged_in.status_code == 201, logged_in.text
    with TestClient(client.app) as browser:
        assert log_in(browser, member.email).status_code == 303
        link = link_path(
            client.post(f"/api/v1/users/{member.id}/password-link", headers=acme.headers)
        )
        found = Held(minted.json()["token"], logged_in.json()["token"], browser, link)
        assert found.tokens_work(client) == [200, 200]
        assert found.session_works() and found.link_works(client)
        yield found


def set_password(client: TestClient, path: str, password: str) -> int:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        path, data={"password": password, "password_again": password, "csrf_token": token}
    )
    return response.status_code


Change = Callable[[TestClient, Session, Tenant, dict[str, str]], None]


def promote_to_staff(client: TestClient, _: Session, acme: Tenant, admin: dict[str, str]) -> None:
    response = client.patch(
        f"/api/v1/users/{acme.member.id}",
        json={"role": "internal", "organizationId": None},
        headers=admin,
    )
    assert response.status_code == 200, response.text


def promote_within_the_tenant(
    client: TestClient, _: Session, acme: Tenant, admin: dict[str, str]
) -> None:
    # Its own customer_admin makes it a customer_admin: a role change like any other.
    response = client.patch(
        f"/api/v1/users/{acme.member.id}", json={"role": "customer_admin"}, headers=acme.headers
    )
    assert response.status_code == 200, response.text


def move_to_another_organization(
    client: TestClient, session: Session, acme: Tenant, admin: dict[str, str]
) -> None:
    other = create_organization(session, name="Globex")
    response = client.patch(
        f"/api/v1/users/{acme.member.id}", json={"organizationId": other.id}, headers=admin
    )
    assert response.status_code == 200, response.text


def reset_the_password(client: TestClient, _: Session, acme: Tenant, admin: dict[str, str]) -> None:
    path = link_path(client.post(f"/api/v1/users/{acme.member.id}/password-link", headers=admin))
    with TestClient(client.app) as stranger:
        assert set_password(stranger, path, NEW_PASSWORD) == 200


def deactivate_then_reactivate(
    client: TestClient, _: Session, acme: Tenant, admin: dict[str, str]
) -> None:
    path = f"/api/v1/users/{acme.member.id}"
    for active in (False, True):
        response = client.patch(path, json={"isActive": active}, headers=admin)
        assert response.status_code == 200, response.text


def promote_on_the_admin_page(
    client: TestClient, session: Session, acme: Tenant, admin: dict[str, str]
) -> None:
    staff, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
    with TestClient(client.app) as page:
        assert log_in(page, staff.email).status_code == 303
        response = post_form(
            page,
            f"/admin/users/{acme.member.id}",
            from_page=f"/admin/users/{acme.member.id}",
            data={"name": acme.member.name, "role": "internal", "organization_id": ""},
        )
        assert response.status_code == 303, response.text


def deactivate_and_reactivate_on_the_admin_page(
    client: TestClient, session: Session, acme: Tenant, admin: dict[str, str]
) -> None:
    with TestClient(client.app) as page:
        assert log_in(page, acme.customer_admin.email).status_code == 303
        for active in ("0", "1"):
            response = post_form(
                page,
                f"/admin/users/{acme.member.id}/active",
                from_page=f"/admin/users/{acme.member.id}",
                data={"active": active},
            )
            assert response.status_code == 303, response.text


def promote_by_roster(client: TestClient, _: Session, acme: Tenant, admin: dict[str, str]) -> None:
    roster = f"email,name,role,externalId\n{acme.member.email},{acme.member.name},customer_admin,\n"
    response = client.post(
        f"/api/v1/organizations/{acme.organization.id}/users/import",
        content=roster.encode(),
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 1


CHANGES = [
    promote_to_staff,
    promote_within_the_tenant,
    promote_by_roster,
    move_to_another_organization,
    reset_the_password,
    deactivate_then_reactivate,
    promote_on_the_admin_page,
    deactivate_and_reactivate_on_the_admin_page,
]


class TestAChangeEndsWhatWasGivenBefore:
    @pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
    def test_old_tokens_session_and_link_are_refused(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        acme: Tenant,
        held: Held,
        change: Change,
    ) -> None:
        change(client, session, acme, admin_headers)

        assert held.tokens_work(client) == [401, 401]
        assert not held.session_works()
        assert not held.link_works(client)
        assert set_password(client, held.link, "a password from the old link") == 404
        # The tokens are listed as revoked, so whoever looks sees what happened.
        listed = client.get(f"/api/v1/users/{acme.member.id}/tokens", headers=admin_headers)
        assert all(token["revokedAt"] is not None for token in listed.json())

        # What is given after the change works.
        password = NEW_PASSWORD if change is reset_the_password else PASSWORD
        fresh = client.post(
            "/api/v1/login", json={"email": acme.member.email, "password": password}
        )
        assert fresh.status_code == 201, fresh.text
        assert client.get("/api/v1/me", headers=bearer(fresh.json()["token"])).status_code == 200

    def test_a_name_change_ends_nothing(
        self, client: TestClient, admin_headers: dict[str, str], acme: Tenant, held: Held
    ) -> None:
        response = client.patch(
            f"/api/v1/users/{acme.member.id}", json={"name": "Renamed"}, headers=admin_headers
        )
        assert response.status_code == 200
        assert held.tokens_work(client) == [200, 200]
        assert held.session_works() and held.link_works(client)


class TestCustomerAdminsArePeers:
    @pytest.fixture
    def peer(self, session: Session, acme: Tenant) -> tuple[User, dict[str, str]]:
        user, token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=acme.organization, password=PASSWORD
        )
        return user, bearer(token)

    def test_mints_tokens_for_itself_and_its_customers_only(
        self, client: TestClient, acme: Tenant, peer: tuple[User, dict[str, str]]
    ) -> None:
        def mint(user: User) -> int:
            return client.post(
                f"/api/v1/users/{user.id}/tokens", json={"label": "x"}, headers=acme.headers
            ).status_code

        assert mint(acme.customer_admin) == 201
        assert mint(acme.member) == 201
        assert mint(peer[0]) == 403

    def test_may_not_change_another_customer_admin(
        self,
        client: TestClient,
        session: Session,
        acme: Tenant,
        peer: tuple[User, dict[str, str]],
    ) -> None:
        other, other_headers = peer
        path = f"/api/v1/users/{other.id}"
        attempts = [
            client.patch(path, json={"role": "customer"}, headers=acme.headers),
            client.patch(path, json={"isActive": False}, headers=acme.headers),
            client.patch(path, json={"name": "Demoted"}, headers=acme.headers),
            client.post(f"{path}/password-link", headers=acme.headers),
            client.get(f"{path}/tokens", headers=acme.headers),
        ]
        assert [response.status_code for response in attempts] == [403] * len(attempts)
        assert "customer administrator" in attempts[0].json()["detail"]
        session.expire_all()
        unchanged = session.get(User, other.id)
        assert unchanged is not None
        assert (unchanged.role, unchanged.is_active) == (Role.CUSTOMER_ADMIN, True)
        assert unchanged.name != "Demoted"
        # It still sees its colleague, and the colleague's token still works.
        assert client.get(path, headers=acme.headers).status_code == 200
        assert client.get("/api/v1/me", headers=other_headers).status_code == 200

    def test_may_not_revoke_another_customer_admins_token(
        self, client: TestClient, acme: Tenant, peer: tuple[User, dict[str, str]]
    ) -> None:
        other, other_headers = peer
        issued = client.post(
            f"/api/v1/users/{other.id}/tokens", json={"label": "own"}, headers=other_headers
        )
        assert issued.status_code == 201
        response = client.delete(f"/api/v1/tokens/{issued.json()['id']}", headers=acme.headers)
        assert response.status_code == 404
        assert client.get("/api/v1/me", headers=bearer(issued.json()["token"])).status_code == 200

    def test_nor_through_a_roster(
        self,
        client: TestClient,
        session: Session,
        acme: Tenant,
        peer: tuple[User, dict[str, str]],
    ) -> None:
        other, other_headers = peer

        def roster(*lines: str) -> Any:
            return client.post(
                f"/api/v1/organizations/{acme.organization.id}/users/import",
                content=("email,name,role,externalId\n" + "".join(lines)).encode(),
                headers={**acme.headers, "Content-Type": "text/csv"},
            )

        demoting = roster(f"{other.email},{other.name},customer,\n")
        assert demoting.status_code == 422
        assert demoting.json()["errors"][0]["column"] == "role"
        session.expire_all()
        unchanged = session.get(User, other.id)
        assert unchanged is not None and unchanged.role is Role.CUSTOMER_ADMIN
        assert client.get("/api/v1/me", headers=other_headers).status_code == 200
        # Listed as it is, a colleague is no obstacle to importing the rest.
        listing = roster(
            f"{other.email},{other.name},,\n", f"{acme.member.email},Renamed Member,,\n"
        )
        assert listing.status_code == 200, listing.text
        assert (listing.json()["unchanged"], listing.json()["updated"]) == (1, 1)

    def test_nor_on_the_pages(
        self, client: TestClient, acme: Tenant, peer: tuple[User, dict[str, str]]
    ) -> None:
        other, other_headers = peer
        with TestClient(client.app) as page:
            assert log_in(page, acme.customer_admin.email).status_code == 303
            users = page.get("/admin/users")
            # Listed, not linked; its page is not for a colleague.
            assert other.name in users.text
            assert f'href="/admin/users/{other.id}"' not in users.text
            assert f'href="/admin/users/{acme.member.id}"' in users.text
            assert page.get(f"/admin/users/{other.id}").status_code == 403
            token = csrf_from(users.text)
            for path, data in [
                (f"/admin/users/{other.id}/tokens", {"label": "stolen"}),
                (f"/admin/users/{other.id}", {"name": other.name, "role": "customer"}),
                (f"/admin/users/{other.id}/active", {"active": "0"}),
                (f"/admin/users/{other.id}/password-link", {}),
            ]:
                response = page.post(path, data={**data, "csrf_token": token})
                assert response.status_code == 403, path
        listed = client.get(f"/api/v1/users/{other.id}/tokens", headers=other_headers)
        assert listed.status_code == 200
        assert [token["label"] for token in listed.json()] == ["cli"]  # its own, from the factory
