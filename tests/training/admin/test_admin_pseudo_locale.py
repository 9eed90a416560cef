"""The admin pages under a pseudo-translation: every message comes back as `[[message]]`, so
any English left outside the markers is a string nobody marked for translation.

The pages' own data (names, titles, questions) is written in Greek here, so that what is
left once the markers are taken out must hold no Latin letter at all; the few Latin tokens
that are data or formats, not words to translate, are removed first (see `_leftovers`).
Only `<main>` and the page's own part of `<title>` are read: the header, the navigation and
the footer come from base.html, which is not the admin area's.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from babel.support import NullTranslations
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import QuestionType, RevealAnswers, Role, Track, TrackLevel, TrackType, User
from opsportal.training.admin.labels import name_of
from opsportal.training.admin.repository import ATTEMPT_STATUSES
from opsportal.training.admin.service import LEARNER_STATUSES
from opsportal.training.certificates import CertificateStatus
from opsportal.web import i18n
from tests.factories import (
    certify,
    create_course,
    create_customer,
    create_quiz,
    create_track,
    create_user,
    pass_quiz,
)
from tests.i18n_probe import LANGUAGE_NAMES
from tests.pages import PASSWORD, log_in, post_form


class Pseudo(NullTranslations):
    """Every message wrapped in markers, placeholders kept: `[[Hello %(name)s]]`."""

    def gettext(self, message: str) -> str:
        return f"[[{message}]]"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"[[{singular if n == 1 else plural}]]"

    def pgettext(self, context: str, message: str) -> str:
        return f"[[{message}]]"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return f"[[{singular if n == 1 else plural}]]"


def use_pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every locale's catalogue is the pseudo one, wherever `gettext` looks it up."""
    catalogue = Pseudo()
    for module in {i18n, sys.modules[i18n.gettext.__module__]}:
        monkeypatch.setattr(module, "translations", lambda locale: catalogue)


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    use_pseudo(monkeypatch)


# Attributes people read or hear; the others (ids, names, values) are the page's machinery.
_SEEN_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}


