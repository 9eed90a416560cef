"""Training benchmark: quiz-submit throughput and certificate PDF render time.

    uv run python bench/training.py                      # own server, temp SQLite
    uv run python bench/training.py --database-url postgresql://postgres@127.0.0.1/bench
    uv run python bench/training.py --url http://127.0.0.1:8000 \
        --admin-token ops_... --user-token ops_...       # a server you already run

By default it starts its own `opsportal serve --no-scheduler` on a free
loopback port against a fresh temporary SQLite database (or the database
given with --database-url, which it migrates), creates an admin and a learner
there, and stops the server at the end. With --url it starts nothing and talks
to that server with the tokens given (an admin's, to author the bench track,
and a learner's).

It prints:
- quiz submits per second: N attempts are started first (not timed), then
  their submits are sent by C concurrent clients and timed wall-clock;
- PDF render milliseconds, median of 50, in-process (`render_pdf` only) and
  over HTTP (`GET /api/v1/training/certificates/{id}/pdf`).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

QUESTIONS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str) -> tuple[subprocess.Popen[bytes], str, str, str]:
    from opsportal.auth.service import create_user, issue_token
    from opsportal.db import make_engine, make_session_factory, session_scope
    from opsportal.migrate import upgrade
    from opsportal.models import Role

    upgrade(database_url)
    factory = make_session_factory(make_engine(database_url))
    suffix = uuid.uuid4().hex[:8]
    with session_scope(factory) as session:
        admin = create_user(
            session, email=f"bench-admin-{suffix}@example.test", name="Bench Admin", role=Role.ADMIN
        )
        learner = create_user(
            session,
            email=f"bench-user-{suffix}@example.test",
            name="Zoë Łukasz-Ångström",
            role=Role.INTERNAL,
        )
        admin_token = issue_token(session, user=admin, label="bench")
        user_token = issue_token(session, user=learner, label="bench")
    port = free_port()
    env = {**os.environ, "OPSPORTAL_DATABASE_URL": database_url, "OPSPORTAL_SCHEDULER_ENABLED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("the server did not start")
        time.sleep(0.1)
    return process, url, admin_token, user_token


def questions() -> list[dict[str, Any]]:
    return [
        {
            "id": f"q{i}",
            "question": f"Question {i}?",
            "type": "MULTI_SELECT" if i % 2 else "MULTIPLE_CHOICE",
            "options": [{"id": o, "text": f"Option {o}"} for o in "abcd"],
            "correctOptionIds": ["a", "c"] if i % 2 else ["b"],
            "explanation": "Because.",
        }
        for i in range(QUESTIONS)
    ]


def author(client: httpx.Client, admin: dict[str, str]) -> tuple[int, int]:
    slug = f"bench-{uuid.uuid4().hex[:10]}"
    track = client.post(
        "/api/v1/training/tracks",
        json={"name": f"Bench {slug}", "slug": slug, "type": "CUSTOMER", "level": "FOUNDATION"},
        headers=admin,
    )
    track.raise_for_status()
    course = client.post(
        f"/api/v1/training/tracks/{track.json()['id']}/courses",
        json={"title": "Bench course", "content": "# Bench"},
        headers=admin,
    )
    course.raise_for_status()
    quiz = client.put(
        f"/api/v1/training/courses/{course.json()['id']}/quiz",
        json={"questions": questions()},
        headers=admin,
    )
    quiz.raise_for_status()
    return int(track.json()["id"]), int(quiz.json()["id"])


def bench_submits(url: str, user: dict[str, str], quiz_id: int, count: int, workers: int) -> float:
    answers = [
        {"questionId": q["id"], "selectedOptionIds": q["correctOptionIds"]} for q in questions()
    ]
    with httpx.Client(base_url=url, timeout=60) as client:
        attempt_ids = [
            client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=user).json()[
                "attemptId"
            ]
            for _ in range(count)
        ]
    chunks = [attempt_ids[i::workers] for i in range(workers)]

    def run(chunk: list[int]) -> int:
        with httpx.Client(base_url=url, timeout=60) as client:
            for attempt_id in chunk:
                response = client.post(
                    f"/api/v1/training/attempts/{attempt_id}/submit",
                    json={"answers": answers},
                    headers=user,
                )
                response.raise_for_status()
        return len(chunk)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = sum(pool.map(run, chunks))
    return done / (time.perf_counter() - started)


def bench_pdf_in_process(runs: int) -> float:
    from opsportal.training.certification.pdf import CertificateDocument, render_pdf

    document = CertificateDocument(
        recipient_name="Nguyễn Thị Hương",
        track_name="Speak-Up Culture Foundations",
        track_version="1.0",
        certificate_number="CERT-2026-00001",
        issued_at=datetime.now(UTC),
        expires_at=datetime.now(UTC) + timedelta(days=730),
        verification_url="http://127.0.0.1:8000/verify/" + "x" * 32,
    )
    render_pdf(document)  # fonts load once per process; not part of a render
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        render_pdf(document)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_pdf_http(client: httpx.Client, user: dict[str, str], track_id: int, runs: int) -> float:
    certificate = client.post(f"/api/v1/training/tracks/{track_id}/certificate", headers=user)
    certificate.raise_for_status()
    path = f"/api/v1/training/certificates/{certificate.json()['id']}/pdf"
    client.get(path, headers=user).raise_for_status()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, headers=user).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server; starts none when given")
    parser.add_argument("--admin-token", help="with --url: an admin's API token")
    parser.add_argument("--user-token", help="with --url: a learner's API token")
    parser.add_argument("--database-url", help="database for the server this script starts")
    parser.add_argument("--submits", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pdf-runs", type=int, default=50)
    args = parser.parse_args()

    process = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            if not (args.admin_token and args.user_token):
                parser.error("--url needs --admin-token and --user-token")
            url, admin_token, user_token = args.url.rstrip("/"), args.admin_token, args.user_token
        else:
            database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            process, url, admin_token, user_token = start_server(database_url)
        try:
            admin = {"Authorization": f"Bearer {admin_token}"}
            user = {"Authorization": f"Bearer {user_token}"}
            with httpx.Client(base_url=url, timeout=60) as client:
                track_id, quiz_id = author(client, admin)
                rate = bench_submits(url, user, quiz_id, args.submits, args.workers)
                http_ms = bench_pdf_http(client, user, track_id, args.pdf_runs)
            local_ms = bench_pdf_in_process(args.pdf_runs)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    print(f"server: {url}")
    print(
        f"quiz submits: {rate:.0f} requests/s "
        f"({args.submits} submits of {QUESTIONS} questions, {args.workers} concurrent clients)"
    )
    print(f"certificate PDF render: {local_ms:.1f} ms median of {args.pdf_runs} (in-process)")
    print(f"certificate PDF download: {http_ms:.1f} ms median of {args.pdf_runs} (over HTTP)")


if __name__ == "__main__":
    main()
