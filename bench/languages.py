"""Languages: what a learner's pages cost to serve in each locale, against English.

    uv run python bench/languages.py                  # 60 rounds
    uv run python bench/languages.py --rounds 200

Everything runs on loopback (127.0.0.1) and stops by itself: every subprocess
has a timeout, every request REQUEST_TIMEOUT_SECONDS.

It loads the demo data with the real `opsportal demo --no-serve` into a
temporary SQLite database and starts `opsportal serve --no-scheduler` with the
pseudo-locale on (`OPSPORTAL_PSEUDO_LOCALE=1`). The demo customer signs in
through the login form. Then, round after round, the learner's pages
(Training, a course, My certificates, Notifications) are fetched once in each
locale, in turn: `en` (the yardstick: no catalogue), `de` and `ar` (their
catalogues; `ar` right to left), and `en-XA`, the pseudo-locale, whose
catalogue translates every message: what a language costs once all of it is
translated. The locale is the request's Accept-Language, as a browser sends it.

Figures: per locale, the median and 95th percentile of the server's answer
time over every page and round, and each against English.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

# The demo and CLI plumbing of the load benchmark beside this file (run as a script,
# bench/ is on the import path).
from load import SetupError, free_port, load_demo, running, session_cookie

REQUEST_TIMEOUT_SECONDS = 10.0
LOCALES = ("en", "de", "ar", "en-XA")
PAGES = ("/training", "/certificates", "/notifications")


def first_course(client: httpx.Client) -> str:
    page = client.get("/training").text
    found = re.search(r'href="(/training/courses/\d+)"', page)
    if found is None:
        raise SetupError("the Training page links no course")
    return found.group(1)


def measure(url: str, cookie: str, rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {locale: [] for locale in LOCALES}
    headers = {"Cookie": cookie}
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS, headers=headers) as client:
        pages = (*PAGES, first_course(client))
        for locale in LOCALES:  # warm every locale's catalogue and templates first
            for page in pages:
                client.get(page, headers={"Accept-Language": locale})
        for round_ in range(rounds):
            # Each round starts with another locale, so none always goes first.
            shift = round_ % len(LOCALES)
            for locale in LOCALES[shift:] + LOCALES[:shift]:
                for page in pages:
                    started = time.perf_counter()
                    answer = client.get(page, headers={"Accept-Language": locale})
                    elapsed = time.perf_counter() - started
                    if answer.status_code != 200:
                        raise SetupError(f"GET {page} in {locale}: HTTP {answer.status_code}")
                    tag = locale.replace("_", "-")
                    if f'lang="{tag}"' not in answer.text[:200]:
                        raise SetupError(f"GET {page} did not answer in {locale}")
                    timings[locale].append(elapsed)
    return timings


def table(timings: dict[str, list[float]]) -> None:
    base = statistics.median(timings["en"])
    print(f"{'locale':>7} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs en':>10}")
    for locale, samples in timings.items():
        ordered = sorted(samples)
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"{locale:>7} {len(samples):>9} {p50 * 1000:>8.2f} {p95 * 1000:>8.2f}"
            f" {p50 / base - 1:>+9.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60, help="rounds of every page and locale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsportal-languages-") as folder:
        env = {
            **os.environ,
            "OPSPORTAL_DATABASE_URL": f"sqlite:///{Path(folder) / 'languages.db'}",
            "OPSPORTAL_SCHEDULER_ENABLED": "0",
            "OPSPORTAL_PSEUDO_LOCALE": "1",
        }
        print("loading the demo data ...", file=sys.stderr)
        try:
            logins = load_demo(env)
            port = free_port()
            command = [sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler"]
            command += ["--host", "127.0.0.1", "--port", str(port)]
            with running(command, port=port, env=env, folder=Path(folder)) as (url, _):
                cookie = session_cookie(url, logins["customer"], "/training")
                timings = measure(url, cookie, max(1, args.rounds))
        except SetupError as error:
            raise SystemExit(f"languages benchmark failed: {error}") from None
    table(timings)


if __name__ == "__main__":
    main()
