"""The journeys people take, in Debian's Chromium against a live server with the demo data.

A customer: log in, read the scorecard, fail a quiz, pass it, take the
certificate PDF, open its verification page. An admin: trigger a benchmark run.
Each page is saved as a screenshot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.demo import load_demo
from opsportal.models import Course, Quiz, Track, TrackType
from tests.pages import browser_log_in

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(committed_session_factory: SessionFactory, settings: Settings) -> None:
    with session_scope(committed_session_factory) as session:
        load_demo(session, settings=settings, say=lambda _: None)


def customer_track_quizzes(factory: SessionFactory) -> list[tuple[str, list[dict[str, object]]]]:
    """(course title, questions with their answer key) of the demo customer track, in order."""
    with factory() as session:
        rows = session.execute(
            select(Course.title, Quiz.questions)
            .join(Quiz, Quiz.course_id == Course.id)
            .join(Track, Track.id == Course.track_id)
            .where(Track.type == TrackType.CUSTOMER, Course.is_active)
            .order_by(Track.sort_order, Track.id, Course.sort_order, Course.id)
        ).all()
    return [(title, list(questions)) for title, questions in rows]


def answer(page: Page, questions: list[dict[str, object]], *, correctly: bool) -> None:
    for question in questions:
        key = list(question["correct_option_ids"])  # type: ignore[call-overload]
        options = [o["id"] for o in question["options"]]  # type: ignore[attr-defined]
        chosen = key if correctly else [next(o for o in options if o not in key)]
        for option_id in chosen:
            page.locator(f'input[name="q-{question["id"]}"][value="{option_id}"]').check()
    page.get_by_role("button", name="Submit answers").click()


@pytest.mark.usefixtures("demo")
def test_customer_journey(
    page: Page, committed_session_factory: SessionFactory, screenshot_dir: Path
) -> None:
    browser_log_in(page, "customer@northwind.example", "customer-demo-pass")
    # A customer lands on its training, and finds its benchmarks in the navigation.
    expect(page).to_have_url("/training")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Benchmarks").click()

    # Scorecard: every metric with a chart, a verdict and the peer count. It opens on
    # the most specific group that places the customer: its industry (its industry ×
    # size group has 9 peers, which shows customers the peer count only).
    expect(page.get_by_role("heading", name="Northwind Health")).to_be_visible()
    expect(page.get_by_role("heading", name="Compared with Healthcare", exact=True)).to_be_visible()
    expect(page.locator("svg.band").nth(4)).to_be_visible()  # five metrics, six with training
    expect(page.get_by_text("peers").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "scorecard.png", full_page=True)
    page.get_by_label("Industry").select_option("Healthcare")
    page.get_by_label("Company size").select_option("")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("section.metric").get_by_text("Healthcare (").first).to_be_visible()
    expect(page.locator("svg.band").nth(4)).to_be_visible()

    quizzes = customer_track_quizzes(committed_session_factory)
    assert len(quizzes) == 3
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    expect(page.get_by_text("0 of 3 courses passed")).to_be_visible()
    page.screenshot(path=screenshot_dir / "training.png", full_page=True)

    for number, (title, questions) in enumerate(quizzes):
        page.goto("/training")
        page.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title).first).to_be_visible()
        page.get_by_role("button", name="Take the quiz").click()
        if number == 0:
            page.screenshot(path=screenshot_dir / "quiz.png", full_page=True)
            answer(page, questions, correctly=False)
            expect(page.get_by_text("0 % — Not passed")).to_be_visible()
            expect(page.get_by_text("Incorrect").first).to_be_visible()
            page.screenshot(path=screenshot_dir / "quiz-failed.png", full_page=True)
            page.get_by_role("button", name="Take again").click()
        answer(page, questions, correctly=True)
        expect(page.get_by_text("100 % — Passed")).to_be_visible()
        if number == 0:
            page.screenshot(path=screenshot_dir / "quiz-result.png", full_page=True)

    expect(page.get_by_text("You have completed every course of this track.")).to_be_visible()
    page.get_by_role("button", name="Get your certificate").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    page.screenshot(path=screenshot_dir / "certificates.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").first.click()
    pdf_path = download_info.value.path()
    text = "".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "Zoë Łukasz-Ångström" in text
    number_cell = page.locator("td").filter(has_text="CERT-").first.inner_text()
    assert number_cell in text

    page.get_by_role("link", name="Verification page").first.click()
    expect(page.get_by_text("Valid certificate")).to_be_visible()
    expect(page.get_by_text("Zoë Łukasz-Ångström")).to_be_visible()
    page.screenshot(path=screenshot_dir / "verify.png", full_page=True)


@pytest.mark.usefixtures("demo")
def test_admin_triggers_a_run(page: Page, screenshot_dir: Path) -> None:
    browser_log_in(page, "admin@opsportal.example", "admin-demo-pass")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Benchmark runs")).to_be_visible()
    before = page.locator("tbody tr").count()
    page.get_by_role("button", name="Run now").click()
    expect(page.get_by_role("status")).to_contain_text("peer groups published")
    expect(page.locator("tbody tr")).to_have_count(before + 1)
    expect(page.locator("tbody tr").first).to_contain_text("SUCCEEDED")
    page.screenshot(path=screenshot_dir / "runs.png", full_page=True)
