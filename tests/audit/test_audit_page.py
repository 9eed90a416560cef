"""The audit trail page: details in words, filters by person and dates, and its CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.audit.wording import action_label, detail_lines, words
from opsportal.models import AuditEntry, Role
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from tests.factories import create_user
from tests.pages import PASSWORD, log_in


class TestWording:
    def test_codes_in_words(self) -> None:
        assert action_label("user.update") == "User changed"
        assert action_label("training_assignment.remind") == "Training reminder sent"
        assert action_label("widget_box.paint") == "Widget box: paint"
        assert words("dueOn") == "Due on"
        assert words("userIds") == "User IDs"

    def test_details_as_lines(self) -> None:
        detail = {
            "role": {"from": "customer", "to": "customer_admin"},
            "description": {"changed": True},
            "withPassword": False,
            "userIds": [3, 4],
            "after": {"issuer": "https://idp.example"},
            "dueOn": None,
        }
        assert detail_lines(detail) == [
            ("Role", "customer → customer_admin"),
            ("Description", "changed"),
            ("With password", "no"),
            ("User IDs", "3, 4"),
            ("After › Issuer", "https://idp.example"),
            ("Due on", "—"),
        ]


def listed(page: str) -> list[str]:
    """The actions of the entries the page lists."""
    return re.findall(r'<td data-label="Action">([^<]*)</td>', page)


def _at(session: Session, action: str, days_ago: int) -> None:
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.action == action)
        .values(at=utcnow() - timedelta(days=days_ago))
    )


class TestPage:
    def test_filters_by_person_and_dates_and_exports_what_it_shows(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(
            session, role=Role.ADMIN, password=PASSWORD, name="Ada Admin", email="ada@ops.test"
        )
        other, _ = create_user(session, role=Role.INTERNAL, name="Olly Ops", email="olly@ops.test")
        change = {"role": {"from": "internal", "to": "admin"}}
        record(session, actor=Principal.of(admin), action="demo.old", target_type="user",
               target_id=other.id, detail=change)  # fmt: skip
        record(session, actor=Principal.of(other), action="demo.recent", target_type="user",
               target_id=admin.id, detail={"label": "x\n=cmd|' /C calc'!A0"})  # fmt: skip
        _at(session, "demo.old", 40)
        _at(session, "demo.recent", 2)
        session.flush()
        log_in(client, "ada@ops.test")

        page = client.get("/admin/audit", params={"person": "olly"}).text
        assert listed(page) == ["Demo: recent"]
        assert "Olly Ops &lt;olly@ops.test&gt;" in page

        today = utcnow().date()
        since = (today - timedelta(days=45)).isoformat()
        until = (today - timedelta(days=30)).isoformat()
        page = client.get("/admin/audit", params={"from": since, "to": until}).text
        assert listed(page) == ["Demo: old"]
        assert "<dt>Role</dt><dd>internal → admin</dd>" in page
        assert f'href="/admin/audit.csv?from={since}&amp;to={until}"' in page

        export = client.get("/admin/audit.csv", params={"from": since, "to": until})
        assert export.status_code == 200
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert [(r["Who"], r["Action"], r["Details"]) for r in rows] == [
            ("Ada Admin <ada@ops.test>", "Demo: old", "Role: internal → admin")
        ]
        recent = list(csv.DictReader(io.StringIO(
            client.get("/admin/audit.csv", params={"person": "olly"}).text
        )))  # fmt: skip
        # A formula after a line break inside the cell is text too (kit/csvsafe).
        assert [r["Details"] for r in recent] == ["Label: x\n'=cmd|' /C calc'!A0"]

    def test_a_backwards_range_or_a_bad_date_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        create_user(session, role=Role.ADMIN, password=PASSWORD, email="ada@ops.test")
        log_in(client, "ada@ops.test")
        assert client.get("/admin/audit?from=2026-02-01&to=2026-01-01").status_code == 422
        assert client.get("/admin/audit?from=yesterday").status_code == 422
        assert client.get("/admin/audit.csv?from=2026-02-01&to=2026-01-01").status_code == 422

    def test_only_admins(self, client: TestClient, session: Session) -> None:
        create_user(session, role=Role.INTERNAL, password=PASSWORD, email="olly@ops.test")
        log_in(client, "olly@ops.test")
        assert client.get("/admin/audit.csv").status_code == 403
