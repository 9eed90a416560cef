"""SCORM benchmark: uploading and unpacking a 100 MB package; the runtime's commit round trip.

    uv run python bench/scorm.py                        # own server, temp SQLite
    uv run python bench/scorm.py --database-url postgresql://postgres@127.0.0.1/bench
    uv run python bench/scorm.py --megabytes 200 --commits 500

It starts its own `opsportal serve --no-scheduler` on a free loopback port
(the portal at http://127.0.0.1:PORT, SCORM content at http://localhost:PORT),
against a fresh temporary SQLite database or the database given (migrated).
It builds a SCORM 1.2 package in memory: the SCO plus incompressible media
files (random bytes, 4 MB each) up to --megabytes, stored deflated as
authoring tools do.

It prints:
- the upload of that package through `POST /api/v1/training/tracks/{id}/courses/scorm`,
  wall-clock from the first byte sent to the 201 (checking, unpacking and storing
  every file in the database included), median of --uploads;
- the same import in-process (`service.import_package` only, no HTTP), once;
- the runtime's commit round trip: N commits of a realistic SCORM 1.2 payload
  (status, location, 4 KB of suspend_data, session time) through HTTP to the
  content origin, one after another as scorm-again sends them: p50 and p95 ms;
- a 4 MB media file fetched back from the content origin, median of 10.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.training.content.packages import SCO_HTML, SCO_JS, manifest  # noqa: E402

MEDIA_BYTES = 4 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_package(megabytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest("1.2", title="Bench course"))
        archive.writestr("index.html", SCO_HTML)
        archive.writestr("sco.js", SCO_JS)
        for n in range(max(1, megabytes * 1024 * 1024 // MEDIA_BYTES)):
            archive.writestr(f"media/clip-{n:03d}.mp4", os.urandom(MEDIA_BYTES))
    return buffer.getvalue()


def prepare(database_url: str) -> tuple[str, int, str]:
    """Migrate; an admin with a token, and a learner; returns (admin token, learner id, email)."""
    from opsportal.auth.service import create_user, issue_token
    from opsportal.db import make_engine, make_session_factory, session_scope
    from opsportal.migrate import upgrade
    from opsportal.models import Role

    upgrade(database_url)
    factory = make_session_factory(make_engine(database_url))
    suffix = uuid.uuid4().hex[:8]
    with session_scope(factory) as session:
        admin = create_user(
            session, email=f"bench-admin-{suffix}@example.test", name="Bench", role=Role.ADMIN
        )
        learner = create_user(
            session, email=f"bench-user-{suffix}@example.test", name="Learner", role=Role.INTERNAL
        )
        return issue_token(session, user=admin, label="bench"), learner.id, learner.email


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OPSPORTAL_DATABASE_URL": database_url,
        "OPSPORTAL_SCHEDULER_ENABLED": "0",
        "OPSPORTAL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "OPSPORTAL_CONTENT_BASE_URL": f"http://localhost:{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("the server did not start")
        time.sleep(0.1)


def launch(database_url: str, learner_id: int, course_id: int) -> str:
    from opsportal.db import make_engine, make_session_factory, session_scope
    from opsportal.models import User
    from opsportal.models.base import utcnow
    from opsportal.principal import Principal
    from opsportal.training.content import runtime

    factory = make_session_factory(make_engine(database_url))
    with session_scope(factory) as session:
        user = session.get(User, learner_id)
        assert user is not None
        principal = Principal.of(user)
        return runtime.launch(session, principal=principal, course_id=course_id, now=utcnow()).token


def import_in_process(database_url: str, track_id: int, package: bytes) -> float:
    from sqlalchemy import select

    from opsportal.config import Settings
    from opsportal.db import make_engine, make_session_factory, session_scope
    from opsportal.models import Role, User
    from opsportal.principal import Principal
    from opsportal.training.content import service

    settings = Settings(database_url=database_url)
    factory = make_session_factory(make_engine(database_url))
    with session_scope(factory) as session:
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).first()
        assert admin is not None
        system = Principal.of(admin)
        started = time.perf_counter()
        service.import_package(
            session,
            track_id=track_id,
            upload=io.BytesIO(package),
            filename="bench.zip",
            settings=settings,
            actor=system,
        )
        session.flush()
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", help="a database to migrate and use (default: temp SQLite)"
    )
    parser.add_argument("--megabytes", type=int, default=100, help="package size (default 100)")
    parser.add_argument("--uploads", type=int, default=3, help="uploads timed (default 3)")
    parser.add_argument("--commits", type=int, default=300, help="commits timed (default 300)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        admin_token, learner_id, _ = prepare(database_url)
        port = free_port()
        process = start_server(database_url, port)
        try:
            run(args, database_url, port, admin_token, learner_id)
        finally:
            process.terminate()
            process.wait(timeout=20)


def run(
    args: argparse.Namespace, database_url: str, port: int, token: str, learner_id: int
) -> None:
    portal = f"http://127.0.0.1:{port}"
    admin = {"Authorization": f"Bearer {token}"}
    package = build_package(args.megabytes)
    print(f"database: {database_url.split('@')[-1]}")
    print(
        f"package: {len(package) / 1e6:.1f} MB zipped, SCORM 1.2, 4 MB incompressible media files"
    )
    with httpx.Client(timeout=600) as client:
        track = client.post(
            f"{portal}/api/v1/training/tracks",
            json={
                "name": "Bench",
                "slug": f"bench-{uuid.uuid4().hex[:6]}",
                "type": "INTERNAL",
                "level": "FOUNDATION",
                "version": "1.0",
            },
            headers=admin,
        ).json()
        times = []
        course_id = 0
        for _ in range(args.uploads):
            started = time.perf_counter()
            response = client.post(
                f"{portal}/api/v1/training/tracks/{track['id']}/courses/scorm",
                files={"file": ("bench.zip", package, "application/zip")},
                headers=admin,
            )
            times.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
            course_id = response.json()["id"]
        upload = statistics.median(times)
        print(
            f"upload + unpack over HTTP: median {upload:.2f} s of {args.uploads} "
            f"({len(package) / 1e6 / upload:.0f} MB/s); each: "
            + ", ".join(f"{t:.2f}" for t in times)
        )
        in_process = import_in_process(database_url, track["id"], package)
        print(f"import in-process (check, unpack, store; no HTTP): {in_process:.2f} s")

        key = launch(database_url, learner_id, course_id)
        content = f"http://localhost:{port}/scorm/{key}"
        payload = {
            "cmi.core.lesson_status": "incomplete",
            "cmi.core.lesson_location": "page-7",
            "cmi.core.score.raw": "",
            "cmi.suspend_data": "x" * 4000,
            "cmi.core.session_time": "0000:05:00.00",
            "cmi.core.exit": "suspend",
            "cmi.core.student_id": str(learner_id),
            "cmi.core.student_name": "Learner",
        }
        round_trips = []
        for n in range(args.commits):
            payload["cmi.core.lesson_location"] = f"page-{n}"
            started = time.perf_counter()
            response = client.post(f"{content}/commit", json=payload)
            round_trips.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        cuts = statistics.quantiles(round_trips, n=100)
        print(
            f"commit round trip over HTTP ({args.commits} commits): "
            f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {max(round_trips):.1f} ms"
        )
        fetches = []
        for _ in range(10):
            started = time.perf_counter()
            media = client.get(f"{content}/content/media/clip-000.mp4")
            fetches.append((time.perf_counter() - started) * 1000)
            assert media.status_code == 200 and len(media.content) == MEDIA_BYTES
        print(
            f"a 4 MB media file from the content origin: median {statistics.median(fetches):.0f} ms"
        )


if __name__ == "__main__":
    main()
