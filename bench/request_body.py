"""One anonymous oversized request body against the real server: memory, time to answer, /healthz.

    uv run python bench/request_body.py                    # 210 MB, Content-Length sent up front
    uv run python bench/request_body.py --chunked          # the same body, chunked (no length)
    uv run python bench/request_body.py --megabytes 50
    uv run python bench/request_body.py --src /tmp/old/src # measure another checkout's code

It migrates a temporary SQLite database, starts `opsportal serve --no-scheduler`
(one worker, so the process it starts is the worker), and then sends one
anonymous `POST /api/v1/metrics/values` whose body is a valid JSON batch of the
given size, written in 1 MB pieces as fast as the loopback takes them. Meanwhile
it asks `GET /healthz` every 100 ms and samples the worker's resident memory
every 20 ms. It prints the worker's memory before, at its peak (VmHWM) and
after, the status and the time until the answer's first byte, and the /healthz
latencies while the body was in flight. Everything runs on 127.0.0.1 and every
step has a timeout.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ITEM = b'{"organizationId":1,"metric":"login_rate","value":50.5,"recordedOn":"2026-11-01"}'
PIECE = 1 << 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def body_pieces(total: int) -> tuple[int, list[bytes]]:
    """A valid JSON batch of about `total` bytes, as 1 MB pieces (the same middle piece reused)."""
    head, tail = b'{"values":[', b"]}"
    per_piece = PIECE // (len(ITEM) + 1)
    middle = b",".join([ITEM] * per_piece) + b","
    pieces = [head]
    size = len(head) + len(tail) + len(ITEM)
    while size + len(middle) <= total:
        pieces.append(middle)
        size += len(middle)
    pieces += [ITEM, tail]
    return size, pieces


def healthz_loop(port: int, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            latencies.append(time.perf_counter() - started)
        except OSError:
            latencies.append(float("inf"))
        stop.wait(0.1)


def send_body(port: int, pieces: list[bytes], size: int, *, chunked: bool) -> dict[str, object]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    head = (
        "POST /api/v1/metrics/values HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n")
        + "\r\n"
    )
    answer: dict[str, object] = {}
    got_first_byte = threading.Event()

    def read_answer() -> None:
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                if not data:
                    answer["first_byte"] = time.perf_counter()
                    got_first_byte.set()
                data += chunk
        except OSError:
            pass
        answer["raw"] = data
        got_first_byte.set()

    reader = threading.Thread(target=read_answer, daemon=True)
    started = time.perf_counter()
    sock.sendall(head.encode())
    reader.start()
    sent = 0
    try:
        for piece in pieces:
            if got_first_byte.is_set():
                break  # answered before the body was through: stop sending, as a client would
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked and not got_first_byte.is_set():
            sock.sendall(b"0\r\n\r\n")
    except OSError as exc:
        answer["send_error"] = type(exc).__name__
    answer["sent_bytes"] = sent
    answer["body_sent"] = time.perf_counter()
    reader.join(timeout=120)
    sock.close()
    raw = answer.get("raw", b"")
    assert isinstance(raw, bytes)
    answer["status"] = raw.split(b" ", 2)[1].decode() if raw.startswith(b"HTTP/") else "none"
    answer["started"] = started
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=210)
    parser.add_argument("--chunked", action="store_true", help="no Content-Length; chunked body")
    parser.add_argument("--src", help="put this source folder first on PYTHONPATH")
    args = parser.parse_args()

    size, pieces = body_pieces(int(args.megabytes * 1_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            OPSPORTAL_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            OPSPORTAL_SECRET_KEY="bench-secret-key-" + "x" * 32,
            OPSPORTAL_SCHEDULER_ENABLED="false",
        )
        if args.src:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [args.src, env.get("PYTHONPATH")]))
        cli = [sys.executable, "-m", "opsportal.cli"]
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, timeout=120)
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--no-scheduler", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.1)
            time.sleep(0.5)
            before = rss_kb(server.pid)
            samples: list[int] = []
            stop = threading.Event()
            latencies: list[float] = []

            def sample() -> None:
                while not stop.is_set():
                    samples.append(rss_kb(server.pid))
                    stop.wait(0.02)

            threads = [
                threading.Thread(target=sample, daemon=True),
                threading.Thread(target=healthz_loop, args=(port, stop, latencies), daemon=True),
            ]
            for thread in threads:
                thread.start()
            answer = send_body(port, pieces, size, chunked=args.chunked)
            time.sleep(1.0)
            stop.set()
            for thread in threads:
                thread.join(timeout=35)
            after = rss_kb(server.pid)
            peak = rss_kb(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)

    started = float(answer["started"])  # type: ignore[arg-type]
    first = answer.get("first_byte")
    mode = "chunked" if args.chunked else "Content-Length"
    print(f"body: {size / 1e6:.0f} MB ({mode}); sent {int(answer['sent_bytes']) / 1e6:.0f} MB")  # type: ignore[call-overload]
    print(f"answer: {answer['status']}", end="")
    if first is not None:
        print(f" after {float(first) - started:.3f} s", end="")  # type: ignore[arg-type]
    print(f"  (send error: {answer.get('send_error', 'none')})")
    print(
        f"worker RSS: before {before / 1024:.0f} MB, peak {peak / 1024:.0f} MB, "
        f"after {after / 1024:.0f} MB (max sampled {max(samples, default=0) / 1024:.0f} MB)"
    )
    finite = [x for x in latencies if x != float("inf")]
    if finite:
        median_ms = statistics.median(finite) * 1000
        print(
            f"/healthz during: {len(latencies)} requests, median {median_ms:.0f} ms, "
            f"max {max(finite) * 1000:.0f} ms, failed {len(latencies) - len(finite)}"
        )


if __name__ == "__main__":
    main()
