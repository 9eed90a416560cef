"""The users list: organisations by name, roles as words, filtered by role and organisation."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Organization, Role
from tests.factories import create_organization, create_user
from tests.users.test_pages import signed_in


def rows(page: str) -> list[list[str]]:
    """The table's rows as the cells' text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def options(page: str, select_id: str) -> list[tuple[str, str]]:
    select = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return [
        (value, html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


@pytest.fixture
def harbor(session: Session) -> Organization:
    return create_organization(session, name="Harbor Health")


@pytest.fixture
def summit(session: Session) -> Organization:
    return create_organization(session, name="Summit Energy")


class TestAdminList:
    def test_shows_organization_names_and_role_words(
        self, client: TestClient, session: Session, harbor: Organization
    ) -> None:
        signed_in(client, session, Role.ADMIN, name="Aaron Admin")
        create_user(session, role=Role.CUSTOMER_ADMIN, organization=harbor, name="Bea Boss")
        create_user(session, role=Role.INTERNAL, name="Cem Staff")
        listed = {row[0]: row for row in rows(client.get("/admin/users").text)}
        assert listed["Aaron Admin"][2:4] == ["Administrator", "—"]
        assert listed["Bea Boss"][2:4] == ["Customer administrator", "Harbor Health"]
        assert listed["Cem Staff"][2:4] == ["Internal staff", "—"]

    def test_filters_by_role_and_by_organization(
        self, client: TestClient, session: Session, harbor: Organization, summit: Organization
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        create_user(session, role=Role.CUSTOMER, organization=harbor, name="Harbor Learner")
        create_user(session, role=Role.CUSTOMER_ADMIN, organization=harbor, name="Harbor Boss")
        create_user(session, role=Role.CUSTOMER, organization=summit, name="Summit Learner")
        empty = create_organization(session, name="Aardvark Empty")

        page = client.get("/admin/users").text
        organizations = options(page, "organization-filter")
        assert organizations[0] == ("", "All organizations")
        # Only organisations with users, by name.
        assert [name for _, name in organizations[1:]] == ["Harbor Health", "Summit Energy"]
        assert str(empty.id) not in dict(organizations)
        assert ("customer_admin", "Customer administrator") in options(page, "role-filter")

        by_role = client.get("/admin/users", params={"role": "customer"})
        assert sorted(row[0] for row in rows(by_role.text)) == ["Harbor Learner", "Summit Learner"]
        assert "2 users with the role Customer" in by_role.text

        by_org = client.get("/admin/users", params={"organization": str(harbor.id)})
        assert sorted(row[0] for row in rows(by_org.text)) == ["Harbor Boss", "Harbor Learner"]
        assert "2 users in Harbor Health" in by_org.text
        assert f'<option value="{harbor.id}" selected>' in by_org.text

        both = client.get(
            "/admin/users", params={"role": "customer", "organization": str(summit.id), "q": ""}
        )
        assert [row[0] for row in rows(both.text)] == ["Summit Learner"]

    def test_pages_keep_the_filters(
        self, client: TestClient, session: Session, harbor: Organization
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        for n in range(53):
            create_user(session, role=Role.CUSTOMER, organization=harbor, name=f"Learner {n:02}")
        create_user(session, role=Role.INTERNAL, name="Learner staff")
        first = client.get("/admin/users", params={"role": "customer", "q": "learner"}).text
        assert len(rows(first)) == 50
        assert "53 users" in first
        (following,) = re.findall(r'href="(\?[^"]*page=2)"', first)
        following = html.unescape(following)
        assert "role=customer" in following and "q=learner" in following
        second = client.get("/admin/users" + following).text
        assert [row[0] for row in rows(second)] == ["Learner 50", "Learner 51", "Learner 52"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"role": "superuser"}, "role"), ({"organization": "harbor"}, "organization")],
    )
    def test_a_bad_filter_is_a_clear_422(
        self, client: TestClient, session: Session, params: dict[str, str], field: str
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        answer = client.get("/admin/users", params=params)
        assert answer.status_code == 422
        assert f"{field} must be" in answer.text

    def test_an_unknown_organization_lists_nobody(
        self, client: TestClient, session: Session
    ) -> None:
        signed_in(client, session, Role.ADMIN)
        answer = client.get("/admin/users", params={"organization": "999999"})
        assert answer.status_code == 200
        assert rows(answer.text) == [["No users found."]]


class TestCustomerAdminList:
    def test_filters_its_own_organization_by_role_only(
        self, client: TestClient, session: Session, harbor: Organization, summit: Organization
    ) -> None:
        signed_in(client, session, Role.CUSTOMER_ADMIN, organization=harbor, name="Harbor Boss")
        create_user(session, role=Role.CUSTOMER, organization=harbor, name="Harbor Learner")
        page = client.get("/admin/users").text
        assert 'id="organization-filter"' not in page
        assert [value for value, _ in options(page, "role-filter")] == [
            "", "customer", "customer_admin",
        ]  # fmt: skip
        assert {row[3] for row in rows(page)} == {"Harbor Health"}
        learners = client.get("/admin/users", params={"role": "customer"}).text
        assert [row[0] for row in rows(learners)] == ["Harbor Learner"]
        elsewhere = client.get("/admin/users", params={"organization": str(summit.id)})
        assert elsewhere.status_code == 404
