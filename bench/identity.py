"""Identity benchmark: a 10,000-employee roster import, and SCIM create/PATCH throughput.

    uv run python bench/identity.py                          # SQLite and PostgreSQL
    uv run python bench/identity.py --database sqlite --rows 2000 --seconds 5

Everything runs on loopback (127.0.0.1) and stops by itself: each load loop
ends at its deadline (--seconds) or after a fixed number of requests, every
subprocess has a timeout. For each database (a temporary SQLite file;
PostgreSQL database `opsportal_identity`, created and dropped again) it:

1. migrates with the real `opsportal db upgrade`, makes an admin with
   `opsportal user create`, and through the API an organisation, a required
   customer track (so every new user gets an assignment, as in production) and
   a SCIM token;
2. starts one server process (`uvicorn --factory opsportal.app:serve_app`, as
   `opsportal serve` runs it, no scheduler, so queued mail stays queued);
3. roster import through the API: a dry run of --rows employees, then the
   import itself, `POST /api/v1/organizations/{id}/users/import`. It prints
   rows/s and the time from sending the file until every invitation is queued:
   the outbox holds one message per new user (read from the database right
   after the answer; invitations are queued in the import's own transaction);
4. the same roster size through `opsportal import users FILE --org ORG` into a
   second organisation, timed with its process start;
5. SCIM: --connections concurrent clients for --seconds each, `POST /Users`
   (each a new user: create_user, required tracks, invitation, audit) and then
   `PATCH /Users/{id}` (replace displayName on those users); requests/s, p50
   and p99. The yardstick is a plain FastAPI app in its own process, served by
   uvicorn the same way, whose two routes parse the same JSON bodies and answer
   with them: the share of its rate is what opsportal's work costs.

Exit status non-zero only when setting up failed; figures are printed, never judged.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from opsportal.db import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402
from bench.load import (  # noqa: E402
    ROOT,
    Result,
    Samples,
    SetupError,
    free_port,
    opsportal,
    running,
    say,
)

IDENTITY_DB = "opsportal_identity"
PLAIN_APP = "bench.identity:plain_app"
SCIM_TYPE = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MAX_REQUESTS = 200_000
IMPORT_TIMEOUT_SECONDS = 900.0


def plain_app() -> Any:
    """uvicorn --factory target: the yardstick, a plain FastAPI app with the same two routes."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    app = FastAPI()
    ids = itertools.count(1)

    @app.post("/scim/v2/Users")
    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({**body, "id": str(next(ids))}, status_code=201)

    @app.patch("/scim/v2/Users/{user_id}")
    async def patch(user_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"id": user_id, "schemas": [USER_SCHEMA], "ops": len(body)})

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def uvicorn_command(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", app, "--app-dir", str(ROOT),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "info",
    ]  # fmt: skip


