"""The pages' translatable words say, in English, exactly what the API says.

The pages word verdicts, gaps, peer groups, units and reasons themselves
(`benchmarks/pages/wording.py`, `gaps.py`), from the codes and numbers beside the
API's English, so that they can be translated while the API stays English. Here,
with no catalogue, each must come out as the API's own text, character for character.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from opsportal.benchmarks import charts
from opsportal.benchmarks.cohorts import describe_peer_group
from opsportal.benchmarks.pages import gaps, wording
from opsportal.benchmarks.service import calculate_benchmarks, compare_organization
from opsportal.benchmarks.service.reasons import REASONS
from opsportal.benchmarks.verdicts import Verdict, describe_gap, verdict_words
from opsportal.config import Settings
from opsportal.metrics.registry import METRIC_NAMES, METRICS, Unit, get_metric
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from opsportal.principal import Principal
from tests.factories import add_many, organizations


@pytest.mark.parametrize("verdict", list(Verdict))
@pytest.mark.parametrize("unit", ["days", "percent", "count"])
@pytest.mark.parametrize("higher_is_better", [True, False])
def test_verdicts(verdict: Verdict, unit: str, higher_is_better: bool) -> None:
    assert wording.verdict_text(
        verdict, unit=unit, higher_is_better=higher_is_better
    ) == verdict_words(verdict, unit=unit, higher_is_better=higher_is_better)


GAPS = [0.0, 0.1, -0.1, 0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -2.0, 5.8, -10.2, 22.8, 100.0, -123.4]


@pytest.mark.parametrize("metric", ["case_resolution_time", "login_rate"])
@pytest.mark.parametrize("gap", GAPS)
def test_gaps(metric: str, gap: float) -> None:
    found = get_metric(metric)
    assert found is not None
    assert gaps.gap_text(found.unit, gap) == describe_gap(found, gap)
    smoothed = describe_gap(found, gap, median="the peer median (smoothed)")
    assert gaps.gap_text(found.unit, gap, smoothed=True) == smoothed


VALUES = [None, 0.0, 0.04, 0.5, 1.0, 1.04, 1.5, 2.0, 9.96, 12.0, 12.5, 12.345, 99.95, 1234.5, 3000]


@pytest.mark.parametrize("unit", list(Unit))
@pytest.mark.parametrize("value", VALUES)
def test_values_in_their_unit(unit: Unit, value: float | None) -> None:
    assert wording.in_unit(value, unit) == unit.show(value)


@pytest.mark.parametrize("unit", ["percent", "days", ""])
@pytest.mark.parametrize("value", [v for v in VALUES if v is not None and v < 1000])
def test_values_on_a_chart(unit: str, value: float) -> None:
    assert wording.chart_value(value, unit) == charts._label(value, unit)


@pytest.mark.parametrize("industry", ["", "Healthcare"])
@pytest.mark.parametrize("size", ["", "101-500"])
@pytest.mark.parametrize("peers", [None, 1, 23])
def test_peer_groups(industry: str, size: str, peers: int | None) -> None:
    assert wording.peer_group_text(industry, size, peers) == describe_peer_group(
        industry, size, peers
    )


def test_metric_names() -> None:
    assert set(wording.IN_SENTENCE) == set(METRIC_NAMES)
    for metric in METRICS:
        assert wording.metric_label(metric.name) == metric.label
        assert wording.metric_in_sentence(metric.name) == metric.label.lower()


def test_months_on_the_time_axis() -> None:
    for month in range(1, 13):
        day = date(2026, month, 1)
        assert wording.month(day) == day.strftime("%b %Y")


class TestReasonsAndGroups:
    """Every reason a comparison gives, and its group, as the page words them."""

    @pytest.fixture
    def orgs(self, session: Session, settings: Settings) -> dict[str, list[Organization]]:
        day = utc_today() - timedelta(days=1)
        groups = {
            "healthcare": organizations(session, 12, sector="Healthcare", employees=250),
            "retail": organizations(session, 7, sector="Retail", employees=50),
            # Withheld beside energy's 2 (complementary), so retail's 7 are shown as a count.
            "education": organizations(session, 6, sector="Education", employees=50),
            "energy": organizations(session, 2, sector="Energy", employees=3000),
        }
        rows = [
            (org, "login_rate", 30.0 + 3 * i, day)
            for group in groups.values()
            for i, org in enumerate(group)
        ]
        health = groups["healthcare"]
        rows += [(org, "case_resolution_time", 4.0 + i, day) for i, org in enumerate(health)]
        add_many(session, rows)
        calculate_benchmarks(session, settings=settings, calculated_for=day)
        return groups

    def test_each_says_what_the_api_says(
        self, session: Session, settings: Settings, orgs: dict[str, list[Organization]]
    ) -> None:
        staff = Principal(0, "ops@x", "Ops", Role.INTERNAL, None)
        asked = [
            (staff, orgs["energy"][0], "Energy", None),  # too few to publish
            (staff, orgs["healthcare"][0], "healthcare", "101-500"),  # spelled otherwise
            (staff, orgs["retail"][0], None, None),
        ]
        for group in orgs.values():
            org = group[0]
            customer = Principal(0, "c@x", "C", Role.CUSTOMER, org.id)
            asked += [
                (customer, org, None, None),
                (customer, org, org.industry_sector, None),  # a group of 7: the count only
                (customer, org, "Energy" if org.industry_sector != "Energy" else "Retail", None),
            ]
        seen = set()
        for principal, org, industry, size in asked:
            found = compare_organization(
                session,
                principal=principal,
                organization_id=org.id,
                industry_sector=industry,
                size_band=size,
                settings=settings,
            )
            for c in [*found, *(getattr(c, "customer_view", None) for c in found)]:
                if c is None:
                    continue
                assert c.wording is not None
                seen.add(c.wording.reason)
                assert wording.reason_text(c) == c.reason
                assert wording.comparison_group(c) == c.filter_description
                assert wording.metric_label(c.metric) == c.label
                if c.median_gap is not None:
                    assert gaps.gap_text(c.unit, c.median_gap) == c.summary
        # Every reason a comparison can give ("not available" is a fallback none reaches).
        assert seen >= {None, *REASONS} - {"not_available", "not_calculated"}

    def test_before_the_first_run(self, session: Session, settings: Settings) -> None:
        org = organizations(session, 1)[0]
        customer = Principal(0, "c@x", "C", Role.CUSTOMER, org.id)
        found = compare_organization(
            session, principal=customer, organization_id=org.id, settings=settings
        )
        assert {c.wording.reason for c in found if c.wording} == {"not_calculated"}
        assert [wording.reason_text(c) for c in found] == [c.reason for c in found]
