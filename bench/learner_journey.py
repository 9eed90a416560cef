"""Learner journey: clicks and page loads for a new employee to finish the required track.

    uv run python bench/learner_journey.py                 # 1280 px wide
    uv run python bench/learner_journey.py --width 375     # a phone
    uv run python bench/learner_journey.py --width 1280 --width 375
    uv run python bench/learner_journey.py --locale en --locale ar --repeat 3  # in Arabic too

Everything runs on loopback (127.0.0.1) and stops by itself: every subprocess
has a timeout and every browser wait at most PAGE_TIMEOUT_MS.

It loads the demo data with the real `opsportal demo --no-serve` into a
temporary SQLite database, reads the demo logins from its output, and starts
`opsportal serve --no-scheduler` on a free loopback port. For each width a
fresh customer learner of Northwind (the demo customer's organisation, from
`GET /api/v1/me`) is made with `opsportal user create --password ...`; the
answer key of every quiz is read once, before the clock starts, with the demo
admin's API token (`GET /api/v1/training/courses/{id}/quiz`, which carries
correctOptionIds).

Then, in Debian's Chromium (headless, through Playwright), the learner does
what an employee would, typing no URL after the login page:
log in, follow "Training" in the navigation, open the first course of each
required track, "Take the quiz", tick the right answers, "Submit answers",
follow "Next course: ..." from the result page, and so on to the end, where
the result page offers "Get your certificate"; the journey ends on
My certificates. It always takes the shortest path the pages offer (no
"Mark as read" for a reading-only course, which does not count towards the
track; its "Next course" link is followed straight away). Those links and
buttons are found by their names in the language the pages speak (`--locale`),
worked out with `opsportal.i18n` from the same messages the templates
translate, and the form's fields by their names; a run stops if the pages do
not speak the language asked for.

Figures: courses visited, questions answered, clicks (every click on a link
or button and every ticked answer, which the table also counts on their own;
typing the email and password is not a click), page loads (the main frame's
`load` events, the login page included) and wall time from opening the login
page to My certificates. The figure walked by hand before the learner-flow work
is printed below the table for comparison; it was not measured by this script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The demo and CLI plumbing of the load benchmark beside this file (run as a script,
# bench/ is on the import path).
from load import Login, SetupError, free_port, load_demo, opsportal, running
from playwright.sync_api import Locator, Page, sync_playwright

from opsportal import i18n

CHROMIUM = os.environ.get("OPSPORTAL_CHROMIUM", "/usr/bin/chromium")
# Chromium as root in a closed network: no sandbox, no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PAGE_TIMEOUT_MS = 30_000
REQUEST_TIMEOUT_SECONDS = 10.0
# More steps than any track the demo has; a loop that does not reach the
# certificate stops here instead of running on.
MAX_STEPS = 200
PASSWORD = "journey-bench-pass"
BEFORE = (
    "before the learner-flow work (walked by hand, not measured by this script):"
    " 3 courses, 18 questions, 47 clicks, 17 page loads"
)


# (course id, question id) -> the ids of the right options
Key = dict[tuple[int, str], list[str]]


@dataclass
class Figures:
    width: int
    locale: str
    courses: int = 0
    questions: int = 0
    clicks: int = 0
    ticks: int = 0
    loads: int = 0
    seconds: float = 0.0


@contextmanager
def server(env: dict[str, str], folder: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with running(command, port=port, env=env, folder=folder) as (url, _):
        yield url


def api(client: httpx.Client, path: str, token: str) -> object:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise SetupError(f"GET {path}: HTTP {response.status_code} {response.text[:300]}")
    return response.json()


def answer_key(url: str, admin: str, learner: str) -> Key:
    """(course id, question id) -> the right option ids, for every quiz the learner can see."""
    key: Key = {}
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        tracks = api(client, "/api/v1/training/tracks", learner)
        assert isinstance(tracks, list)
        for track in tracks:
            for course in track["courses"]:
                if not course.get("quizId"):
                    continue
                quiz = api(client, f"/api/v1/training/courses/{course['id']}/quiz", admin)
                assert isinstance(quiz, dict)
                for question in quiz["questions"]:
                    key[(course["id"], question["id"])] = list(question["correctOptionIds"])
    return key


def make_learner(env: dict[str, str], org_id: int) -> Login:
    email = f"journey-{secrets.token_hex(4)}@northwind.example"
    out = opsportal(
        ["user", "create", "--email", email, "--name", "New Employee", "--role", "customer"]
        + ["--org", str(org_id), "--password", PASSWORD],
        env,
    )
    return Login(email, PASSWORD, json.loads(out)["token"])


class Words:
    """The names of the links and buttons the journey follows, in the language the pages speak:
    the same messages the templates translate, looked up in the same catalogue."""

    def __init__(self, locale: str) -> None:
        with i18n.using_locale(locale):
            self.language = i18n.language_tag(i18n.current_locale())
            self.log_in = i18n.gettext("Log in")
            self.training = i18n.gettext("Training")
            self.required = i18n.gettext("Required")
            self.take_quiz = i18n.gettext("Take the quiz")
            self.submit = i18n.gettext("Submit answers")
            self.certificate = i18n.gettext("Get your certificate")
            before, _, after = i18n.gettext("Next course: %(title)s").partition("%(title)s")
        # "Next course: <title>", whatever the title, in the language's own wording around it.
        self.next_course = re.compile(f"^{_spaced(before)}.+{_spaced(after)}$")


def _spaced(text: str) -> str:
    """`text` as a pattern that matches it with any white space where it has some: an accessible
    name has its spaces normalised (French puts a no-break space before a colon)."""
    return r"\s+".join(re.escape(word) for word in text.split())


class Journey:
    """Counts every click; page loads are counted by the page's own `load` events."""

    def __init__(self, page: Page, figures: Figures) -> None:
        self.page = page
        self.figures = figures
        self.words = Words(figures.locale)
        page.on("load", self._loaded)

    def _loaded(self, _page: Page) -> None:
        self.figures.loads += 1

    def go(self, locator: Locator) -> None:
        """Click something that loads a new page, and wait for it."""
        with self.page.expect_event("load"):
            locator.click()
        self.figures.clicks += 1

    def tick(self, locator: Locator) -> None:
        locator.check()
        self.figures.clicks += 1
        self.figures.ticks += 1

    def button(self, name: str) -> Locator:
        return self.page.locator("main").get_by_role("button", name=name, exact=True)

    def link(self, name: str | re.Pattern[str]) -> Locator:
        return self.page.locator("main").get_by_role("link", name=name)


