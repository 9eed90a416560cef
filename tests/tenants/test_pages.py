"""The organisation list page: staff only, with search."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import create_organization, create_user
from tests.pages import PASSWORD, log_in


class TestOrganizationPage:
    def test_customer_is_refused(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        log_in(client, user.email)
        page = client.get("/organizations")
        assert page.status_code == 403
        assert "text/html" in page.headers["content-type"]

    def test_search_lists_matching_organizations(
        self, client: TestClient, session: Session
    ) -> None:
        create_organization(session, name="Harbor Health")
        create_organization(session, name="Summit Energy")
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)
        page = client.get("/organizations?q=harbor")
        assert "Harbor Health" in page.text
        assert "Summit Energy" not in page.text

    def test_bad_query_is_an_html_422(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)
        page = client.get("/organizations?page=zero")
        assert page.status_code == 422
        assert "page" in page.text

    def test_pages_of_a_search_keep_the_search(self, client: TestClient, session: Session) -> None:
        for i in range(55):
            create_organization(session, name=f"Harbor {i:02d}")
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)
        first = client.get("/organizations?q=harbor")
        assert "Page 1 of 2" in first.text
        assert 'href="?q=harbor&amp;page=2">Next</a>' in first.text
        second = client.get("/organizations?q=harbor&page=2")
        assert 'href="?q=harbor&amp;page=1">Previous</a>' in second.text
        assert second.text.count("/benchmarks/organizations/") == 5
