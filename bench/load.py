"""Load benchmark: the real server under concurrent readers and quiz-submit writers.

    uv run python bench/load.py                       # SQLite and PostgreSQL, 10 s per run
    uv run python bench/load.py --database sqlite --seconds 5
    uv run python bench/load.py --client python       # asyncio + httpx readers even if wrk is there
    uv run python bench/load.py --workers 2           # as `opsportal serve --workers 2` serves

Everything runs on loopback (127.0.0.1) and stops by itself: every load loop
ends at its deadline (--seconds) or after a fixed number of iterations,
whichever comes first, and every subprocess has a timeout.

For each database (a temporary SQLite file; PostgreSQL database
`opsportal_load`, or --postgres-database, created and dropped again on
127.0.0.1) it:

1. loads the demo data with the real `opsportal demo --no-serve` and reads the
   demo logins and API tokens from its output; the customer's organisation
   comes from `GET /api/v1/me`, and --writers extra customer users of that
   organisation are made with `opsportal user create`;
2. starts two servers with the same uvicorn command line (`--factory`, uvicorn
   defaults, log level info, like `opsportal serve`): the real
   `opsportal.app.create_app()` (no scheduler), and the yardstick, `plain_app`
   below: a plain FastAPI app, nothing but `@app.get("/x") def x(): return
   {"ok": True}`, in a process of its own, so none of the project's
   middleware, routing or dependencies is in its figure. With --workers N
   both are served the way `opsportal serve --workers N` serves (its
   supervisor, `opsportal.web.workers`: N processes, each listening on a
   socket of its own), and measured once every worker listens;
3. measures, one target at a time, --readers concurrent readers for --seconds:
   - plain:     GET /x on the plain FastAPI app (the yardstick)
   - healthz:   GET /healthz on the real app (no database: the stack alone)
   - scorecard: GET /api/v1/benchmarks/organizations/{orgId} (customer token)
   - me:        GET /api/v1/me (customer token)
   - page:      GET /benchmarks/organizations/{orgId} (HTML, session cookie from
                a real POST /login with the CSRF token of the login form)
   then --writers writers alone, each a different customer looping through
   POST /api/v1/training/quizzes/{quizId}/start and
   POST /api/v1/training/attempts/{id}/submit (the right answers, read once
   with the admin token, so the full grading and track-completion path runs),
   then every target of the real app again while the writers loop
   (the yardstick is not measured again: its figure alone is the reference).
   With --repeat N all of this is done N times in the same run, and the
   tables give the median of the N figures.

Readers use wrk (Debian package `wrk`) when it is installed, with a generated
Lua script that sets the header and counts status codes; otherwise (or with
--client python) an asyncio + httpx client, which competes with the server for
the same CPU cores, so its figures are lower bounds. Writers are always the
asyncio + httpx client. The output says which client was used. wrk leaves its
last requests in flight when it stops, so after every run the script waits
until the server answers GET /healthz again before the next run starts
(and says so when that took more than 2 s): otherwise one run's leftovers and
the next run's connections would arrive together, more at once than --readers.

Figures per target: requests/s (all responses, whatever their status),
p50 and p99 latency (closed loop: each connection waits for its answer), the
number of non-2xx responses (by status code) and of connection errors
(connect, read, write, timeout), and the throughput as a percentage of the
plain FastAPI app's, readers alone, in the same run. Two tables: readers
alone, and the same readers while the writers loop. Writers also print submits/s
and, for a status other than 2xx, the first such response. The exit status is
non-zero only when setting up failed (database, demo data, server, login) or
the server died or stopped answering for SETTLE_SECONDS; never because a
figure is slow or some responses were errors (those are counted and printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOAD_DB = "opsportal_load"
PLAIN_PATH = "/x"
REQUEST_TIMEOUT_SECONDS = 10.0
# Upper bounds on top of the deadline, so no loop can run away.
MAX_READER_REQUESTS = 2_000_000
MAX_WRITER_LOOPS = 200_000
SERVER_START_SECONDS = 60.0
# The two servers' apps (uvicorn --factory targets).
REAL_APP = "opsportal.app:create_app"
PLAIN_APP = "bench.load:plain_app"
SETTLE_SECONDS = 90.0
SUBPROCESS_SECONDS = 300.0


def say(message: str) -> None:
    print(message, flush=True)


class SetupError(Exception):
    """Setting up failed, or the server died or stopped answering: nothing more to measure."""


def plain_app() -> Any:
    """uvicorn --factory target: the yardstick, a plain FastAPI app with one route."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get(PLAIN_PATH)
    def x() -> dict[str, bool]:
        return {"ok": True}

    return app