def take_quiz(journey: Journey, key: Key) -> None:
    page = journey.page
    back = page.locator("main a[href^='/training/courses/']").first.get_attribute("href") or ""
    course_id = int(back.rsplit("/", 1)[-1])
    fieldsets = page.locator("main form fieldset")
    for i in range(fieldsets.count()):
        name = fieldsets.nth(i).locator("input").first.get_attribute("name") or ""
        question_id = name.removeprefix("q-")
        right = key.get((course_id, question_id))
        if right is None:
            raise SetupError(f"no key for question {question_id!r} of course {course_id}")
        for option in right:
            journey.tick(fieldsets.nth(i).locator(f"input[value='{option}']"))
        journey.figures.questions += 1
    journey.go(journey.button(journey.words.submit))
    if page.locator("main .stat.correct").count() == 0:
        raise SetupError(f"the quiz of course {course_id} was not passed: {page.url}")


def walk(page: Page, url: str, learner: Login, figures: Figures, key: Key) -> None:
    journey = Journey(page, figures)
    words = journey.words
    started = time.perf_counter()
    page.goto(f"{url}/login")
    spoken = page.locator("html").get_attribute("lang")
    if spoken != words.language:
        raise SetupError(f"the pages speak {spoken!r}, not {words.language!r} as asked")
    # The fields by their names: their labels are in the page's language.
    page.locator("input[name=email]").fill(learner.email)
    page.locator("input[name=password]").fill(learner.password)
    journey.go(journey.button(words.log_in))
    navigation = page.get_by_role("navigation")
    journey.go(navigation.get_by_role("link", name=words.training, exact=True))
    badge = page.locator(".badge", has_text=words.required)
    required = page.locator("main section").filter(has=badge)
    if required.count() == 0:
        raise SetupError("the Training page shows no required track")
    journey.go(required.first.locator("ol a").first)
    for _ in range(MAX_STEPS):
        if page.url.endswith("/login"):
            raise SetupError("logged out during the journey")
        if "/training/courses/" in page.url:
            figures.courses += 1
            start = journey.button(words.take_quiz)
            if start.count():
                journey.go(start)
                take_quiz(journey, key)
            else:
                journey.go(journey.link(words.next_course))
                continue
        claim = journey.button(words.certificate)
        if claim.count():
            journey.go(claim)
            break
        journey.go(journey.link(words.next_course))
    else:
        raise SetupError(f"no certificate after {MAX_STEPS} steps")
    if "/certificates" not in page.url:
        raise SetupError(f"the claim ended on {page.url}, not on My certificates")
    figures.seconds = time.perf_counter() - started


