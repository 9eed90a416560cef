"""Demo benchmark data: ~400 customer organisations with 60 days of plausible metric values.

Deterministic (fixed seed), bulk-loaded through the normal ingestion path,
and safe to load again: organisations are matched by externalId and values
upserted per (organisation, metric, day). Ends by running the aggregation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import numpy as np
from sqlalchemy.orm import Session

from opsportal.benchmarks.schemas import CalculationSummary
from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.metrics.service import IncomingValue, ingest_values, utc_today
from opsportal.models import Organization, OrganizationStatus
from opsportal.tenants import repository as tenant_repository

Say = Callable[[str], object]

DEMO_ORGANIZATIONS = 400
DEMO_DAYS = 60
SEED = 20261127

# Sector: (typical maturity shift, typical resolution-time factor)
INDUSTRIES: dict[str, tuple[float, float]] = {
    "Healthcare": (0.2, 1.1),
    "Financial Services": (0.5, 0.8),
    "Manufacturing": (-0.3, 1.2),
    "Retail": (-0.4, 1.0),
    "Technology": (0.4, 0.7),
    "Energy": (0.0, 1.3),
    "Education": (-0.2, 1.4),
    "Public Sector": (-0.5, 1.6),
}

_FIRST = (
    "Aurora Alder Beacon Birch Cedar Cobalt Crescent Delta Ember Evergreen Falcon Granite "
    "Harbor Horizon Juniper Keystone Lumen Maple Meridian Northwind Oak Onyx Orchid Pinnacle "
    "Quartz Redwood Sable Sierra Summit Tidal Vertex Willow"
).split()
_SECOND = {
    "Healthcare": ("Health", "Clinics", "Medical Group", "Care"),
    "Financial Services": ("Capital", "Bank", "Insurance", "Financial"),
    "Manufacturing": ("Industries", "Manufacturing", "Works", "Components"),
    "Retail": ("Stores", "Retail", "Outfitters", "Market"),
    "Technology": ("Software", "Systems", "Labs", "Networks"),
    "Energy": ("Energy", "Power", "Utilities", "Renewables"),
    "Education": ("University", "Academy", "Schools", "College"),
    "Public Sector": ("County", "City Services", "Agency", "Authority"),
}


def _organizations(session: Session, anchor: Organization) -> list[Organization]:
    """The demo customers (the anchor first), created when missing, left alone when present."""
    rng = np.random.default_rng(SEED)
    sectors = list(INDUSTRIES)
    # Log-uniform sizes from 5 to 30,000 employees cover every size band.
    sizes = np.exp(rng.uniform(np.log(5), np.log(30_000), DEMO_ORGANIZATIONS)).astype(int)
    status_draw = rng.random(DEMO_ORGANIZATIONS)
    wanted = {f"demo-org-{i:03d}": i for i in range(1, DEMO_ORGANIZATIONS)}
    existing = tenant_repository.by_external_ids(session, wanted)
    organizations = [anchor]
    for external_id, i in wanted.items():
        organization = existing.get(external_id)
        if organization is None:
            sector = sectors[i % len(sectors)]
            name = f"{_FIRST[i % len(_FIRST)]} {_SECOND[sector][(i // len(_FIRST)) % 4]}"
            status = (
                OrganizationStatus.CHURNED
                if status_draw[i] < 0.03
                else OrganizationStatus.INACTIVE
                if status_draw[i] < 0.07
                else OrganizationStatus.ACTIVE
            )
            organization = Organization(
                external_id=external_id,
                name=f"{name} {i:03d}",
                industry_sector=sector,
                employee_count=int(max(1, sizes[i])),
                status=status,
            )
            session.add(organization)
        organizations.append(organization)
    session.flush()
    return organizations


def _values(organizations: list[Organization]) -> list[IncomingValue]:
    """Each organisation has a steady 'maturity' that drives all five metrics, a slow
    trend and day-to-day noise; bigger organisations resolve cases a little slower."""
    rng = np.random.default_rng(SEED + 1)
    n, days = len(organizations), DEMO_DAYS
    shift = np.array(
        [INDUSTRIES.get(o.industry_sector or "", (0.0, 1.0))[0] for o in organizations]
    )
    slowness = np.array(
        [INDUSTRIES.get(o.industry_sector or "", (0.0, 1.0))[1] for o in organizations]
    )
    employees = np.array([o.employee_count or 250 for o in organizations], dtype=np.float64)
    maturity = rng.normal(0, 1, n) + shift
    maturity[0] = 0.6  # the demo customer does reasonably well, with room to improve
    trend = rng.normal(0, 0.01, n)[:, None] * np.arange(days)[None, :]
    level = maturity[:, None] + trend

    def noisy(scale: float) -> np.ndarray:
        return rng.normal(0, scale, (n, days))

    percent = {
        "attestation_completion_rate": 80 + 7 * level + noisy(2.0),
        "case_on_time_rate": 84 + 6 * level + noisy(2.5),
        "login_rate": 58 + 11 * level + noisy(3.0),
        "feature_adoption_rate": 42 + 12 * level + noisy(2.0),
    }
    series = {name: np.clip(values, 0, 100) for name, values in percent.items()}
    resolution = (
        9.0
        * slowness[:, None]
        * (employees[:, None] / 500) ** 0.08
        * np.exp(-0.25 * level + noisy(0.08))
    )
    series["case_resolution_time"] = np.maximum(0.2, resolution)

    # A few organisations do not use feature tracking: no values for that metric.
    untracked = rng.random(n) < 0.05
    untracked[0] = False
    today = utc_today()
    day_list = [today - timedelta(days=days - 1 - d) for d in range(days)]
    rows: list[IncomingValue] = []
    for metric, values in series.items():
        rounded = np.round(values, 2).tolist()
        for i, organization in enumerate(organizations):
            if metric == "feature_adoption_rate" and untracked[i]:
                continue
            org_id = organization.id
            rows.extend(
                (org_id, metric, value, day)
                for value, day in zip(rounded[i], day_list, strict=True)
            )
    return rows


def recalculate_benchmark_demo(session: Session, *, settings: Settings) -> CalculationSummary:
    """Calculate the demo's benchmark days: one a week back through the history, and today."""
    today = utc_today()
    for weeks_back in range(DEMO_DAYS // 7, 0, -1):
        day = today - timedelta(days=7 * weeks_back)
        calculate_benchmarks(session, settings=settings, calculated_for=day, trigger="demo")
    return calculate_benchmarks(session, settings=settings, trigger="demo")


def seed_benchmark_demo(
    session: Session, *, anchor: Organization, settings: Settings, say: Say
) -> None:
    """Load the demo customers and their metric history, then calculate the benchmarks.

    One day a week back through the history as well as today, so the scorecard
    has a trend to draw from the first start.
    """
    organizations = _organizations(session, anchor)
    rows = _values(organizations)
    ingest_values(session, rows=rows, known_organization_ids={o.id for o in organizations})
    summary = recalculate_benchmark_demo(session, settings=settings)
    say(
        f"demo benchmarks ready: {len(organizations)} organizations, {len(rows):,} metric values, "
        f"{summary.cohorts_published} peer groups published ({summary.cohorts_suppressed} "
        "under the privacy minimum)"
    )