# --- measurements --------------------------------------------------------------


@dataclass
class Result:
    phase: str
    target: str
    client: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    note: str = ""
    submit_rate: float = 0.0  # writers only: submits per second
    submit_p50_ms: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Samples:
    """Latencies (ms) and outcomes collected by the Python client."""

    latencies: list[float] = field(default_factory=list)
    non_2xx: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    first_failure: str = ""

    def record(self, milliseconds: float, response: httpx.Response) -> None:
        self.latencies.append(milliseconds)
        if not 200 <= response.status_code < 300:
            self.non_2xx[response.status_code] += 1
            if not self.first_failure:
                detail = " ".join(response.text.split())[:160]
                self.first_failure = f"{response.status_code} {detail}"

    def error(self, exc: Exception) -> None:
        self.errors[_error_kind(exc)] += 1

    def merge(self, other: Samples) -> None:
        self.latencies += other.latencies
        self.non_2xx.update(other.non_2xx)
        self.errors.update(other.errors)
        self.first_failure = self.first_failure or other.first_failure

    def result(self, phase: str, target: str, client: str, seconds: float) -> Result:
        ordered = sorted(self.latencies)
        return Result(
            phase,
            target,
            client,
            requests=len(ordered),
            seconds=seconds,
            p50_ms=_percentile(ordered, 50),
            p99_ms=_percentile(ordered, 99),
            non_2xx=Counter(self.non_2xx),
            errors=Counter(self.errors),
        )


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.WriteError):
        return "write"
    return "read"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: dict[str, str]


# --- wrk -------------------------------------------------------------------------

WRK_LUA = """
wrk.method = "GET"
{headers}
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  statuses = {{}}
end
function response(status, headers, body)
  if status < 200 or status > 299 then
    statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local codes = {{}}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for code, n in pairs(counted) do
      codes[code] = (codes[code] or 0) + n
    end
  end
  local parts = {{}}
  for code, n in pairs(codes) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD_RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "statuses": {{%s}}}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ", ")))
end
"""


def _lua_string(value: str) -> str:
    if not re.fullmatch(r"[\x20-\x7e]*", value):
        raise SetupError(f"cannot pass {value!r} to wrk")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def wrk_run(
    url: str, target: Target, connections: int, seconds: float, folder: Path, phase: str
) -> Result:
    script = folder / f"{target.name}.lua"
    headers = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in target.headers.items()
    )
    script.write_text(WRK_LUA.format(headers=headers), encoding="utf-8")
    threads = max(1, min(2, connections))
    process = await asyncio.create_subprocess_exec(
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={round(REQUEST_TIMEOUT_SECONDS)}s",
        "-s",
        str(script),
        url + target.path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), seconds + 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise SetupError(f"wrk did not finish for {target.name}") from None
    line = next(
        (x for x in out.decode(errors="replace").splitlines() if x.startswith("LOAD_RESULT ")),
        None,
    )
    if process.returncode != 0 or line is None:
        raise SetupError(f"wrk failed for {target.name}: {err.decode(errors='replace')[-500:]}")
    data = json.loads(line.removeprefix("LOAD_RESULT "))
    errors = Counter({k: int(data[k]) for k in ("connect", "read", "write", "timeout") if data[k]})
    return Result(
        phase,
        target.name,
        "wrk",
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=Counter({int(k): int(v) for k, v in data["statuses"].items()}),
        errors=errors,
    )


# --- asyncio + httpx ----------------------------------------------------------------


