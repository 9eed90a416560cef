"""The metric registry, metric value ingestion (API and CSV) and the latest-value table."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.metrics.registry import METRICS
from opsportal.metrics.service import utc_today
from opsportal.models import LatestMetricValue, MetricValue, Organization
from tests.factories import Customer, create_organization

runner = CliRunner()
TODAY = utc_today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def org(session: Session) -> Organization:
    return create_organization(session, external_id="ext-acme")


def item(
    org_id: int, metric: str = "login_rate", value: object = 50.0, day: date = YESTERDAY
) -> dict[str, object]:
    return {"organizationId": org_id, "metric": metric, "value": value, "recordedOn": str(day)}


def history_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MetricValue)) or 0


def latest(session: Session, org_id: int, metric: str) -> LatestMetricValue | None:
    session.expire_all()
    return session.get(LatestMetricValue, (org_id, metric))


class TestRegistry:
    def test_lists_the_metrics(self, client: TestClient, customer: Customer) -> None:
        response = client.get("/api/v1/metrics", headers=customer.headers)
        assert response.status_code == 200
        by_name = {m["name"]: m for m in response.json()}
        assert set(by_name) == {
            "attestation_completion_rate",
            "case_resolution_time",
            "case_on_time_rate",
            "login_rate",
            "feature_adoption_rate",
            "training_completion_rate",
        }
        assert by_name["case_resolution_time"] == {
            "name": "case_resolution_time",
            "label": "Case resolution time",
            "unit": "days",
            "higherIsBetter": False,
            "min": 0.0,
            "max": None,
        }
        rate = by_name["login_rate"]
        assert (rate["unit"], rate["min"], rate["max"], rate["higherIsBetter"]) == (
            "percent",
            0.0,
            100.0,
            True,
        )

    def test_needs_a_token(self, client: TestClient) -> None:
        assert client.get("/api/v1/metrics").status_code == 401


class TestPostValues:
    def test_accepts_a_batch(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        body = {
            "values": [
                item(org.id, metric, 10.0 + i)
                for i, metric in enumerate(
                    ["login_rate", "case_resolution_time", "case_on_time_rate"]
                )
            ]
        }
        response = client.post("/api/v1/metrics/values", json=body, headers=admin_headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": 3}
        assert history_count(session) == 3
        stored = latest(session, org.id, "case_resolution_time")
        assert stored is not None and stored.value == 11.0 and stored.recorded_on == YESTERDAY

    def test_internal_may_post_customer_may_not(
        self, client: TestClient, staff_headers: dict[str, str], customer: Customer
    ) -> None:
        body = {"values": [item(customer.organization.id)]}
        response = client.post("/api/v1/metrics/values", json=body, headers=staff_headers)
        assert response.status_code == 200
        response = client.post("/api/v1/metrics/values", json=body, headers=customer.headers)
        assert response.status_code == 403

    def test_resending_a_day_replaces_it(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        for value in (40.0, 45.5):
            response = client.post(
                "/api/v1/metrics/values",
                json={"values": [item(org.id, value=value)]},
                headers=admin_headers,
            )
            assert response.status_code == 200
        assert history_count(session) == 1
        assert session.scalar(select(MetricValue.value)) == 45.5
        stored = latest(session, org.id, "login_rate")
        assert stored is not None and stored.value == 45.5

    def test_a_batch_of_new_and_resent_days_adds_and_replaces(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        # In key order the new day of `first` comes before `second`'s re-sent
        # day, so the batch has written rows before it meets the existing one.
        first, second = create_organization(session), create_organization(session)
        earlier = YESTERDAY - timedelta(days=1)
        sent = client.post(
            "/api/v1/metrics/values",
            json={"values": [item(second.id, value=10.0)]},
            headers=admin_headers,
        )
        assert sent.status_code == 200
        batch = [
            item(second.id, value=11.0),
            item(second.id, value=9.0, day=earlier),
            item(first.id, value=70.0),
        ]
        response = client.post(
            "/api/v1/metrics/values", json={"values": batch}, headers=admin_headers
        )
        assert response.status_code == 200, response.text
        session.expire_all()
        stored = session.execute(
            select(MetricValue.organization_id, MetricValue.recorded_on, MetricValue.value)
        ).all()
        assert sorted(stored) == sorted(
            [(first.id, YESTERDAY, 70.0), (second.id, YESTERDAY, 11.0), (second.id, earlier, 9.0)]
        )
        newest = latest(session, second.id, "login_rate")
        assert newest is not None and (newest.value, newest.recorded_on) == (11.0, YESTERDAY)

    def test_duplicates_within_a_batch_last_wins(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        body = {"values": [item(org.id, value=1.0), item(org.id, value=2.0)]}
        response = client.post("/api/v1/metrics/values", json=body, headers=admin_headers)
        assert response.status_code == 200
        assert history_count(session) == 1
        assert session.scalar(select(MetricValue.value)) == 2.0

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"metric": "nps"}, "values.1.metric"),
            ({"value": 100.5}, "values.1.value"),
            ({"value": -1}, "values.1.value"),
            ({"recordedOn": "2026-02-30"}, "values.1.recordedOn"),
            ({"recordedOn": "yesterday"}, "values.1.recordedOn"),
            ({"recordedOn": "1999-12-31"}, "values.1.recordedOn"),
            ({"recordedOn": (TODAY + timedelta(days=5)).isoformat()}, "values.1.recordedOn"),
            ({"value": "abc"}, "values.1.value"),
            ({"value": None}, "values.1.value"),
            ({"organizationId": 99999999999999999999}, "values.1.organizationId"),
            ({"organizationId": 2_000_000_000}, "values.1.organizationId"),
            ({"organizationId": 0}, "values.1.organizationId"),
            ({"extra": 1}, "values.1.extra"),
        ],
    )
    def test_one_bad_item_rejects_the_batch_naming_its_index(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        org: Organization,
        bad: dict[str, object],
        field: str,
    ) -> None:
        body = {"values": [item(org.id), {**item(org.id, metric="case_on_time_rate"), **bad}]}
        response = client.post("/api/v1/metrics/values", json=body, headers=admin_headers)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["errors"][0]["field"] == field
        assert "values.1" in problem["detail"]
        assert history_count(session) == 0
        assert latest(session, org.id, "login_rate") is None

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400])
    def test_non_finite_and_huge_numbers_are_422(
        self, client: TestClient, admin_headers: dict[str, str], org: Organization, literal: str
    ) -> None:
        text = (
            f'{{"values": [{{"organizationId": {org.id}, "metric": "case_resolution_time", '
            f'"value": {literal}, "recordedOn": "{YESTERDAY}"}}]}}'
        )
        response = client.post(
            "/api/v1/metrics/values",
            content=text.encode(),
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "values.0.value"

    def test_huge_integer_beyond_python_limit_is_4xx(
        self, client: TestClient, admin_headers: dict[str, str], org: Organization
    ) -> None:
        text = (
            f'{{"values": [{{"organizationId": {"9" * 5000}, "metric": "login_rate", '
            f'"value": 1, "recordedOn": "{YESTERDAY}"}}]}}'
        )
        response = client.post(
            "/api/v1/metrics/values",
            content=text.encode(),
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500

    def test_unknown_organization_names_the_index(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        body = {"values": [item(org.id), item(org.id), item(org.id + 1000)]}
        response = client.post("/api/v1/metrics/values", json=body, headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "values.2.organizationId"
        assert history_count(session) == 0

    def test_case_resolution_time_has_no_upper_bound(
        self, client: TestClient, admin_headers: dict[str, str], org: Organization
    ) -> None:
        body = {"values": [item(org.id, metric="case_resolution_time", value=400.0)]}
        assert (
            client.post("/api/v1/metrics/values", json=body, headers=admin_headers).status_code
            == 200
        )

    def test_a_batch_of_ten_thousand(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        orgs = [create_organization(session) for _ in range(50)]
        metrics = [m.name for m in METRICS if not m.computed]
        values = [
            item(o.id, metric, float(d % 100), YESTERDAY - timedelta(days=d))
            for o in orgs
            for metric in metrics
            for d in range(40)
        ]
        assert len(values) == 10_000
        response = client.post(
            "/api/v1/metrics/values", json={"values": values}, headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": 10_000}
        assert history_count(session) == 10_000
        newest = session.scalars(select(LatestMetricValue)).all()
        assert len(newest) == 250
        assert {(row.recorded_on, row.value) for row in newest} == {(YESTERDAY, 0.0)}


class TestLatestValue:
    def post(
        self, client: TestClient, headers: dict[str, str], org_id: int, value: float, day: date
    ) -> None:
        response = client.post(
            "/api/v1/metrics/values",
            json={"values": [item(org_id, value=value, day=day)]},
            headers=headers,
        )
        assert response.status_code == 200, response.text

    def test_newer_day_replaces_latest(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        self.post(client, admin_headers, org.id, 10.0, YESTERDAY - timedelta(days=3))
        self.post(client, admin_headers, org.id, 20.0, YESTERDAY)
        stored = latest(session, org.id, "login_rate")
        assert stored is not None and (stored.value, stored.recorded_on) == (20.0, YESTERDAY)

    def test_older_day_does_not_replace_latest(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        self.post(client, admin_headers, org.id, 20.0, YESTERDAY)
        self.post(client, admin_headers, org.id, 10.0, YESTERDAY - timedelta(days=3))
        stored = latest(session, org.id, "login_rate")
        assert stored is not None and (stored.value, stored.recorded_on) == (20.0, YESTERDAY)
        assert history_count(session) == 2

    def test_same_day_correction_replaces_latest(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        self.post(client, admin_headers, org.id, 20.0, YESTERDAY)
        self.post(client, admin_headers, org.id, 25.0, YESTERDAY)
        stored = latest(session, org.id, "login_rate")
        assert stored is not None and stored.value == 25.0

    def test_batch_with_several_days_keeps_the_newest(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], org: Organization
    ) -> None:
        days = [YESTERDAY - timedelta(days=2), YESTERDAY, YESTERDAY - timedelta(days=1)]
        body = {"values": [item(org.id, value=float(i), day=d) for i, d in enumerate(days)]}
        assert (
            client.post("/api/v1/metrics/values", json=body, headers=admin_headers).status_code
            == 200
        )
        stored = latest(session, org.id, "login_rate")
        assert stored is not None and (stored.value, stored.recorded_on) == (1.0, YESTERDAY)


@pytest.mark.usefixtures("cli_session_factory")
class TestImportValuesCsv:
    def write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "values.csv"
        path.write_text(text, encoding="utf-8")
        return path

    def test_imports_by_external_id_and_by_id(
        self, tmp_path: Path, session: Session, org: Organization
    ) -> None:
        other = create_organization(session)
        path = self.write(
            tmp_path,
            "organization,metric,value,recordedOn\n"
            f"ext-acme,login_rate,55.5,{YESTERDAY}\n"
            f"{other.id},case_resolution_time,3.25,{YESTERDAY}\n"
            "\n",
        )
        result = runner.invoke(cli_app, ["import", "values", str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"accepted": 2}
        a = latest(session, org.id, "login_rate")
        b = latest(session, other.id, "case_resolution_time")
        assert a is not None and a.value == 55.5
        assert b is not None and b.value == 3.25

    def test_shows_each_step_of_the_import(
        self, tmp_path: Path, on_postgres: bool, org: Organization
    ) -> None:
        path = self.write(
            tmp_path,
            "organization,metric,value,recordedOn\n"
            + "".join(
                f"ext-acme,login_rate,{n},{YESTERDAY - timedelta(days=n)}\n" for n in range(30)
            ),
        )
        result = runner.invoke(cli_app, ["import", "values", str(path)])
        assert result.exit_code == 0, result.output
        # One line per step, as the import leaves them on the terminal.
        shown = [line.split()[0] for line in result.stderr.splitlines() if line.strip()]
        expected = ["reading", "checking", "values"]
        if on_postgres:  # sent to a staging table, then written by one statement
            expected.append("saving")
        expected.append("updating")
        assert shown == expected, result.stderr
        assert "values.csv" in result.stderr
        assert "30/30" in result.stderr  # every value counted

    def test_columns_in_any_order(
        self, tmp_path: Path, session: Session, org: Organization
    ) -> None:
        path = self.write(
            tmp_path, f"recordedOn,value,metric,organization\n{YESTERDAY},12,login_rate,ext-acme\n"
        )
        result = runner.invoke(cli_app, ["import", "values", str(path)])
        assert result.exit_code == 0, result.output
        assert history_count(session) == 1

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("nobody,login_rate,1,{day}", "organization"),
            ("ext-acme,nps,1,{day}", "metric"),
            ("ext-acme,login_rate,101,{day}", "value"),
            ("ext-acme,login_rate,nan,{day}", "value"),
            ("ext-acme,login_rate,inf,{day}", "value"),
            ("ext-acme,login_rate,lots,{day}", "value"),
            ("ext-acme,login_rate,1,2026-13-01", "recordedOn"),
            ("ext-acme,login_rate,1,20260101", "recordedOn"),
            ("ext-acme,login_rate", "columns"),
        ],
    )
    def test_bad_line_rejects_the_file_naming_the_line(
        self, tmp_path: Path, session: Session, org: Organization, line: str, message: str
    ) -> None:
        path = self.write(
            tmp_path,
            "organization,metric,value,recordedOn\n"
            f"ext-acme,case_on_time_rate,80,{YESTERDAY}\n" + line.format(day=YESTERDAY) + "\n",
        )
        result = runner.invoke(cli_app, ["import", "values", str(path)])
        assert result.exit_code == 1
        assert "line 3" in result.output
        assert message in result.output
        assert history_count(session) == 0

    def test_missing_column_is_an_error(self, tmp_path: Path, org: Organization) -> None:
        path = self.write(tmp_path, "organization,metric,value\next-acme,login_rate,1\n")
        result = runner.invoke(cli_app, ["import", "values", str(path)])
        assert result.exit_code == 1
        assert "recordedOn" in result.output

    def test_external_id_wins_over_a_numeric_id(self, tmp_path: Path, session: Session) -> None:
        first = create_organization(session)
        numbered = create_organization(session, external_id=str(first.id))
        path = self.write(
            tmp_path, f"organization,metric,value,recordedOn\n{first.id},login_rate,7,{YESTERDAY}\n"
        )
        assert runner.invoke(cli_app, ["import", "values", str(path)]).exit_code == 0
        assert latest(session, numbered.id, "login_rate") is not None
        assert latest(session, first.id, "login_rate") is None