def run(widths: list[int], locales: list[str], repeat: int) -> list[Figures]:
    results = []
    with tempfile.TemporaryDirectory(prefix="opsportal-journey-") as folder:
        env = {
            **os.environ,
            "OPSPORTAL_DATABASE_URL": f"sqlite:///{Path(folder) / 'journey.db'}",
            "OPSPORTAL_SCHEDULER_ENABLED": "0",
        }
        print("loading the demo data ...", file=sys.stderr)
        logins = load_demo(env)
        with server(env, Path(folder)) as url, sync_playwright() as playwright:
            with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
                me = api(client, "/api/v1/me", logins["customer"].token)
            assert isinstance(me, dict)
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                # Rounds of every width and locale in turn, so that a slower moment of the
                # machine falls on each of them alike.
                for _ in range(repeat):
                    for width in widths:
                        for locale in locales:
                            learner = make_learner(env, int(me["organizationId"]))
                            key = answer_key(url, logins["admin"].token, learner.token)
                            # The browser's language is its Accept-Language: the pages' own.
                            context = browser.new_context(
                                viewport={"width": width, "height": 900}, locale=locale
                            )
                            context.set_default_timeout(PAGE_TIMEOUT_MS)
                            figures = Figures(width, locale)
                            try:
                                walk(context.new_page(), url, learner, figures, key)
                            finally:
                                context.close()
                            results.append(figures)
            finally:
                browser.close()
    return results


def table(results: list[Figures]) -> None:
    header = (
        "width", "locale", "courses", "questions", "clicks", "of them answers", "page loads", "wall"
    )  # fmt: skip
    widths = (6, 6, 8, 10, 7, 16, 11, 8)
    print(" ".join(f"{h:>{n}}" for h, n in zip(header, widths, strict=True)))
    for f in results:
        print(
            f"{f.width:>4}px {f.locale:>6} {f.courses:>8} {f.questions:>10} {f.clicks:>7}"
            f" {f.ticks:>16} {f.loads:>11} {f.seconds:>7.2f}s"
        )
    print(BEFORE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--width",
        type=int,
        action="append",
        help="viewport width in px (repeat for several; default 1280)",
    )
    parser.add_argument(
        "--locale",
        action="append",
        help="the browser's language, sent as Accept-Language (repeat for several; default en)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of every width and locale (default 1)"
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        results = run(args.width or [1280], args.locale or ["en"], max(1, args.repeat))
    except SetupError as error:
        raise SystemExit(f"journey failed: {error}") from None
    table(results)


if __name__ == "__main__":
    main()