def _client(url: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url,
        timeout=REQUEST_TIMEOUT_SECONDS,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def python_readers(
    url: str, target: Target, connections: int, seconds: float, phase: str
) -> Result:
    samples = Samples()
    per_reader = MAX_READER_REQUESTS // connections

    async def reader(client: httpx.AsyncClient, deadline: float) -> None:
        for _ in range(per_reader):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.get(target.path, headers=target.headers)
            except httpx.TransportError as exc:
                samples.error(exc)
                await asyncio.sleep(0.01)
                continue
            samples.record((time.perf_counter() - started) * 1000, response)

    async with _client(url, connections) as client:
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(reader(client, deadline) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return samples.result(phase, target.name, "python", elapsed)


@dataclass(frozen=True)
class Quiz:
    quiz_id: int
    answers: list[dict[str, Any]]


async def writers(
    url: str, tokens: list[str], quiz: Quiz, seconds: float
) -> tuple[Samples, Samples, float]:
    """Each writer loops start + submit until the deadline; returns (starts, submits, s)."""
    starts, submits = Samples(), Samples()
    body = {"answers": quiz.answers}

    async def writer(client: httpx.AsyncClient, token: str, deadline: float) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(MAX_WRITER_LOOPS):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/training/quizzes/{quiz.quiz_id}/start", headers=headers
                )
            except httpx.TransportError as exc:
                starts.error(exc)
                await asyncio.sleep(0.01)
                continue
            starts.record((time.perf_counter() - started) * 1000, response)
            if response.status_code != 201:
                continue
            attempt_id = response.json()["attemptId"]
            started = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/training/attempts/{attempt_id}/submit", json=body, headers=headers
                )
            except httpx.TransportError as exc:
                submits.error(exc)
                await asyncio.sleep(0.01)
                continue
            submits.record((time.perf_counter() - started) * 1000, response)

    async with _client(url, len(tokens)) as client:
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(writer(client, token, deadline) for token in tokens))
        elapsed = time.perf_counter() - started
    return starts, submits, elapsed


def writer_result(phase: str, starts: Samples, submits: Samples, seconds: float) -> Result:
    both = Samples()
    both.merge(starts)
    both.merge(submits)
    result = both.result(phase, "quiz writes", "python", seconds)
    ordered = sorted(submits.latencies)
    notes = [
        f"{len(ordered) / seconds:.1f} submits/s" if seconds > 0 else "no time",
        f"submit p50 {_percentile(ordered, 50):.1f} ms",
    ]
    for name, samples in (("start", starts), ("submit", submits)):
        if samples.non_2xx or samples.errors:
            codes = ", ".join(f"{c}×{n}" for c, n in sorted(samples.non_2xx.items()))
            errors = ", ".join(f"{k} {n}" for k, n in sorted(samples.errors.items()))
            notes.append(f"{name}: " + "; ".join(x for x in (codes, errors) if x))
            if samples.first_failure:
                notes.append(f"first {name} failure: {samples.first_failure}")
    result.note = ", ".join(notes)
    result.submit_rate = len(ordered) / seconds if seconds > 0 else 0.0
    result.submit_p50_ms = _percentile(ordered, 50)
    return result


# --- setting up --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def opsportal(args: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "opsportal.cli", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"`opsportal {args[0]}` did not finish") from None
    if done.returncode != 0:
        raise SetupError(f"`opsportal {' '.join(args[:2])}` failed: {done.stderr[-800:]}")
    return done.stdout


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    token: str


def load_demo(env: dict[str, str]) -> dict[str, Login]:
    out = opsportal(["demo", "--no-serve"], env)
    logins = {
        m["role"]: Login(m["email"], m["password"], m["token"])
        for m in re.finditer(
            r"^\s+(?P<role>admin|internal|customer)\s+(?P<email>\S+) / (?P<password>\S+)"
            r" / (?P<token>\S+)\s*$",
            out,
            re.MULTILINE,
        )
    }
    if {"admin", "customer"} - logins.keys():
        raise SetupError(f"no admin and customer login in the demo output:\n{out}")
    return logins


