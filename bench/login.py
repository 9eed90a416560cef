"""Login benchmark: how long a password check takes, and what bad logins do to /healthz.

    uv run python bench/login.py                       # own server, temp SQLite
    uv run python bench/login.py --clients 40 --seconds 10
    OPSPORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000 uv run python bench/login.py

It starts its own `opsportal serve --no-scheduler` on a free loopback port
against a fresh temporary SQLite database, creates a user with a password and
one without, and stops the server at the end. The server inherits this
process's environment, so OPSPORTAL_* settings (the throttle, the number of
concurrent password checks) can be varied from the command line.

It prints:
- the median and spread of a failed web login (`POST /login`), sequentially,
  for an unknown email, a user without a password, and a wrong password (each
  case a few attempts, under the per-email limit);
- /healthz latency (median, 95th percentile, worst) at rest, and while C
  concurrent clients post bad logins (each a fresh unknown email) for S
  seconds, with the status codes those logins got.

Loopback only, and bounded: C clients for S seconds, nothing left running.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

PASSWORD = "bench-password-1"
ATTEMPTS_PER_CASE = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return process, url
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def post_login(client: httpx.Client, email: str, password: str) -> tuple[int, float]:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF token on the login page"
    started = time.perf_counter()
    response = client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "csrf_token": match.group(1)},
    )
    return response.status_code, (time.perf_counter() - started) * 1000


def timing(url: str, email: Callable[[], str], password: str) -> tuple[list[float], Counter[int]]:
    times: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=url, timeout=30) as client:
        post_login(client, f"warm-up-{uuid.uuid4().hex}@example.test", "x")
        for _ in range(ATTEMPTS_PER_CASE):
            status, ms = post_login(client, email(), password)
            times.append(ms)
            statuses[status] += 1
    return times, statuses


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {ordered[-1]:7.1f} ms  (n={len(ordered)})"
    )


def probe_health(url: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get("/healthz")
            out.append((time.perf_counter() - started) * 1000)
            stop.wait(0.1)


def attacker(url: str, until: float, statuses: Counter[int], lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            try:
                status, _ = post_login(client, f"nobody-{uuid.uuid4().hex}@example.test", "guess")
            except httpx.HTTPError:
                status = 0
            with lock:
                statuses[status] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not 1 <= args.clients <= 100 or not 0 < args.seconds <= 60:
        raise SystemExit("keep it bounded: 1-100 clients, at most 60 seconds")

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "OPSPORTAL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "OPSPORTAL_SCHEDULER_ENABLED": "false",
        }
        cli("db", "upgrade", env=env)
        suffix = uuid.uuid4().hex[:8]
        with_password = f"bench-pw-{suffix}@example.test"
        without_password = f"bench-nopw-{suffix}@example.test"
        cli("user", "create", "--email", with_password, "--name", "Bench", "--role", "internal",
            "--password", PASSWORD, env=env)  # fmt: skip
        cli("user", "create", "--email", without_password, "--name", "Bench", "--role",
            "internal", env=env)  # fmt: skip
        process, url = start_server(env)
        try:
            print(f"failed web logins, {ATTEMPTS_PER_CASE} sequential attempts each:")
            cases = {
                "unknown email": (lambda: f"unknown-{uuid.uuid4().hex}@example.test", "guess-1"),
                "user without a password": (lambda: without_password, "guess-1"),
                "wrong password": (lambda: with_password, "guess-1"),
            }
            for label, (email, password) in cases.items():
                times, statuses = timing(url, email, password)
                print(f"  {label:<24} {describe(times)}  statuses {dict(statuses)}")

            at_rest: list[float] = []
            stop = threading.Event()
            prober = threading.Thread(target=probe_health, args=(url, stop, at_rest))
            prober.start()
            time.sleep(3)
            stop.set()
            prober.join()
            print(f"/healthz at rest:                  {describe(at_rest)}")

            under_load: list[float] = []
            statuses: Counter[int] = Counter()
            lock = threading.Lock()
            until = time.monotonic() + args.seconds
            attackers = [
                threading.Thread(target=attacker, args=(url, until, statuses, lock))
                for _ in range(args.clients)
            ]
            for thread in attackers:
                thread.start()
            stop = threading.Event()
            prober = threading.Thread(target=probe_health, args=(url, stop, under_load))
            prober.start()
            for thread in attackers:
                thread.join()
            stop.set()
            prober.join()
            print(
                f"/healthz under {args.clients} concurrent bad logins for {args.seconds:g} s: "
                f"{describe(under_load)}"
            )
            print(f"  the bad logins got: {dict(sorted(statuses.items()))}")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
