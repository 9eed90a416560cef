"""In a real browser, at 1280 and 375 px: Remind, a learner's page, the audit trail's filters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Assignment, Role
from opsportal.models.base import utcnow
from opsportal.notifications.mail import send_pending
from opsportal.principal import Principal
from opsportal.tenants.schemas import OrganizationCreate
from opsportal.tenants.service import create_organization as service_create_organization
from opsportal.training.compliance.assignments import assign_track
from opsportal.training.compliance.schemas import AssignmentCreate
from tests.factories import certify, create_organization, create_track_with_quizzes, create_user
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server  # noqa: F401
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways on a phone ({width}px)"


def test_remind_and_the_learners_page(
    page: Page,
    committed_session_factory: SessionFactory,
    mail_settings: Settings,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    with session_scope(committed_session_factory) as session:
        org = create_organization(session, name="Northwind Traders International")
        boss, _ = create_user(
            session,
            role=Role.CUSTOMER_ADMIN,
            organization=org,
            name="Alex Admin",
            email="admin@northwind.test",
            password=PASSWORD,
        )
        late, _ = create_user(
            session,
            organization=org,
            name="Lee Learner",
            email="lee.learner.with.a.long.address@northwind-traders.example.test",
        )
        leaver, _ = create_user(session, organization=org, name="Lena Leaver")
        track, quizzes = create_track_with_quizzes(
            session, courses=1, name="Anti-Bribery and Corruption Essentials"
        )
        assign_track(
            session,
            principal=Principal.of(boss),
            data=AssignmentCreate(
                track_id=track.id,
                organization_id=org.id,
                user_ids=[late.id, leaver.id],
                due_on=utcnow().date() + timedelta(days=5),
            ),
        )
        session.execute(
            update(Assignment)
            .where(Assignment.user_id == late.id)
            .values(due_on=utcnow().date() - timedelta(days=2))
        )
        certify(session, user=leaver, track=track, quizzes=quizzes, settings=mail_settings)
        leaver.is_active = False
        report = f"/training/compliance/organizations/{org.id}"
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    page.set_viewport_size({"width": 1280, "height": 900})

    browser_log_in(page, "admin@northwind.test", PASSWORD)
    page.goto(report)
    assignments = page.get_by_role("table", name="Assignments")
    expect(assignments).to_contain_text("Former user (deactivated)")
    page.get_by_role("link", name="Overdue").click()
    expect(page.get_by_role("table", name="Assignments")).not_to_contain_text("Lena Leaver")
    page.get_by_role("button", name="Remind all shown").click()
    expect(page.get_by_role("status")).to_have_text(
        "Reminder sent to Lee Learner about 1 open assignment."
    )
    assert send_pending(committed_session_factory, settings=mail_settings).sent == 1
    [received] = smtp_server.recorder.received
    assert received.recipients == ["lee.learner.with.a.long.address@northwind-traders.example.test"]
    assert "Overdue: Anti-Bribery" in received.message["Subject"]

    page.get_by_role("button", name="Remind Lee Learner").click()
    expect(page.get_by_role("status")).to_contain_text("Lee Learner was already reminded on")
    expect(page.get_by_role("status")).to_contain_text("you can remind them again from")
    assert send_pending(committed_session_factory, settings=mail_settings).sent == 0
    page.screenshot(path=screenshot_dir / "compliance-remind.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(report)
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "compliance-phone.png", full_page=True)
    page.goto(f"{report}/assign")
    no_sideways_scroll(page)

    page.goto(report)
    page.get_by_role("table", name="By user").get_by_role("link", name="Lee Learner").click()
    expect(page.get_by_role("heading", name="Training: Lee Learner", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Courses of Anti-Bribery")).to_be_visible()
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(report)
    page.get_by_role("table", name="Assignments").get_by_role("link", name="Lena Leaver").click()
    expect(page.get_by_text("Former user (deactivated)")).to_be_visible()
    expect(page.get_by_role("table", name="Certificates")).to_contain_text("CERT-")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_audit_trail_filters(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path
) -> None:
    with session_scope(committed_session_factory) as session:
        create_user(
            session, role=Role.ADMIN, name="Ada Admin", email="ada@ops.test", password=PASSWORD
        )
        service_create_organization(session, data=OrganizationCreate(name="Contoso"))
    browser_log_in(page, "ada@ops.test", PASSWORD)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/audit")
        page.get_by_label("Action").select_option(label="Organization created")
        page.get_by_label("From").fill(utcnow().date().isoformat())
        page.get_by_role("button", name="Filter").click()
        table = page.get_by_role("table", name="Audit entries")
        expect(table).to_contain_text("Organization created")
        expect(table).to_contain_text("Contoso")
        expect(table).not_to_contain_text("User created")
        expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
            "href", f"/admin/audit.csv?action=organization.create&from={utcnow().date()}"
        )
        if width == 375:
            no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "audit-phone.png", full_page=True)
