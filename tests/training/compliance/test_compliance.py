"""Compliance reports (JSON, CSV, overview) and the benchmarked training completion metric."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Assignment, MetricValue, Organization, Role, Track, User
from opsportal.models.base import utcnow
from tests.factories import (
    bearer,
    certify,
    create_organization,
    create_track_with_quizzes,
    create_user,
)

METRIC = "training_completion_rate"


def assign(
    client: TestClient,
    headers: dict[str, str],
    track: Track,
    org: Organization,
    days: int = 14,
    user_ids: list[int] | None = None,
) -> Any:
    body: dict[str, Any] = {
        "trackId": track.id,
        "organizationId": org.id,
        "dueOn": (utcnow().date() + timedelta(days=days)).isoformat(),
    }
    if user_ids is not None:
        body["userIds"] = user_ids
    response = client.post("/api/v1/training/assignments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def make_overdue(session: Session, user: User) -> None:
    session.execute(
        update(Assignment)
        .where(Assignment.user_id == user.id)
        .values(due_on=utcnow().date() - timedelta(days=3))
    )
    session.expire_all()


class TestReport:
    @pytest.fixture
    def setup(self, session: Session, settings: Settings) -> dict[str, Any]:
        org = create_organization(session, name="Acme")
        admin, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=org, name="Ada")
        done, _ = create_user(session, organization=org, name="Bea")
        late, _ = create_user(session, organization=org, name="=HYPERLINK(1)")
        track, quizzes = create_track_with_quizzes(session, courses=1, validity_days=20)
        return {
            "org": org,
            "headers": bearer(token),
            "admin": admin,
            "done": done,
            "late": late,
            "track": track,
            "quizzes": quizzes,
        }

    def test_counts_users_and_expiry(
        self, client: TestClient, session: Session, settings: Settings, setup: dict[str, Any]
    ) -> None:
        assign(client, setup["headers"], setup["track"], setup["org"])
        certify(
            session,
            user=setup["done"],
            track=setup["track"],
            quizzes=setup["quizzes"],
            settings=settings,
        )
        make_overdue(session, setup["late"])
        report = client.get(
            f"/api/v1/training/compliance/organizations/{setup['org'].id}",
            headers=setup["headers"],
        ).json()
        assert report["organizationId"] == setup["org"].id
        assert (report["assigned"], report["completed"], report["overdue"]) == (3, 1, 1)
        assert (report["notStarted"], report["inProgress"]) == (1, 0)
        # Bea's certificate is valid 20 days: expiring within 30.
        assert report["expiringWithin30Days"] == 1
        assert report["completionRate"] == pytest.approx(33.3)
        users = {u["name"]: u for u in report["users"]}
        assert users["Bea"]["completed"] == 1
        assert users["=HYPERLINK(1)"]["overdue"] == 1
        assert report["users"][0]["name"] == "=HYPERLINK(1)"  # the overdue first

    def test_csv_one_row_per_user_and_track_and_no_formulas(
        self, client: TestClient, setup: dict[str, Any]
    ) -> None:
        assign(client, setup["headers"], setup["track"], setup["org"])
        response = client.get(
            f"/api/v1/training/compliance/organizations/{setup['org'].id}/compliance.csv",
            headers=setup["headers"],
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == 3
        assert {r["trackName"] for r in rows} == {setup["track"].name}
        names = {r["name"] for r in rows}
        assert "'=HYPERLINK(1)" in names  # neutralised for spreadsheets
        assert {r["status"] for r in rows} == {"NOT_STARTED"}

    def test_no_cell_starts_a_formula_whichever_separator_a_spreadsheet_splits_on(
        self, client: TestClient, session: Session, setup: dict[str, Any]
    ) -> None:
        # Names as a customer_admin could once type them (stored before names were
        # checked for control characters), and a track name with a formula after a `;`.
        hostile = ["Bob;=cmd|' /C calc'!A0", "Eve\t=1+1", "Pipe|@SUM(A1:A9)"]
        for name in hostile:
            user, _ = create_user(session, organization=setup["org"])
            user.name = name
        setup["track"].name = "Ethics; -2+3"
        session.flush()
        assign(client, setup["headers"], setup["track"], setup["org"])
        response = client.get(
            f"/api/v1/training/compliance/organizations/{setup['org'].id}/compliance.csv",
            headers=setup["headers"],
        )
        assert response.status_code == 200
        by_comma = list(csv.DictReader(io.StringIO(response.text)))
        assert len(by_comma) == 6
        for name in hostile:  # each still readable as the name it is
            assert any(row["name"].replace("'", "") == name.replace("'", "") for row in by_comma)
        for separator in (",", ";", "\t"):
            for row in csv.reader(io.StringIO(response.text), delimiter=separator):
                for cell in row:
                    shown = cell.lstrip(' \t\r\n"')
                    assert not shown.startswith(("=", "+", "-", "@")), (separator, cell)

    def test_empty_organisation(
        self, client: TestClient, staff_headers: dict[str, str], session: Session
    ) -> None:
        org = create_organization(session)
        report = client.get(
            f"/api/v1/training/compliance/organizations/{org.id}", headers=staff_headers
        ).json()
        assert report["assigned"] == 0
        assert report["completionRate"] is None
        assert report["users"] == []

    def test_deactivated_users_drop_out(
        self, client: TestClient, session: Session, setup: dict[str, Any]
    ) -> None:
        assign(client, setup["headers"], setup["track"], setup["org"])
        setup["late"].is_active = False
        session.flush()
        report = client.get(
            f"/api/v1/training/compliance/organizations/{setup['org'].id}",
            headers=setup["headers"],
        ).json()
        assert report["assigned"] == 2


class TestOverview:
    def test_staff_overview_sorted_by_overdue(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1)
        calm = create_organization(session, name="Calm")
        busy = create_organization(session, name="Busy")
        create_user(session, organization=calm)
        late = [create_user(session, organization=busy)[0] for _ in range(2)]
        assign(client, staff_headers, track, calm)
        assign(client, staff_headers, track, busy)
        for user in late:
            make_overdue(session, user)
        overview = client.get(
            "/api/v1/training/compliance/organizations", headers=staff_headers
        ).json()
        assert [o["organizationName"] for o in overview] == ["Busy", "Calm"]
        assert overview[0]["overdue"] == 2
        assert overview[1]["completionRate"] == 0.0

    def test_customers_have_no_overview(self, client: TestClient, session: Session) -> None:
        org = create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=org)
        response = client.get("/api/v1/training/compliance/organizations", headers=bearer(token))
        assert response.status_code == 403


class TestCompletionMetric:
    """Computed by each benchmark run from the assignments as of its day, then benchmarked."""

    def test_in_the_registry(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        metrics = {
            m["name"]: m for m in client.get("/api/v1/metrics", headers=admin_headers).json()
        }
        assert metrics[METRIC]["unit"] == "percent"
        assert metrics[METRIC]["higherIsBetter"] is True
        assert (metrics[METRIC]["min"], metrics[METRIC]["max"]) == (0, 100)

    def test_cannot_be_imported(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        org = create_organization(session)
        response = client.post(
            "/api/v1/metrics/values",
            json={
                "values": [
                    {
                        "organizationId": org.id,
                        "metric": METRIC,
                        "value": 50,
                        "recordedOn": utcnow().date().isoformat(),
                    }
                ]
            },
            headers=admin_headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "values.0.metric"
        assert session.scalars(select(MetricValue)).first() is None

    def test_benchmarked_from_assignments(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        admin_headers: dict[str, str],
        staff_headers: dict[str, str],
    ) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1)
        orgs = [create_organization(session) for _ in range(6)]
        learners = {o.id: [create_user(session, organization=o)[0] for _ in range(2)] for o in orgs}
        for org in orgs:
            assign(client, staff_headers, track, org)
        # Completed: one of two in orgs 0-2, both in org 3, none in 4 and 5.
        for index, org in enumerate(orgs[:4]):
            for user in learners[org.id][: 2 if index == 3 else 1]:
                certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
        bystander = create_organization(session)
        _, bystander_token = create_user(session, organization=bystander)

        today = utcnow().date()
        run = client.post(
            "/api/v1/benchmarks/calculate",
            json={"calculatedFor": today.isoformat()},
            headers=admin_headers,
        )
        assert run.status_code == 200, run.text
        values = {
            v.organization_id: v.value
            for v in session.scalars(select(MetricValue).where(MetricValue.metric == METRIC))
        }
        assert values == {
            orgs[0].id: 50.0,
            orgs[1].id: 50.0,
            orgs[2].id: 50.0,
            orgs[3].id: 100.0,
            orgs[4].id: 0.0,
            orgs[5].id: 0.0,
        }

        # A customer of org 3 sees where it stands among its peers.
        _, token = create_user(session, organization=orgs[3])
        mine = client.get(
            f"/api/v1/benchmarks/organizations/{orgs[3].id}/metrics/{METRIC}",
            headers=bearer(token),
        ).json()
        assert mine["available"] is True, mine
        assert mine["yourValue"] == 100.0
        assert mine["peerCount"] == 6
        assert "min" not in mine or mine.get("min") is None
        # No assignments: no value, not 0.
        none = client.get(
            f"/api/v1/benchmarks/organizations/{bystander.id}/metrics/{METRIC}",
            headers=bearer(bystander_token),
        ).json()
        assert none["available"] is False
        assert none["yourValue"] is None

    def test_a_past_day_sees_only_what_was_assigned_by_then(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        staff_headers: dict[str, str],
    ) -> None:
        track, _ = create_track_with_quizzes(session, courses=1)
        org = create_organization(session)
        create_user(session, organization=org)
        assign(client, staff_headers, track, org)
        yesterday = utcnow().date() - timedelta(days=1)
        run = client.post(
            "/api/v1/benchmarks/calculate",
            json={"calculatedFor": yesterday.isoformat()},
            headers=admin_headers,
        )
        assert run.status_code == 200
        assert session.scalars(select(MetricValue).where(MetricValue.metric == METRIC)).all() == []
