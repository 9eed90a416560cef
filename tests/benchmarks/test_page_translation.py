"""No hard-coded English on the benchmark pages: under a bracketing pseudo-translation every
word a reader sees (text, accessible names, chart titles) comes from a translated message,
and what is left is data: organisation names, industries, size bands, numbers and dates.

Twice: once translating whatever is looked up, once translating only the messages that
extraction (`pybabel extract`, as babel.cfg runs it) finds, so a message looked up under a
name extraction cannot see would stay English and fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.support import Translations
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import opsportal
from opsportal import i18n
from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, OrganizationStatus, Role
from tests.factories import add_many, create_user, organizations
from tests.pages import PASSWORD, log_in


class Bracketed:
    """A catalogue that "translates" every message into `[[message]]`."""

    def gettext(self, message: str) -> str:
        return f"[[{message}]]"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"[[{singular if n == 1 else plural}]]"

    def pgettext(self, context: str, message: str) -> str:
        return f"[[{message}]]"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return f"[[{singular if n == 1 else plural}]]"


@pytest.fixture
def bracketed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(i18n, "translations", lambda locale: Bracketed())
    yield


def extracted_catalogue() -> Translations:
    """The benchmark and metric messages as extraction finds them, each translated `[[…]]`."""
    catalogue = Catalog(locale="en")
    package = Path(opsportal.__file__).parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "gettext_noop": None}
    for domain in ("benchmarks", "metrics"):
        for _file, _line, message, _comments, context in extract_from_dir(
            package / domain, method_map=method_map, keywords=keywords
        ):
            if isinstance(message, tuple):
                catalogue.add(message, tuple(f"[[{m}]]" for m in message), context=context)
            else:
                catalogue.add(message, f"[[{message}]]", context=context)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    found = extracted_catalogue()
    monkeypatch.setattr(i18n, "translations", lambda locale: found)
    yield


# Read by people or by assistive technology (data-label: a table cell's label on a phone).
SHOWN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "data-label"}


class _Shown(HTMLParser):
    """The text of <main>, and its shown attributes, as one string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth = 1
        elif self.depth:
            self.depth += tag not in {"input", "br", "img", "meta", "link", "path", "rect"}
        if self.depth:
            self.parts += [f" {v} " for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in {"input", "br", "img", "path", "rect"}:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


MONTH = r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"


def untranslated(html: str, data: list[str]) -> str:
    """What is left of the page's words once every [[message]] and every piece of data is gone."""
    shown = _Shown()
    shown.feed(html)
    text = " ".join(shown.parts)
    marker = re.compile(r"\[\[[^\[\]]*\]\]")
    while marker.search(text):
        text = marker.sub(" ", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    # Months on a chart's time axis are the locale's own (CLDR's), not the catalogue's; so is
    # a moment as the pages' shared `date` filter writes it.
    text = re.sub(MONTH, " ", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def assert_all_translated(html: str, data: list[str]) -> None:
    left = untranslated(html, data)
    words = re.findall(r"[^\s]*[A-Za-z][^\s]*", left)
    assert not words, f"untranslated: {words[:20]} in …{left[:600]}"


@pytest.fixture
def population(session: Session, settings: Settings) -> dict[str, list[Organization]]:
    """12 healthcare (101-500), 5 retail (1-100, one churned), 2 energy: three days of values."""
    today = utc_today()
    health = organizations(session, 12, sector="Healthcare", employees=250)
    retail = organizations(session, 5, sector="Retail", employees=50)
    energy = organizations(session, 2, sector="Energy", employees=3000)
    rows = []
    for back in (40, 20, 1):
        day = today - timedelta(days=back)
        for i, org in enumerate(health):
            rows += [
                (org, "attestation_completion_rate", 52.0 + 3.7 * i + back / 10, day),
                (org, "case_resolution_time", 6.0 + 1.3 * i - back / 20, day),
                (org, "login_rate", 31.0 + 4.1 * i, day),
            ]
        rows += [(org, "login_rate", 30.0 + 5 * i, day) for i, org in enumerate(retail)]
        rows += [(org, "case_resolution_time", 1.0 + i, day) for i, org in enumerate(retail)]
        rows += [(org, "login_rate", 70.0 + i, day) for i, org in enumerate(energy)]
    add_many(session, rows)
    for back in (40, 20, 1, 1):  # the last day twice: a run page with another of its day
        day = today - timedelta(days=back)
        calculate_benchmarks(session, settings=settings, calculated_for=day)
    retail[4].status = OrganizationStatus.CHURNED
    session.flush()
    return {"healthcare": health, "retail": retail, "energy": energy}


def data_of(population: dict[str, list[Organization]], settings: Settings) -> list[str]:
    names = [org.name for group in population.values() for org in group]
    bands = [band.label for band in settings.size_bands]
    return [*names, "Healthcare", "Retail", "Energy", *bands]


def sign_in(client: TestClient, session: Session, org: Organization | None) -> None:
    role = Role.ADMIN if org is None else Role.CUSTOMER
    user, _ = create_user(session, role=role, organization=org, password=PASSWORD)
    assert log_in(client, user.email).status_code == 303


@pytest.mark.usefixtures("bracketed")
class TestEveryWordIsAMessage:
    def test_the_customers_scorecard(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        population: dict[str, list[Organization]],
    ) -> None:
        ours = population["healthcare"][11]
        sign_in(client, session, ours)
        data = data_of(population, settings)
        for query in ("", "?industry=Healthcare&size=101-500", "?industry=Energy", "?months=12"):
            page = client.get(f"/benchmarks/organizations/{ours.id}{query}")
            assert page.status_code == 200
            assert "[[Compared with %(group)s]]" not in page.text  # filled, not raw
            assert_all_translated(page.text, data)

    def test_a_customer_in_a_group_of_five(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        population: dict[str, list[Organization]],
    ) -> None:
        """The peer count only, and why no more."""
        ours = population["retail"][0]
        sign_in(client, session, ours)
        page = client.get(f"/benchmarks/organizations/{ours.id}?industry=Retail")
        minimum = settings.benchmark_min_peers_quartiles
        assert f"[[Fewer than {minimum} organizations: their quartiles" in page.text
        assert_all_translated(page.text, data_of(population, settings))

    def test_the_staff_comparisons(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        population: dict[str, list[Organization]],
    ) -> None:
        """Staff figures beside the customer's, withheld groups, churned and too-small groups."""
        sign_in(client, session, None)
        data = data_of(population, settings)
        health, retail, energy = (population[k] for k in ("healthcare", "retail", "energy"))
        pages = [
            f"/benchmarks/organizations/{health[11].id}?industry=Healthcare&size=101-500",
            f"/benchmarks/organizations/{health[11].id}",
            f"/benchmarks/organizations/{health[11].id}/customer-view",
            f"/benchmarks/organizations/{energy[0].id}?industry=Energy",
            f"/benchmarks/organizations/{retail[4].id}",
            f"/benchmarks/organizations/{retail[0].id}/customer-view?industry=Retail",
        ]
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200
            assert_all_translated(page.text, data)
        staff = client.get(pages[0]).text
        assert 'class="customer-figure"' in staff and "[[Customer sees]]" in staff

    def test_the_staff_lists_and_runs(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        population: dict[str, list[Organization]],
    ) -> None:
        sign_in(client, session, None)
        data = data_of(population, settings)
        runs = client.get("/benchmarks/runs")
        run_ids = sorted({int(i) for i in re.findall(r'href="/benchmarks/runs/(\d+)"', runs.text)})
        urls = [
            "/benchmarks/portfolio",
            "/benchmarks/portfolio?industry=Healthcare&metric=login_rate",
            "/organizations",
            "/organizations?q=Organization&bottom=1&status=churned&sort=size",
            "/benchmarks/runs",
            *(f"/benchmarks/runs/{run_id}" for run_id in run_ids),
        ]
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200
            # The search box echoes the query: data too.
            assert_all_translated(page.text, [*data, "Organization"])


@pytest.mark.usefixtures("extracted")
def test_every_message_on_the_pages_is_extracted(
    client: TestClient,
    session: Session,
    settings: Settings,
    population: dict[str, list[Organization]],
) -> None:
    sign_in(client, session, None)
    data = [*data_of(population, settings), "Organization"]
    health, energy = population["healthcare"], population["energy"]
    runs = client.get("/benchmarks/runs").text
    newest = max(int(i) for i in re.findall(r'href="/benchmarks/runs/(\d+)"', runs))
    urls = [
        f"/benchmarks/organizations/{health[11].id}?industry=Healthcare&size=101-500",
        f"/benchmarks/organizations/{health[11].id}/customer-view",
        f"/benchmarks/organizations/{energy[0].id}?industry=Energy",
        "/benchmarks/portfolio",
        "/organizations?q=Organization&bottom=1",
        "/benchmarks/runs",
        f"/benchmarks/runs/{newest}",
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200
        assert_all_translated(page.text, data)
