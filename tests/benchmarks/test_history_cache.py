"""The scorecard's trends are kept per publication: served again without reading the days,
and built afresh as soon as any run publishes (a back-dated one, or a re-run of a day)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from opsportal.benchmarks.pages.drawn import DrawnTrends
from opsportal.benchmarks.service import calculate_benchmarks, comparison_histories
from opsportal.benchmarks.service.history import HistoryCache
from opsportal.config import Settings
from opsportal.metrics.registry import METRICS
from opsportal.metrics.service import utc_today
from opsportal.models import Organization, Role
from opsportal.principal import Principal
from tests.factories import add_many, create_user, organizations
from tests.queries import recorded

TODAY = utc_today()
DAYS = [TODAY - timedelta(days=d) for d in (20, 10, 0)]


def _world(session: Session) -> list[Organization]:
    orgs = organizations(session, 12, sector="Healthcare", employees=300)
    add_many(
        session,
        [
            (org, "login_rate", (95.0, 70.0, 12.5)[d] if i == 0 else 8.0 * (i + 1), day)
            for d, day in enumerate(DAYS)
            for i, org in enumerate(orgs)
        ],
    )
    return orgs


def _trend(
    session: Session, settings: Settings, viewer: Principal, org: Organization, cache: HistoryCache
) -> list[tuple[str, float | None, int | None]]:
    found = comparison_histories(
        session,
        principal=viewer,
        organization_id=org.id,
        metrics=METRICS,
        days=183,
        settings=settings,
        cache=cache,
    )
    return [(p.calculated_for.isoformat(), p.your_value, p.percentile) for p in found["login_rate"]]


def test_kept_until_a_run_publishes_then_built_afresh(session: Session, settings: Settings) -> None:
    orgs = _world(session)
    customer = Principal.of(create_user(session, role=Role.CUSTOMER, organization=orgs[0])[0])
    cache = HistoryCache()
    for day in DAYS[1:]:
        calculate_benchmarks(session, settings=settings, calculated_for=day)
    first = _trend(session, settings, customer, orgs[0], cache)
    assert [day for day, _, _ in first] == [d.isoformat() for d in DAYS[1:]]
    assert first == _trend(session, settings, customer, orgs[0], HistoryCache())

    with recorded(session) as statements:
        again = _trend(session, settings, customer, orgs[0], cache)
    assert again == first
    read = [s.sql for s in statements if "benchmark_results" in s.sql]
    assert read == [] and not [s for s in statements if "benchmark_positions" in s.sql]

    # A back-dated run, for a day before the newest: the trend gains it.
    calculate_benchmarks(session, settings=settings, calculated_for=DAYS[0])
    backdated = _trend(session, settings, customer, orgs[0], cache)
    assert [day for day, _, _ in backdated] == [d.isoformat() for d in DAYS]
    assert backdated[0][1] == 95.0

    # A re-run of the newest day with a corrected value: the trend shows the new one.
    add_many(session, [(orgs[0], "login_rate", 50.0, DAYS[2])])
    calculate_benchmarks(session, settings=settings, calculated_for=DAYS[2])
    rerun = _trend(session, settings, customer, orgs[0], cache)
    assert rerun[-1][1] == 50.0 and rerun[:-1] == backdated[:-1]


def test_viewers_and_organisations_do_not_share_a_trend(
    session: Session, settings: Settings
) -> None:
    orgs = _world(session)
    for day in DAYS:
        calculate_benchmarks(session, settings=settings, calculated_for=day)
    cache = HistoryCache()
    staff = Principal.of(create_user(session, role=Role.INTERNAL)[0])
    customer = Principal.of(create_user(session, role=Role.CUSTOMER, organization=orgs[0])[0])
    theirs = _trend(session, settings, customer, orgs[0], cache)
    exact = _trend(session, settings, staff, orgs[0], cache)
    other = _trend(session, settings, staff, orgs[5], cache)
    assert theirs == _trend(session, settings, customer, orgs[0], HistoryCache())
    assert exact == _trend(session, settings, staff, orgs[0], HistoryCache())
    assert other == _trend(session, settings, staff, orgs[5], HistoryCache())
    assert [v for _, v, _ in other] == [48.0, 48.0, 48.0] != [v for _, v, _ in exact]


def test_a_trend_is_drawn_once_per_cached_list_of_points() -> None:
    drawn = DrawnTrends(size=2)
    calls: list[str] = []

    def draw(text: str) -> str:
        calls.append(text)
        return text

    points: list[object] = [1, 2]
    assert drawn.draw(points, ("Login rate", "%"), lambda: draw("a")) == "a"
    assert drawn.draw(points, ("Login rate", "%"), lambda: draw("b")) == "a"  # kept
    assert drawn.draw([1, 2], ("Login rate", "%"), lambda: draw("c")) == "c"  # another list
    assert drawn.draw(points, ("Taux", "%"), lambda: draw("d")) == "d"  # other words
    assert calls == ["a", "c", "d"]
