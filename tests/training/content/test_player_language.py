"""The SCORM player in the learner's language: the portal's play page hands its language
to the runtime frame (which, on the content origin, has no session to read it from),
and the frame speaks it, right to left where the language is."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.training.content import pages
from tests.i18n_probe import leftover_english, pseudo_locale
from tests.pages import log_in, post_form
from tests.training.content.conftest import CONTENT
from tests.training.content.test_runtime import launch, learner, scorm_track


def frame_url(client: TestClient, course_id: int) -> str:
    post_form(
        client,
        f"/training/courses/{course_id}/launch",
        from_page=f"/training/courses/{course_id}/play",
    )
    page = client.get(f"/training/courses/{course_id}/play").text
    match = re.search(r'<iframe class="scorm-frame" src="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def test_the_play_page_passes_its_language_and_english_stays_as_it_was(
    scorm_client: TestClient,
    session: Session,
    content_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, course_id = scorm_track(session, content_settings, "2004")
    principal, _ = learner(session)
    log_in(scorm_client, principal.email)
    english = frame_url(scorm_client, course_id)
    assert re.fullmatch(rf"{CONTENT}/scorm/[\w-]+/", english)

    monkeypatch.setattr(pages, "current_locale", lambda: "ar")
    arabic = frame_url(scorm_client, course_id)
    assert arabic.endswith("/?lang=ar")


@pytest.mark.parametrize(("lang", "direction"), [("ar", ' dir="rtl"'), ("de", "")])
def test_the_frame_speaks_the_language_it_is_given(
    scorm_client: TestClient,
    session: Session,
    content_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    direction: str,
) -> None:
    _, course_id = scorm_track(session, content_settings, "1.2")
    principal, _ = learner(session)
    token = launch(session, principal, course_id)
    english = scorm_client.get(f"{CONTENT}/scorm/{token}/").text
    assert '<html lang="en">' in english
    assert "<title>Course player</title>" in english
    assert 'data-saved-message="Your progress is saved. You can close this course."' in english

    pseudo_locale(monkeypatch)
    frame = scorm_client.get(f"{CONTENT}/scorm/{token}/?lang={lang}").text
    assert f'<html lang="{lang}"{direction}>' in frame
    assert leftover_english(frame, within=None, allowed=("Test SCO course",)) == []
    assert "⟦Your progress is saved. You can close this course.⟧" in frame
    # A language the portal does not ship is English, never echoed into the page.
    odd = scorm_client.get(f"{CONTENT}/scorm/{token}/?lang=%22%3E%3Cscript%3E").text
    assert '<html lang="en">' in odd and "<script>" not in odd.split("</head>")[0]
