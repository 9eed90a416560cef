"""The learner's side of training under a pseudo-locale: no English sentence is left
unmarked for translation on its pages (tests/i18n_probe.py says how that is told).

The data is Greek and Cyrillic on purpose, so whatever English remains is the
pages' own words. One journey walks every page: assigned a timed quiz, the
learner fails, passes, claims the certificate; the manager assigns, reminds and
reads the report; the admin grants extra time and reads the quiz's statistics.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Role
from opsportal.models.base import utcnow
from opsportal.training.certificates import credential_filename
from tests.factories import (
    create_course,
    create_organization,
    create_quiz,
    create_track,
    create_user,
)
from tests.i18n_probe import LANGUAGE_NAMES, leftover_english, pseudo_locale
from tests.pages import PASSWORD, log_in, post_form

EMAILS = ("irina@delta.test", "giorgos@delta.test", "root@delta.test")


def greek_questions() -> list[dict[str, Any]]:
    return [
        {
            "id": "q1",
            "question": "Ποιος μπορεί να καλέσει;",
            "type": "MULTIPLE_CHOICE",
            "options": [{"id": "a", "text": "Όλοι"}, {"id": "b", "text": "Κανείς"}],
            "correctOptionIds": ["a"],
            "explanation": "Όλοι μπορούν.",
        },
        {
            "id": "q2",
            "question": "Ποια ισχύουν;",
            "type": "MULTI_SELECT",
            "options": [{"id": "c", "text": "Άλφα"}, {"id": "d", "text": "Βήτα"}],
            "correctOptionIds": ["c", "d"],
        },
    ]


def english_left(
    page: str, *, within: str | None = "main", allowed: tuple[str, ...] = ()
) -> list[str]:
    return leftover_english(page, within=within, allowed=EMAILS + allowed)


def attempt_id(response: Any) -> int:
    match = re.fullmatch(r"/training/attempts/(\d+)", response.headers["location"])
    assert match, response.headers.get("location")
    return int(match.group(1))


@pytest.fixture
def world(session: Session, settings: Settings) -> dict[str, Any]:
    delta = create_organization(session, name="Δέλτα ΑΕ")
    learner, _ = create_user(
        session, organization=delta, email=EMAILS[0], name="Ирина Петрова", password=PASSWORD
    )
    manager, _ = create_user(
        session,
        role=Role.CUSTOMER_ADMIN,
        organization=delta,
        email=EMAILS[1],
        name="Γιώργος",
        password=PASSWORD,
    )
    admin, _ = create_user(
        session, role=Role.ADMIN, email=EMAILS[2], name="Ρίζα", password=PASSWORD
    )
    track = create_track(session, settings=settings, name="Ωμέγα")
    course = create_course(session, track=track, title="Κεφάλαιο", content="# Ωμέγα\n\nΚείμενο.")
    quiz = create_quiz(
        session,
        course=course,
        questions=greek_questions(),
        timeLimitMinutes=10,
        maxAttempts=3,
        shuffleQuestions=True,
        revealAnswers="ALWAYS",
    )
    other = create_track(session, settings=settings, name="Σίγμα")
    waiting = create_quiz(
        session,
        course=create_course(session, track=other, title="Αναμονή", content="Κείμενο."),
        questions=greek_questions(),
        cooldownMinutes=60,
        maxAttempts=1,
    )
    return {
        "learner": learner,
        "manager": manager,
        "admin": admin,
        "organization": delta,
        "track": track,
        "course": course,
        "quiz": quiz,
        "other": other,
        "waiting": waiting,
    }


def test_the_learner_pages_leave_no_english_unmarked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, world: dict[str, Any]
) -> None:
    pseudo_locale(monkeypatch)
    org, quiz, course = world["organization"], world["quiz"], world["course"]
    report = f"/training/compliance/organizations/{org.id}"
    pages: dict[str, str] = {}
    due_on = (utcnow().date() + timedelta(days=30)).isoformat()

    # The manager assigns both tracks and reminds the learner.
    log_in(client, world["manager"].email)
    pages["assign form"] = client.get(f"{report}/assign").text
    for track in (world["track"], world["other"]):
        assigned = post_form(
            client,
            f"{report}/assign",
            from_page=f"{report}/assign",
            data={"track_id": str(track.id), "due_on": due_on, "scope": "all"},
        )
        assert assigned.status_code == 303
    pages["report after assigning"] = client.get(report).text
    post_form(client, f"{report}/remind", from_page=report)
    pages["report after reminding"] = client.get(report).text
    missing = post_form(
        client, f"{report}/assign", from_page=f"{report}/assign", data={"scope": "chosen"}
    )
    assert missing.status_code == 422
    pages["assign form with an error"] = missing.text

    # The admin gives the learner extra time.
    log_in(client, world["admin"].email)
    user_page = f"/admin/users/{world['learner'].id}"
    post_form(
        client,
        f"{user_page}/extra-time",
        from_page=user_page,
        data={"kind": "multiplier", "amount": "1.5"},
    )
    extra_time = client.get(user_page).text

    # The learner: catalogue, course, a timed quiz left incomplete, failed, then passed.
    log_in(client, world["learner"].email)
    pages["catalogue"] = client.get("/training").text
    pages["course"] = client.get(f"/training/courses/{course.id}").text
    start = f"/training/quizzes/{quiz.id}/start"
    first = attempt_id(post_form(client, start, from_page=f"/training/courses/{course.id}"))
    pages["quiz"] = client.get(f"/training/attempts/{first}").text
    submit = f"/training/attempts/{first}/submit"
    incomplete = post_form(
        client, submit, from_page=submit.removesuffix("/submit"), data={"q-q1": "b"}
    )
    assert incomplete.status_code == 200
    pages["quiz, incomplete"] = incomplete.text
    post_form(
        client, submit, from_page=submit.removesuffix("/submit"), data={"q-q1": "b", "confirm": "1"}
    )
    pages["result, failed"] = client.get(f"/training/attempts/{first}").text
    second = attempt_id(post_form(client, start, from_page=f"/training/courses/{course.id}"))
    post_form(
        client,
        f"/training/attempts/{second}/submit",
        from_page=f"/training/attempts/{second}",
        data={"q-q1": "a", "q-q2": ["c", "d"]},
    )
    pages["result, passed"] = client.get(f"/training/attempts/{second}").text

    # A quiz whose one attempt is used: the course says so.
    waiting = world["waiting"]
    used = attempt_id(
        post_form(client, f"/training/quizzes/{waiting.id}/start", from_page="/training")
    )
    post_form(
        client,
        f"/training/attempts/{used}/submit",
        from_page=f"/training/attempts/{used}",
        data={"q-q1": "a", "confirm": "1"},
    )
    pages["course, no attempts left"] = client.get(f"/training/courses/{waiting.course_id}").text

    # The certificate: claimed, listed, shown, verified; and a code that is no certificate's.
    claimed = post_form(
        client, f"/training/tracks/{world['track'].id}/certificate", from_page="/training"
    )
    assert claimed.status_code == 303
    pages["certificates, just claimed"] = client.get("/certificates").text
    pages["catalogue, certified"] = client.get("/training").text
    certificate_id = int(claimed.headers["location"].rsplit("-", 1)[1])
    pages["certificate"] = certificate = client.get(f"/certificates/{certificate_id}").text
    number = re.search(r"CERT-\d{4}-\d{5}", certificate)
    code = re.search(r'href="/verify/([^"]+)"', certificate)
    assert number and code
    badge_file = credential_filename(number.group(0), "Ωμέγα")
    pages["verification"] = client.get(f"/verify/{code.group(1)}").text
    pages["verification, unknown code"] = client.get("/verify/no-such-code").text

    # The manager's view of the learner, and the staff's overview and quiz pages.
    log_in(client, world["manager"].email)
    pages["learner's training"] = client.get(f"{report}/users/{world['learner'].id}").text
    log_in(client, world["admin"].email)
    pages["overview"] = client.get("/training/compliance?q=Δέλτα").text
    pages["statistics"] = client.get(f"/admin/quizzes/{quiz.id}/statistics").text
    pages["regrade"] = client.get(f"/admin/quizzes/{quiz.id}/regrade").text
    pages["SCORM upload"] = client.get(f"/admin/tracks/{world['track'].id}/scorm/new").text

    allowed = (badge_file, *LANGUAGE_NAMES)
    left = {name: english_left(html, allowed=allowed) for name, html in pages.items()}
    left["extra time section"] = english_left(extra_time, within="extra-time")
    assert {name: found for name, found in left.items() if found} == {}
    # The pages were the real ones, marked: not error pages, not empty.
    assert all("⟦" in html for html in pages.values())
    assert "data-countdown-text" in pages["quiz"]


def test_the_probe_finds_an_unmarked_sentence() -> None:
    page = (
        '<main id="main"><h1>⟦Training⟧</h1><p>Left behind here.</p>'
        '<button data-copied="Copied">⟦Copy⟧</button>'
        '<script type="application/json">{"a": "\\u27e6Time⟧", "b": "Time is up"}</script>'
        "<p>⟦Due %(date)s · ⟦Overdue⟧⟧ CERT-1 UTC</p></main><footer>Not read</footer>"
    )
    assert leftover_english(page) == ["Left behind here.", "Copied", "Time is up"]
    assert leftover_english(page, allowed=("Left behind here.", "Copied", "Time is up")) == []
