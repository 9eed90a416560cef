"""The organisation list page: staff only, with search, filters, sorting and kept filters."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import OrganizationStatus, Role
from tests.factories import add_many, create_organization, create_user, organizations
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


class TestOrganizationFilters:
    @pytest.fixture
    def staff(self, client: TestClient, session: Session) -> None:
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(client, user.email)

    @staticmethod
    def names(html: str) -> list[str]:
        return re.findall(r'<a href="/benchmarks/organizations/\d+">([^<]+)</a>', html)

    @pytest.mark.usefixtures("staff")
    def test_industry_size_and_status_narrow_the_list(
        self, client: TestClient, session: Session
    ) -> None:
        create_organization(session, name="Alpha Health", employee_count=250)
        create_organization(session, name="Beta Health", employee_count=3000)
        create_organization(session, name="Gamma Retail", industry_sector="Retail")
        create_organization(
            session, name="Delta Health", employee_count=300, status=OrganizationStatus.CHURNED
        )
        assert self.names(client.get("/organizations?industry=Healthcare&size=101-500").text) == [
            "Alpha Health",
            "Delta Health",
        ]
        churned = client.get("/organizations?status=CHURNED")
        assert self.names(churned.text) == ["Delta Health"]
        assert '<span class="badge badge-churned">Churned</span>' in churned.text
        assert self.names(client.get("/organizations?industry=Retail").text) == ["Gamma Retail"]

    @pytest.mark.usefixtures("staff")
    def test_sorting_by_size_and_status(self, client: TestClient, session: Session) -> None:
        create_organization(session, name="Small", employee_count=10)
        create_organization(session, name="Large", employee_count=9000)
        create_organization(session, name="Unknown size", employee_count=None)
        create_organization(session, name="Ended", status=OrganizationStatus.INACTIVE)
        by_size = self.names(client.get("/organizations?sort=size").text)
        assert by_size == ["Large", "Ended", "Small", "Unknown size"]
        by_status = self.names(client.get("/organizations?sort=status").text)
        assert by_status[-1] == "Ended"

    @pytest.mark.usefixtures("staff")
    def test_bottom_quartile_of_the_default_peer_group(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        day = utc_today() - timedelta(days=1)
        healthcare = organizations(session, 6, sector="Healthcare", employees=250)
        retail = organizations(session, 6, sector="Retail", employees=3000)
        rows = []
        for i, org in enumerate(healthcare):
            rows.append((org, "login_rate", 40.0 + i * 10, day))
        for i, org in enumerate(retail):
            rows.append((org, "login_rate", 70.0 + i * 5, day))
        add_many(session, rows)
        calculate_benchmarks(session, settings=settings, calculated_for=day)
        page = client.get("/organizations?bottom=1&sort=name")
        flagged = set(self.names(page.text))
        assert healthcare[0].name in flagged and retail[0].name in flagged
        assert healthcare[-1].name not in flagged and retail[-1].name not in flagged
        # Healthcare's third (60) is in the bottom quartile of all customers, but not of its
        # own most specific group (Healthcare, 101-500), which is its default.
        assert healthcare[2].name not in flagged
        assert "with a metric in the bottom quartile" in page.text

    @pytest.mark.usefixtures("staff")
    def test_pages_keep_every_filter(self, client: TestClient, session: Session) -> None:
        for i in range(55):
            create_organization(session, name=f"Harbor {i:02d}", industry_sector="Energy")
        first = client.get("/organizations?industry=Energy&status=ACTIVE&sort=size")
        assert 'href="?industry=Energy&amp;status=ACTIVE&amp;sort=size&amp;page=2">Next</a>' in (
            first.text
        )

    @pytest.mark.usefixtures("staff")
    def test_the_forms_empty_choices_mean_any(self, client: TestClient) -> None:
        page = client.get("/organizations?q=&industry=&size=&status=&sort=name")
        assert page.status_code == 200

    @pytest.mark.usefixtures("staff")
    def test_bad_filters_are_html_422s(self, client: TestClient) -> None:
        for query in ("size=7-9", "status=GONE", "sort=age"):
            page = client.get(f"/organizations?{query}")
            assert page.status_code == 422, query
            assert "text/html" in page.headers["content-type"]
