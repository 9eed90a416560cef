"""Slow request bodies against the real server: can anyone else still get in?

    uv run python bench/slow_clients.py                 # 8 slow connections, one worker, SQLite
    uv run python bench/slow_clients.py --workers 2 --slow 16
    uv run python bench/slow_clients.py --database-url postgresql://postgres@127.0.0.1/opsportal_x
    uv run python bench/slow_clients.py --src /tmp/old/src    # measure another checkout's code

It migrates the database (a temporary SQLite file unless told otherwise), creates
one admin with a password, and starts `opsportal serve --no-scheduler`. Then
`--slow` connections each announce a 1,000-byte body to `POST /api/v1/login` and
send one byte every 2 s. Meanwhile it asks `GET /healthz` and logs in with the
right password (`POST /api/v1/login`) a few times, and prints each answer's
status and time; at the end, what the slow connections were answered, and when.
Everything runs on 127.0.0.1, with a fixed number of connections, for at most
`--seconds`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import httpx

EMAIL, PASSWORD = "bench-slow@example.test", "a bench password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trickle(port: int, stop: threading.Event, answers: list[tuple[float, str]]) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    sock.settimeout(0.5)
    started = time.monotonic()
    while not stop.is_set():
        try:
            sock.sendall(b" ")
            data = sock.recv(200)
            answers.append((time.monotonic() - started, data.split(b"\r\n", 1)[0].decode()))
            break
        except TimeoutError:
            stop.wait(2)
        except OSError as exc:
            answers.append((time.monotonic() - started, type(exc).__name__))
            break
    sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=8, help="slow connections")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=14, help="how long they trickle")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--src", help="put this source folder first on PYTHONPATH")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            OPSPORTAL_DATABASE_URL=args.database_url or f"sqlite:///{tmp}/bench.db",
            OPSPORTAL_SECRET_KEY="bench-secret-key-" + "x" * 32,
        )
        if args.src:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [args.src, env.get("PYTHONPATH")]))
        cli = [sys.executable, "-m", "opsportal.cli"]
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, timeout=120)
        subprocess.run(
            [*cli, "user", "create", "--email", EMAIL, "--name", "Bench", "--role", "admin",
             "--password", PASSWORD],
            env=env, capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*cli, "serve", "--no-scheduler", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.2)
            time.sleep(1.0 if args.workers == 1 else 3.0)
            stop = threading.Event()
            answers: list[tuple[float, str]] = []
            threads = [
                threading.Thread(target=trickle, args=(port, stop, answers), daemon=True)
                for _ in range(args.slow)
            ]
            for thread in threads:
                thread.start()
            time.sleep(1.5)
            for _ in range(4):
                for what, call in (
                    ("GET /healthz", lambda: httpx.get(f"{url}/healthz", timeout=15)),
                    (
                        "POST /api/v1/login",
                        lambda: httpx.post(
                            f"{url}/api/v1/login",
                            json={"email": EMAIL, "password": PASSWORD},
                            timeout=15,
                        ),
                    ),
                ):
                    started = time.perf_counter()
                    try:
                        status = str(call().status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    print(f"{what:20} {status:>6} in {time.perf_counter() - started:.2f} s")
                time.sleep(1)
            stop.wait(max(0.0, args.seconds - 8))
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=60)

    answered = sorted(answers)
    print(f"{args.slow} slow connections, {args.workers} worker(s): {len(answered)} answered")
    for status in sorted({status for _, status in answered}):
        times = [f"{t:.1f}" for t, s in answered if s == status]
        print(f"  {status}: after {', '.join(times)} s")


if __name__ == "__main__":
    main()
