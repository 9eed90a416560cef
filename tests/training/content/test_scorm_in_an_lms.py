"""The exported package runs in an LMS: a tiny test LMS page on loopback defines a recording
SCORM 1.2 `window.API` and frames the SCO, which must find it, and report its grade to it."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from opsportal.training import repository
from opsportal.training.content.export.package import build_package
from tests.factories.training import create_track_with_quizzes, sample_questions

pytest_plugins = ["tests.browser_fixtures"]
pytestmark = pytest.mark.browser

LMS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="lms.js"></script></head><body><main><h1>Test LMS</h1>
<iframe title="Course" src="courses/1/index.html" width="800" height="900"></iframe>
</main></body></html>"""

LMS_SCRIPT = """window.calls = [];
window.values = {"cmi.core.lesson_status": "not attempted", "cmi.suspend_data": ""};
function record(name, args) { window.calls.push([name].concat(args)); }
window.API = {
  LMSInitialize: function (a) { record("LMSInitialize", [a]); return "true"; },
  LMSGetValue: function (k) { record("LMSGetValue", [k]); return window.values[k] || ""; },
  LMSSetValue: function (k, v) {
    record("LMSSetValue", [k, v]); window.values[k] = v; return "true";
  },
  LMSCommit: function (a) { record("LMSCommit", [a]); return "true"; },
  LMSFinish: function (a) { record("LMSFinish", [a]); return "true"; },
  LMSGetLastError: function () { return "0"; },
  LMSGetErrorString: function () { return ""; },
  LMSGetDiagnostic: function () { return ""; }
};"""


@pytest.fixture
def lms(tmp_path: Path, session: Any) -> Iterator[str]:
    track, _ = create_track_with_quizzes(session, courses=1)
    loaded = repository.get_track_with_courses(session, track.id)
    assert loaded is not None
    zipfile.ZipFile(io.BytesIO(build_package(loaded))).extractall(tmp_path)
    (tmp_path / "lms.html").write_text(LMS_PAGE)
    (tmp_path / "lms.js").write_text(LMS_SCRIPT)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/lms.html"
    finally:
        server.shutdown()
        server.server_close()


def answer(page: Page, url: str, *, right: int) -> dict[str, str]:
    page.goto(url)
    sco = page.frame_locator("iframe")
    for n, question in enumerate(sample_questions(), start=1):
        group = sco.locator("fieldset").nth(n - 1)
        correct = question["correctOptionIds"]
        chosen = (
            correct
            if n <= right
            else [o["id"] for o in question["options"] if o["id"] not in correct][:1]
        )
        for option in question["options"]:
            if option["id"] in chosen:
                group.get_by_label(option["text"], exact=True).check()
    sco.get_by_role("button", name="Submit answers").click()
    sco.locator("#result").wait_for()
    values: dict[str, str] = page.evaluate("window.values")
    calls: list[list[str]] = page.evaluate("window.calls")
    assert calls[0] == ["LMSInitialize", ""]
    return values


def test_a_learner_who_answers_well_passes_in_the_lms(browser: Browser, lms: str) -> None:
    page = browser.new_page()
    values = answer(page, lms, right=5)
    assert values["cmi.core.lesson_status"] == "passed"
    assert (
        values["cmi.core.score.raw"],
        values["cmi.core.score.min"],
        values["cmi.core.score.max"],
    ) == ("100", "0", "100")
    assert '"submitted":true' in values["cmi.suspend_data"]
    page.evaluate("document.querySelector('iframe').remove()")  # the SCO unloads: it finishes
    calls: list[list[str]] = page.evaluate("window.calls")
    assert ["LMSFinish", ""] in calls
    session_time = page.evaluate("window.values['cmi.core.session_time']")
    assert len(session_time.split(":")) == 3
    page.close()


def test_a_learner_under_the_pass_mark_fails_in_the_lms(browser: Browser, lms: str) -> None:
    page = browser.new_page()
    values = answer(page, lms, right=3)
    assert values["cmi.core.lesson_status"] == "failed"
    assert values["cmi.core.score.raw"] == "60"
    page.close()