@contextmanager
def server(
    env: dict[str, str], folder: Path, workers: int, app: str, name: str
) -> Iterator[tuple[str, Any]]:
    """Serve `app` (a factory's import path) as uvicorn / `opsportal serve --workers N` would."""
    port = free_port()
    if workers > 1:
        # What `opsportal serve --workers N` runs, serving this app instead.
        command = [
            sys.executable,
            "-c",
            "import sys; from opsportal.web.workers import Supervisor; "
            f"sys.exit(Supervisor('127.0.0.1', {port}, {workers}, "
            "say=lambda line: print(line, file=sys.stderr, flush=True), "
            f"app={app!r}).run())",
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app,
            "--app-dir",
            str(ROOT),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "info",
        ]
    probe = "/healthz" if app == REAL_APP else PLAIN_PATH
    with running(command, port=port, env=env, folder=folder, name=name, probe=probe) as started:
        if workers > 1:
            wait_for_every_worker(folder / f"{name}.log", started[1])
        yield started


def wait_for_every_worker(log: Path, process: Any) -> None:
    """Until the supervisor says "serving": /healthz answers as soon as one worker listens."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while "serving http" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SetupError("the workers did not all start")
        time.sleep(0.2)


@contextmanager
def running(
    command: list[str],
    *,
    port: int,
    env: dict[str, str],
    folder: Path,
    name: str = "server",
    probe: str = "/healthz",
) -> Iterator[tuple[str, Any]]:
    """Start a server `command` listening on `port`, wait for `probe`, stop it afterwards.

    Yields its base URL and process; its stderr goes to NAME.log in `folder`.
    """
    log = folder / f"{name}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                if httpx.get(f"{url}{probe}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-1500:]
                raise SetupError(f"the server did not start:\n{tail}")
            time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def check(response: httpx.Response, what: str, status: int = 200) -> httpx.Response:
    if response.status_code != status:
        raise SetupError(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    return response


def session_cookie(url: str, login: Login, page: str) -> str:
    """Log in through the web form, as a browser would, and return the session cookie."""
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        form = check(client.get("/login"), "GET /login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if match is None:
            raise SetupError("no CSRF token in the login form")
        check(
            client.post(
                "/login",
                data={
                    "email": login.email,
                    "password": login.password,
                    "csrf_token": match.group(1),
                    "next": page,
                },
            ),
            "POST /login",
            303,
        )
        cookie = client.cookies.get("opsportal_session")
        if not cookie:
            raise SetupError("POST /login set no session cookie")
        check(client.get(page), f"GET {page} with the session cookie")
        return f"opsportal_session={cookie}"


def find_quiz(url: str, customer: str, admin: str) -> Quiz:
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        tracks = check(
            client.get("/api/v1/training/tracks", headers={"Authorization": f"Bearer {customer}"}),
            "GET /api/v1/training/tracks",
        ).json()
        course = next(
            (c for t in tracks for c in t["courses"] if c.get("quizId") and c.get("isActive")),
            None,
        )
        if course is None:
            raise SetupError("the demo customer sees no quiz")
        key = check(
            client.get(
                f"/api/v1/training/courses/{course['id']}/quiz",
                headers={"Authorization": f"Bearer {admin}"},
            ),
            "GET the quiz's answer key",
        ).json()
    answers = [
        {"questionId": q["id"], "selectedOptionIds": q["correctOptionIds"]}
        for q in key["questions"]
    ]
    return Quiz(int(course["quizId"]), answers)


def make_writers(env: dict[str, str], org_id: int, count: int) -> list[str]:
    suffix = secrets.token_hex(3)
    tokens = []
    for i in range(count):
        out = opsportal(
            [
                "user",
                "create",
                "--email",
                f"load-writer-{i + 1}-{suffix}@northwind.example",
                "--name",
                f"Load Writer {i + 1}",
                "--role",
                "customer",
                "--org",
                str(org_id),
            ],
            env,
        )
        tokens.append(json.loads(out)["token"])
    return tokens


def warm_writers(url: str, tokens: list[str], quiz: Quiz) -> None:
    """One start + submit per writer, checked: proves the loop works and warms the code path."""
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"}
            started = check(
                client.post(f"/api/v1/training/quizzes/{quiz.quiz_id}/start", headers=headers),
                "POST quiz start",
                201,
            ).json()
            check(
                client.post(
                    f"/api/v1/training/attempts/{started['attemptId']}/submit",
                    json={"answers": quiz.answers},
                    headers=headers,
                ),
                "POST attempt submit",
            )


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="opsportal-load-") as folder:
        yield f"sqlite:///{Path(folder) / 'load.db'}"


@contextmanager
def postgres_database(admin_url: str, name: str = LOAD_DB) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    from opsportal.db import normalise_url

    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        admin.dispose()
        raise SetupError(f"cannot create PostgreSQL database {name}: {exc}") from exc
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


# --- one database -------------------------------------------------------------------


def describe(result: Result, plain_rate: float) -> str:
    share = f"{100 * result.rate / plain_rate:5.1f} % of plain" if plain_rate else ""
    codes = ", ".join(f"{code}×{n}" for code, n in sorted(result.non_2xx.items()))
    errors = ", ".join(f"{kind} {n}" for kind, n in sorted(result.errors.items()))
    text = (
        f"    {result.target:<11} {result.rate:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms  non-2xx {sum(result.non_2xx.values())}"
        f"{f' ({codes})' if codes else ''}  conn errors {sum(result.errors.values())}"
        f"{f' ({errors})' if errors else ''}  {share}"
    )
    return text + (f"  [{result.note}]" if result.note else "")


@dataclass(frozen=True)
class Servers:
    real: str
    plain: str
    processes: tuple[Any, ...]


async def measure(
    servers: Servers,
    targets: list[Target],
    writer_tokens: list[str],
    quiz: Quiz,
    args: argparse.Namespace,
    use_wrk: bool,
    folder: Path,
    results: list[Result],
) -> None:
    plain_rate = 0.0

    def url_of(target: Target) -> str:
        return servers.plain if target.name == "plain" else servers.real

    async def read(target: Target, phase: str) -> Result:
        url = url_of(target)
        if use_wrk:
            return await wrk_run(url, target, args.readers, args.seconds, folder, phase)
        return await python_readers(url, target, args.readers, args.seconds, phase)

    async def settle(after: str) -> None:
        """Wait until both servers answer again: wrk leaves requests in flight at its end,
        and the next run must not pile its own on top of them."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=5) as client:
            for url, path in ((servers.real, "/healthz"), (servers.plain, PLAIN_PATH)):
                while True:
                    if any(p.poll() is not None for p in servers.processes):
                        raise SetupError(f"a server exited after {after}")
                    try:
                        if (await client.get(url + path)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() - started > SETTLE_SECONDS:
                        raise SetupError(
                            f"a server stopped answering after {after} and did not recover "
                            f"in {SETTLE_SECONDS:.0f} s"
                        )
                    await asyncio.sleep(0.5)
        waited = time.monotonic() - started
        if waited > 2:
            say(f"    (the servers took {waited:.1f} s to answer again after {after})")

    phase = ALONE
    say(f"  {phase}, {args.seconds:g} s each:")
    for target in targets:
        result = await read(target, phase)
        await settle(target.name)
        if target.name == "plain":
            plain_rate = result.rate
        results.append(result)
        say(describe(result, plain_rate))

    phase = WRITERS_ALONE
    say(f"  {len(writer_tokens)} writers alone, {args.seconds:g} s:")
    starts, submits, elapsed = await writers(servers.real, writer_tokens, quiz, args.seconds)
    await settle("the writers")
    results.append(writer_result(phase, starts, submits, elapsed))
    say(describe(results[-1], plain_rate))

    phase = WITH_WRITERS
    say(f"  readers + {len(writer_tokens)} writers, {args.seconds:g} s each:")
    all_starts, all_submits, all_elapsed = Samples(), Samples(), 0.0
    for target in targets:
        if target.name == "plain":
            continue
        result, (starts, submits, elapsed) = await asyncio.gather(
            read(target, phase), writers(servers.real, writer_tokens, quiz, args.seconds)
        )
        await settle(f"{target.name} with writers")
        results.append(result)
        say(describe(result, plain_rate))
        during = writer_result(phase, starts, submits, elapsed)
        during.target = f"  writes ({target.name})"
        say(describe(during, plain_rate))
        all_starts.merge(starts)
        all_submits.merge(submits)
        all_elapsed += elapsed
    results.append(writer_result(phase, all_starts, all_submits, all_elapsed))


ALONE = "readers alone"
WRITERS_ALONE = "writers alone"
WITH_WRITERS = "readers + writers"


def bench_database(
    label: str,
    database: Any,
    args: argparse.Namespace,
    use_wrk: bool,
    workers: int,
    repeats: list[list[Result]],
) -> None:
    """Measure one database --repeat times; `repeats` keeps what was measured if a step fails."""
    say(f"\n== {label} ==")
    with database() as database_url, tempfile.TemporaryDirectory(prefix="opsportal-load-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "OPSPORTAL_DATABASE_URL": database_url,
            "OPSPORTAL_SCHEDULER_ENABLED": "false",
            "OPSPORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        }
        started = time.perf_counter()
        logins = load_demo(env)
        say(f"  demo data loaded in {time.perf_counter() - started:.1f} s")
        with (
            server(env, folder, workers, REAL_APP, "real") as (url, process),
            server(env, folder, workers, PLAIN_APP, "plain") as (plain_url, plain_process),
        ):
            customer = {"Authorization": f"Bearer {logins['customer'].token}"}
            me = check(httpx.get(f"{url}/api/v1/me", headers=customer), "GET /api/v1/me").json()
            org_id = me.get("organizationId")
            if not isinstance(org_id, int):
                raise SetupError(f"the demo customer has no organisation: {me}")
            page = f"/benchmarks/organizations/{org_id}"
            scorecard = f"/api/v1/benchmarks/organizations/{org_id}"
            check(httpx.get(url + scorecard, headers=customer), f"GET {scorecard}")
            check(httpx.get(plain_url + PLAIN_PATH), f"GET {PLAIN_PATH} (plain FastAPI)")
            cookie = session_cookie(url, logins["customer"], page)
            quiz = find_quiz(url, logins["customer"].token, logins["admin"].token)
            tokens = make_writers(env, org_id, args.writers)
            warm_writers(url, tokens, quiz)
            say(
                f"  server {url}, plain FastAPI {plain_url} "
                f"({workers} worker{'s' if workers > 1 else ''} each); "
                f"organisation {org_id}, quiz {quiz.quiz_id} "
                f"({len(quiz.answers)} questions), {len(tokens)} writer users"
            )
            targets = [
                Target("plain", PLAIN_PATH, {}),
                Target("healthz", "/healthz", {}),
                Target("scorecard", scorecard, customer),
                Target("me", "/api/v1/me", customer),
                Target("page", page, {"Cookie": cookie}),
            ]
            servers = Servers(url, plain_url, (process, plain_process))
            for n in range(args.repeat):
                if args.repeat > 1:
                    say(f"  -- round {n + 1} of {args.repeat} --")
                results: list[Result] = []
                repeats.append(results)
                asyncio.run(measure(servers, targets, tokens, quiz, args, use_wrk, folder, results))


# --- report ----------------------------------------------------------------------------


def median_result(results: list[Result]) -> Result:
    """The median figures of the same measurement repeated (errors summed)."""
    first = results[0]
    merged = Result(
        first.phase,
        first.target,
        first.client,
        requests=round(statistics.median(r.rate for r in results) * 1000),
        seconds=1000.0,
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        note=first.note if len(results) == 1 else "",
        submit_rate=statistics.median(r.submit_rate for r in results),
        submit_p50_ms=statistics.median(r.submit_p50_ms for r in results),
    )
    for r in results:
        merged.non_2xx.update(r.non_2xx)
        merged.errors.update(r.errors)
    return merged


def medians(repeats: list[list[Result]]) -> list[Result]:
    grouped: dict[tuple[str, str], list[Result]] = {}
    for results in repeats:
        for r in results:
            grouped.setdefault((r.phase, r.target), []).append(r)
    return [median_result(rs) for rs in grouped.values()]


def table(runs: list[tuple[str, list[list[Result]]]]) -> None:
    rounds = max((len(r) for _, r in runs), default=1)
    how = f"median of {rounds} rounds" if rounds > 1 else "one round"
    summary = [(label, medians(repeats)) for label, repeats in runs if repeats]
    for phase, title in (
        (ALONE, "readers alone"),
        (WITH_WRITERS, "readers while the writers loop (ratio to plain FastAPI alone)"),
    ):
        say(f"\n{title} ({how}):")
        header = (
            f"{'database':<11}{'target':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'non-2xx':>9}{'errors':>8}{'% plain':>9}"
        )
        say(header)
        say("-" * len(header))
        for label, results in summary:
            plain = next((r.rate for r in results if r.target == "plain"), 0.0)
            for r in results:
                if r.phase != phase or r.target == "quiz writes":
                    continue
                share = f"{100 * r.rate / plain:.1f}" if plain else "-"
                say(
                    f"{label:<11}{r.target:<12}{r.rate:>9.1f}{r.p50_ms:>9.1f}"
                    f"{r.p99_ms:>9.1f}{sum(r.non_2xx.values()):>9}{sum(r.errors.values()):>8}"
                    f"{share:>9}"
                )
    say(f"\nquiz writers ({how}):")
    for label, results in summary:
        for r in results:
            if r.target == "quiz writes":
                say(
                    f"  {label:<11}{r.phase:<20}{r.rate:>8.1f} req/s  p50 {r.p50_ms:.1f} ms  "
                    f"p99 {r.p99_ms:.1f} ms  {r.submit_rate:.1f} submits/s "
                    f"(submit p50 {r.submit_p50_ms:.1f} ms)"
                )
    problems = [
        (label, r)
        for label, repeats in runs
        for results in repeats
        for r in results
        if r.non_2xx or r.errors
    ]
    say("non-2xx responses and connection errors:" + ("" if problems else " none"))
    for label, r in problems:
        codes = ", ".join(f"{c}×{n}" for c, n in sorted(r.non_2xx.items()))
        errors = ", ".join(f"{k} {n}" for k, n in sorted(r.errors.items()))
        detail = "; ".join(x for x in (codes, errors) if x)
        say(f"  {label}, {r.phase}, {r.target}: {detail}" + (f" [{r.note}]" if r.note else ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="per run (default 10)")
    parser.add_argument("--readers", type=int, default=32, help="concurrent readers (32)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent quiz writers (8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server worker processes, as `opsportal serve --workers N` (default 1)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds in the same run; tables give medians (1)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--postgres-admin-url",
        default="postgresql://postgres@127.0.0.1/postgres",
        help="a PostgreSQL URL allowed to CREATE and DROP the database below",
    )
    parser.add_argument(
        "--postgres-database",
        default=LOAD_DB,
        help=f"the throwaway database to create, fill and drop again (default {LOAD_DB}); "
        "give each concurrent run its own",
    )
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600 or not 1 <= args.readers <= 1024:
        parser.error("--seconds must be 1..600 and --readers 1..1024")
    if not 1 <= args.writers <= 64 or not 1 <= args.workers <= 16:
        parser.error("--writers must be 1..64 and --workers 1..16")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat must be 1..9")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.postgres_database):
        parser.error("--postgres-database: lower-case letters, digits and _ only")

    has_wrk = shutil.which("wrk") is not None
    if args.client == "wrk" and not has_wrk:
        parser.error("--client wrk: wrk is not installed (Debian package `wrk`)")
    use_wrk = has_wrk and args.client != "python"
    workers = args.workers
    say(
        f"opsportal load benchmark; {os.cpu_count()} CPUs shared by server and clients; "
        f"readers: {'wrk' if use_wrk else 'python (asyncio + httpx)'}"
        f"{'' if use_wrk or has_wrk else ' (wrk not installed)'}; "
        "writers: python (asyncio + httpx)"
    )

    databases: list[tuple[str, Any]] = []
    if args.database in ("sqlite", "both"):
        databases.append(("SQLite", sqlite_database))
    if args.database in ("postgres", "both"):
        databases.append(
            (
                "PostgreSQL",
                lambda: postgres_database(args.postgres_admin_url, args.postgres_database),
            )
        )
    runs: list[tuple[str, list[list[Result]]]] = []
    failed = False
    for label, database in databases:
        repeats: list[list[Result]] = []
        runs.append((label, repeats))
        try:
            bench_database(label, database, args, use_wrk, workers, repeats)
        except SetupError as exc:
            failed = True
            say(f"  {label}: setup failed: {exc}")
    if any(repeats for _, repeats in runs):
        table(runs)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