class _Seen(HTMLParser):
    """The text of `<main>` and `<title>` as one reads or hears it, attributes included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.main: list[str] = []
        self.title: list[str] = []
        self._in_main = 0
        self._in_title = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self._in_main += 1
        elif tag == "title":
            self._in_title = True
        elif tag in ("script", "style"):
            self._in_script = True
        if self._in_main:
            for name, value in attrs:
                if value and (name in _SEEN_ATTRIBUTES or name.startswith("data-said-")):
                    self.main.append(f" {value} ")
                if value and name in ("data-true", "data-false"):
                    self.main.append(f" {value} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in ("script", "style"):
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            return
        if self._in_title:
            self.title.append(data)
        elif self._in_main:
            self.main.append(data)


def _leftovers(html: str, *data: str) -> list[str]:
    """The Latin words of the page outside every `[[...]]`, once `data` is taken out."""
    seen = _Seen()
    seen.feed(html)
    title = "".join(seen.title).removesuffix(" · opsportal")
    text = title + " " + "".join(seen.main)
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    text = re.sub(r"\S+@\S+", " ", text)  # email addresses
    text = re.sub(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2} UTC)?", " ", text)  # the `date` filter's
    while True:  # markers nest: a translated field name inside a translated sentence
        unwrapped = re.sub(r"\[\[(?:(?!\[\[|\]\]).)*\]\]", " ", text, flags=re.DOTALL)
        if unwrapped == text:
            break
        text = unwrapped
    return re.findall(r"[A-Za-z][A-Za-z'’]*", text)


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD, name="Αδα")
    assert log_in(client, user.email).status_code == 303
    return user


GREEK_QUESTIONS = [
    {
        "id": "q1",
        "question": "Δώρο από προμηθευτή;",
        "type": "MULTIPLE_CHOICE",
        "options": [{"id": "a", "text": "Δέχομαι"}, {"id": "b", "text": "Αρνούμαι"}],
        "correctOptionIds": ["b"],
        "explanation": "Ποτέ.",
    },
    {
        "id": "q2",
        "question": "Επιτρέπεται;",
        "type": "TRUE_FALSE",
        "options": [{"id": "a", "text": "Ναι"}, {"id": "b", "text": "Όχι"}],
        "correctOptionIds": ["b"],
    },
]


CONTENT = "# Καλώς ήρθατε\n\nΔιαβάστε."


@dataclass(frozen=True)
class Scene:
    track: int
    course: int  # the one with a quiz
    certificate: int
    data: tuple[str, ...]  # what the pages show of the data that has Latin letters


@pytest.fixture
def scene(session: Session, settings: Settings) -> Scene:
    """A published track with every kind of course a track's page tells apart, a learner
    certified and one who failed."""
    track = create_track(session, name="Δεοντολογία", is_active=True)
    track.description = "Περιγραφή."
    track.is_required = True
    with_quiz = create_course(session, track=track, title="Μάθημα ένα", content=CONTENT)
    quiz = create_quiz(session, course=with_quiz, questions=GREEK_QUESTIONS, maxAttempts=3)
    certified, halfway = create_customer(session), create_customer(session)
    for n, customer in enumerate((certified, halfway)):
        customer.user.name = f"Μαθητής {n}"
        customer.organization.name = f"Οργανισμός {n}"
    session.flush()
    session.expire_all()  # the course above still holds the quiz it had before: none
    pass_quiz(session, user=halfway.user, quiz=quiz, passed=False)
    certificate = certify(
        session, user=certified.user, track=track, quizzes=[quiz], settings=settings
    )
    create_course(session, track=track, title="Μάθημα δύο", content=CONTENT)  # no quiz yet
    create_course(session, track=track, title="Κρυφό", is_active=False, content=CONTENT)
    session.flush()
    return Scene(
        track=track.id,
        course=with_quiz.id,
        certificate=certificate.id,
        data=(track.slug, certificate.certificate_number),
    )


def _assert_translated(html: str, scene: Scene) -> None:
    left = _leftovers(html, *scene.data, *LANGUAGE_NAMES)
    assert not left, f"English outside the markers: {left}"


def test_the_track_page_has_no_unmarked_english(
    client: TestClient,
    session: Session,
    admin: User,
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"/admin/tracks/{scene.track}"
    # Read in English first: what a page says is worked out at each render, never once
    # for all when its template is compiled.
    assert "[[" not in client.get(url).text
    use_pseudo(monkeypatch)
    page = client.get(url)
    assert page.status_code == 200
    assert "[[Add course]]" in page.text and "[[Edit track]]" in page.text
    _assert_translated(page.text, scene)
    # A draft with a course lacking its quiz: the other half of the page, and Publish refused.
    track = session.get(Track, scene.track)
    assert track is not None
    track.is_active = False
    session.flush()
    refused = post_form(client, f"{url}/publish", from_page=url)
    assert refused.status_code == 409
    assert "[[Add a quiz to every course before publishing the track:" in refused.text
    _assert_translated(refused.text, scene)


BROKEN_QUIZ = {
    "title": "",
    "passThreshold": "120",
    "maxAttempts": "0",
    "questionsPerAttempt": "x",
    "revealAnswers": "NEVER",
    "questionCount": "3",
    "action": "save",
    # Two correct answers to one question, an option id twice, no question text.
    "questions.0.id": "q1",
    "questions.0.question": "",
    "questions.0.type": "MULTIPLE_CHOICE",
    "questions.0.optionCount": "2",
    "questions.0.options.0.id": "a",
    "questions.0.options.0.text": "Α",
    "questions.0.options.0.correct": "on",
    "questions.0.options.1.id": "a",
    "questions.0.options.1.text": "Β",
    "questions.0.options.1.correct": "on",
    # A question id twice, a true/false question with one option and no answer.
    "questions.1.id": "q1",
    "questions.1.question": "Σωστό;",
    "questions.1.type": "TRUE_FALSE",
    "questions.1.optionCount": "1",
    "questions.1.options.0.id": "a",
    "questions.1.options.0.text": "Ναι",
    # An option too long, and no correct answer.
    "questions.2.id": "q3",
    "questions.2.question": "Ποια;",
    "questions.2.type": "MULTI_SELECT",
    "questions.2.optionCount": "1",
    "questions.2.options.0.id": "a",
    "questions.2.options.0.text": "Ε" * 2001,
}


def test_the_quiz_builder_has_no_unmarked_english(
    client: TestClient, admin: User, scene: Scene, pseudo: None
) -> None:
    url = f"/admin/courses/{scene.course}/quiz"
    page = client.get(url)
    assert page.status_code == 200
    _assert_translated(page.text, scene)
    # The script's words come from the page; a choice keeps its code as its value.
    assert 'data-said-question-added="[[Question {question} added.]]"' in page.text
    assert 'data-true="[[True]]" data-false="[[False]]"' in page.text
    assert '<option value="TRUE_FALSE" selected>[[True / false' in page.text
    assert '<option value="NEVER" >[[Never]]</option>' in page.text
    # Every kind of error, at its field and in the summary, in the reader's language too.
    refused = post_form(client, url, from_page=url, data=BROKEN_QUIZ)
    assert refused.status_code == 422
    assert refused.text.count('class="field-error"') >= 8
    assert "[[Question id %(id)s is used twice.]]" not in refused.text  # filled in
    assert "[[Question id &#39;q1&#39; is used twice.]]" in refused.text
    _assert_translated(refused.text, scene)
    # A row added without script: the blank question's words.
    added = post_form(client, url, from_page=url, data={**BROKEN_QUIZ, "action": "add-question"})
    assert added.status_code == 200 and 'name="questions.3.question"' in added.text
    _assert_translated(added.text, scene)


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/admin/tracks/new",
        "/admin/tracks/{track}/edit",
        "/admin/tracks/{track}/unpublish",
        "/admin/tracks/{track}/courses/new",
        "/admin/courses/{course}/edit",
        "/admin/tracks/{track}/learners",
        "/admin/tracks/{track}/attempts",
        "/admin/certificates",
        "/admin/certificates/{certificate}/revoke",
        "/admin/xapi",
    ],
)
def test_every_other_admin_page_has_no_unmarked_english(
    client: TestClient, admin: User, scene: Scene, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    url = path.format(track=scene.track, course=scene.course, certificate=scene.certificate)
    assert "[[" not in client.get(url).text  # English first, as on the track page
    use_pseudo(monkeypatch)
    page = client.get(url)
    assert page.status_code == 200
    _assert_translated(page.text, scene)


def test_refused_forms_and_what_a_saved_one_says_are_translated(
    client: TestClient, admin: User, scene: Scene, pseudo: None
) -> None:
    slug = scene.data[0]
    new_track = {"name": "Νέο", "slug": slug, "version": "1.0", "type": "CUSTOMER"}
    refused = post_form(
        client,
        "/admin/tracks",
        from_page="/admin/tracks/new",
        data={**new_track, "name": "", "version": "x", "level": "NOPE",
              "estimatedMinutes": "-1", "validityDays": "x"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert '<option value="FOUNDATION" >[[Foundation]]</option>' in refused.text
    _assert_translated(refused.text, scene)
    taken = post_form(
        client,
        "/admin/tracks",
        from_page="/admin/tracks/new",
        data={**new_track, "level": "FOUNDATION"},
    )
    assert f"[[A track with slug &#39;{slug}&#39; already exists.]]" in taken.text
    _assert_translated(taken.text, scene)
    course_form = f"/admin/tracks/{scene.track}/courses/new"
    course = {"title": "Νέο μάθημα", "content": "# Τίτλος"}
    preview = post_form(
        client,
        f"/admin/tracks/{scene.track}/courses",
        from_page=course_form,
        data={**course, "action": "preview"},
    )
    _assert_translated(preview.text, scene)
    saved = post_form(
        client,
        f"/admin/tracks/{scene.track}/courses",
        from_page=course_form,
        data={**course, "action": "save"},
    )
    assert saved.status_code == 303
    assert "[[Course “Νέο μάθημα” added.]]" in client.get(saved.headers["location"]).text
    revoke = f"/admin/certificates/{scene.certificate}/revoke"
    empty = post_form(client, revoke, from_page="/admin/certificates", data={"reason": " "})
    assert empty.status_code == 422
    _assert_translated(empty.text, scene)
    done = post_form(client, revoke, from_page="/admin/certificates", data={"reason": "Λάθος"})
    listing = client.get(done.headers["location"]).text
    assert f"[[Certificate {scene.data[1]} revoked: “Λάθος”.]]" in listing
    _assert_translated(listing, scene)
    again = post_form(client, revoke, from_page="/admin/certificates", data={"reason": "Ξανά"})
    assert again.status_code == 409
    _assert_translated(again.text, scene)


def test_the_api_keeps_its_english_while_the_pages_translate(
    client: TestClient, admin_headers: dict[str, str], scene: Scene, pseudo: None
) -> None:
    """The same broken quiz: the page says it translated (above), the API in English."""
    questions = [
        {
            "id": "q1",
            "question": "Ένα;",
            "type": "MULTIPLE_CHOICE",
            "options": [{"id": "a", "text": "Α"}, {"id": "a", "text": "Β"}],
            "correctOptionIds": ["a"],
        }
    ]
    response = client.put(
        f"/api/v1/training/courses/{scene.course}/quiz",
        json={"passThreshold": "0.8", "questions": questions},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "questions.0.options.1.id",
            "message": "Option id 'a' is used twice in question 'q1'.",
        }
    ]
    taken = client.post(
        "/api/v1/training/tracks",
        json={"name": "Νέο", "slug": scene.data[0], "version": "1.0", "type": "CUSTOMER",
              "level": "FOUNDATION"},
        headers=admin_headers,
    )  # fmt: skip
    assert taken.status_code == 409
    assert taken.json()["detail"] == f"A track with slug '{scene.data[0]}' already exists."


@pytest.mark.parametrize(
    ("kinds", "codes"),
    [
        (("track type", "track type choice", "track audience"), [t.value for t in TrackType]),
        (("track level", "track level in lists"), [level.value for level in TrackLevel]),
        (("question type",), [q.value for q in QuestionType]),
        (("reveal answers",), [r.value for r in RevealAnswers]),
        (("certificate status", "certificate status choice"), list(CertificateStatus)),
        (("learner status", "learner status choice"), list(LEARNER_STATUSES)),
        (("attempt status", "attempt status choice"), list(ATTEMPT_STATUSES)),
    ],
)
def test_every_code_a_page_shows_has_a_translated_name(
    kinds: tuple[str, ...], codes: list[str], pseudo: None
) -> None:
    for kind in kinds:
        for code in codes:
            assert re.fullmatch(r"\[\[[^\[\]]+\]\]", name_of(code, kind)), (kind, code)