def check(response: httpx.Response, what: str, status: int = 200) -> dict[str, Any]:
    if response.status_code != status:
        raise SetupError(f"{what}: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def roster(rows: int, domain: str) -> bytes:
    lines = ["email,name,role,externalId"]
    lines += [f"emp{i}@{domain},Employee {i},customer,E-{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


# --- SCIM load ---------------------------------------------------------------------------


async def scim_load(
    url: str,
    *,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    request: Callable[[int], tuple[str, str, dict[str, Any]]],
    created: list[str] | None = None,
) -> Samples:
    """`connections` clients sending `request(n)` (method, path, body) until the deadline."""
    samples = Samples()
    counter = itertools.count()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def worker(client: httpx.AsyncClient, deadline: float) -> None:
        for _ in range(MAX_REQUESTS // connections):
            if time.monotonic() >= deadline:
                return
            method, path, body = request(next(counter))
            started = time.perf_counter()
            try:
                response = await client.request(
                    method, path, content=json.dumps(body), headers=headers
                )
            except httpx.TransportError as exc:
                samples.error(exc)
                await asyncio.sleep(0.01)
                continue
            samples.record((time.perf_counter() - started) * 1000, response)
            if created is not None and response.status_code == 201:
                created.append(response.json()["id"])

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(worker(client, deadline) for _ in range(connections)))
    return samples


def scim_runs(
    label: str, url: str, token: str, args: argparse.Namespace, prefix: str
) -> tuple[Result, Result]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": SCIM_TYPE}
    created: list[str] = []

    def create(n: int) -> tuple[str, str, dict[str, Any]]:
        return (
            "POST",
            "/scim/v2/Users",
            {
                "schemas": [USER_SCHEMA],
                "userName": f"{prefix}{n}@scim.example",
                "name": {"givenName": "Scim", "familyName": f"User {n}"},
                "externalId": f"{prefix}-{n}",
                "active": True,
            },
        )

    started = time.perf_counter()
    samples = asyncio.run(
        scim_load(
            url,
            headers=headers,
            connections=args.connections,
            seconds=args.seconds,
            request=create,
            created=created,
        )
    )
    creates = samples.result(label, "POST /Users", "python", time.perf_counter() - started)
    ids = created or ["1"]

    def patch(n: int) -> tuple[str, str, dict[str, Any]]:
        return (
            "PATCH",
            f"/scim/v2/Users/{ids[n % len(ids)]}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "displayName", "value": f"Name {n}"}],
            },
        )

    started = time.perf_counter()
    samples = asyncio.run(
        scim_load(
            url, headers=headers, connections=args.connections, seconds=args.seconds, request=patch
        )
    )
    patches = samples.result(label, "PATCH /Users/{id}", "python", time.perf_counter() - started)
    return creates, patches


# --- one database ------------------------------------------------------------------------


def bench_database(label: str, database_url: str, args: argparse.Namespace) -> list[str]:
    lines: list[str] = []
    env = {
        **os.environ,
        "OPSPORTAL_DATABASE_URL": database_url,
        "OPSPORTAL_SCHEDULER_ENABLED": "false",
        "OPSPORTAL_SECRET_KEY": "identity-benchmark-secret-key-0123456789",
        "OPSPORTAL_PUBLIC_BASE_URL": "http://127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    opsportal(["db", "upgrade"], env)
    admin = json.loads(
        opsportal(
            [
                "user",
                "create",
                "--email",
                "bench-admin@example.test",
                "--name",
                "Bench",
                "--role",
                "admin",
            ],
            env,
        )  # fmt: skip
    )["token"]
    api = {"Authorization": f"Bearer {admin}"}
    with tempfile.TemporaryDirectory(prefix="opsportal-identity-") as folder:
        port = free_port()
        with running(
            uvicorn_command("opsportal.app:serve_app", port),
            port=port,
            env=env,
            folder=Path(folder),
        ) as (url, _):
            with httpx.Client(base_url=url, timeout=IMPORT_TIMEOUT_SECONDS) as http:
                org = check(
                    http.post("/api/v1/organizations", json={"name": "Roster Inc"}, headers=api),
                    "organisation",
                    201,
                )["id"]
                cli_org = check(
                    http.post(
                        "/api/v1/organizations",
                        json={"name": "Command Line Inc", "externalId": "CLI-1"},
                        headers=api,
                    ),
                    "organisation",
                    201,
                )["id"]
                check(
                    http.post(
                        "/api/v1/training/tracks",
                        json={"name": "Code of conduct", "type": "CUSTOMER", "isRequired": True},
                        headers=api,
                    ),
                    "required track",
                    201,
                )
                scim_token = check(
                    http.post(
                        f"/api/v1/organizations/{org}/scim-tokens",
                        json={"label": "bench"},
                        headers=api,
                    ),
                    "SCIM token",
                    201,
                )["token"]

                data = roster(args.rows, "roster.example")
                csv_headers = {**api, "Content-Type": "text/csv"}
                path = f"/api/v1/organizations/{org}/users/import"
                started = time.perf_counter()
                dry = check(http.post(path, content=data, params={"dryRun": "true"},
                                      headers=csv_headers), "dry run")  # fmt: skip
                dry_seconds = time.perf_counter() - started
                engine = make_engine(database_url)
                outbox_count(engine, "%@roster.example")  # connected before the clock starts
                started = time.perf_counter()
                done = check(http.post(path, content=data, headers=csv_headers), "import")
                answered = time.perf_counter() - started
                queued = outbox_count(engine, "%@roster.example")
                all_queued = time.perf_counter() - started
                engine.dispose()
                if done["created"] != args.rows or queued != args.rows:
                    raise SetupError(f"import made {done}, {queued} invitations queued")
                lines.append(
                    f"{label:<10} roster import, API, {args.rows:,} employees: dry run "
                    f"{dry_seconds:.1f} s ({args.rows / dry_seconds:,.0f} rows/s, "
                    f"{dry['created']:,} to create); import {answered:.1f} s "
                    f"({args.rows / answered:,.0f} rows/s); every invitation queued "
                    f"{all_queued:.1f} s after the file was sent ({queued:,} in the outbox)"
                )
                say(lines[-1])

            with tempfile.NamedTemporaryFile("wb", suffix=".csv") as file:
                file.write(roster(args.rows, "cli.example"))
                file.flush()
                started = time.perf_counter()
                out = opsportal(["import", "users", file.name, "--org", "CLI-1"], env)
                took = time.perf_counter() - started
            summary = json.loads(out.strip().splitlines()[-1])
            lines.append(
                f"{label:<10} roster import, CLI, {args.rows:,} employees: {took:.1f} s with "
                f"process start ({args.rows / took:,.0f} rows/s; {summary['invited']:,} invited)"
            )
            say(lines[-1])
            del cli_org

            scim = scim_runs(label, url, scim_token, args, "s")

        plain_port = free_port()
        with running(
            uvicorn_command(PLAIN_APP, plain_port),
            port=plain_port,
            env=env,
            folder=Path(folder),
        ) as (plain_url, _):
            plain = scim_runs(label, plain_url, "plain", args, "p")
    for result, yardstick in zip(scim, plain, strict=True):
        errors = sum(result.non_2xx.values()) + sum(result.errors.values())
        share = 100 * result.rate / yardstick.rate if yardstick.rate else 0.0
        lines.append(
            f"{label:<10} SCIM {result.target:<18} {result.rate:7.1f} req/s  "
            f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
            f"({result.requests:,} requests, {errors} not 2xx; plain FastAPI "
            f"{yardstick.rate:,.0f} req/s: {share:.1f} %)"
        )
        say(lines[-1])
    return lines


def outbox_count(engine: Any, pattern: str) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM outbox WHERE recipient LIKE :p"), {"p": pattern}
        ).scalar()
    return int(found or 0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=10_000, help="employees in the roster")
    parser.add_argument("--seconds", type=float, default=10.0, help="per SCIM run (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent SCIM clients")
    parser.add_argument(
        "--postgres-admin-url",
        default="postgresql://postgres@127.0.0.1/postgres",
        help=f"a PostgreSQL URL allowed to CREATE and DROP DATABASE {IDENTITY_DB}",
    )
    args = parser.parse_args()
    if not 1 <= args.rows <= 100_000 or not 1 <= args.seconds <= 600:
        parser.error("--rows must be 1..100000 and --seconds 1..600")
    if not 1 <= args.connections <= 64:
        parser.error("--connections must be 1..64")
    say(f"opsportal identity benchmark; {os.cpu_count()} CPUs shared by servers and clients")

    load.LOAD_DB = IDENTITY_DB  # postgres_database() creates and drops the database it names
    databases: list[tuple[str, Any]] = []
    if args.database in ("sqlite", "both"):
        databases.append(("SQLite", load.sqlite_database))
    if args.database in ("postgres", "both"):
        databases.append(("PostgreSQL", lambda: load.postgres_database(args.postgres_admin_url)))
    failed = False
    lines: list[str] = []
    for label, database in databases:
        try:
            with database() as url:
                lines += bench_database(label, url, args)
        except SetupError as exc:
            failed = True
            say(f"{label}: setup failed: {exc}")
    say("\nSummary")
    for line in lines:
        say("  " + line)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
