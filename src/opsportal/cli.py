"""The `opsportal` command line."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from sqlalchemy.orm import Session

from opsportal.config import ConfigurationError, check_production, get_settings
from opsportal.db import SessionFactory, make_engine, make_session_factory, session_scope
from opsportal.errors import DomainError
from opsportal.models import Role

app = typer.Typer(
    help="opsportal: peer benchmarks and training certification.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users and API tokens.", no_args_is_help=True)
import_app = typer.Typer(help="Bulk loads from CSV files.", no_args_is_help=True)
benchmarks_app = typer.Typer(help="Peer benchmark aggregation.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(import_app, name="import")
app.add_typer(benchmarks_app, name="benchmarks")
reminders_app = typer.Typer(help="Training and certificate reminders.", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")
keys_app = typer.Typer(help="Credential signing keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

err_console = Console(stderr=True)

# Tests swap this for a factory bound to their own transaction.
_session_factory: SessionFactory | None = None


def session_factory() -> SessionFactory:
    global _session_factory
    if _session_factory is None:
        _session_factory = make_session_factory(make_engine(get_settings().database_url))
    return _session_factory


@app.callback()
def main() -> None:
    """opsportal: peer benchmarks and training certification."""
    from opsportal import wiring

    # What the app wires at start-up, the command line wires too: users created
    # here get their required tracks, benchmark runs compute training completion.
    wiring.install(get_settings())


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session that commits at the end, turning domain errors into a clean exit."""
    try:
        with session_scope(session_factory()) as session:
            yield session
    except DomainError as exc:
        fail(exc.detail)


def fail(message: str) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code=1)


class _Amount(ProgressColumn):
    """Rows as "done/total"; a file being read (unit="bytes") in MB; a step nothing."""

    _rows = MofNCompleteColumn()
    _bytes = DownloadColumn()

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if unit == "step":
            return Text()
        return (self._bytes if unit == "bytes" else self._rows).render(task)


class _Steps:
    """An import's work as progress lines: rows counted, then a line per named step.

    A step is one statement with nothing to count, so its bar pulses and its
    clock runs until the next step begins: a long one never looks finished.
    """

    def __init__(self, progress: Progress, *, rows: int) -> None:
        self._progress = progress
        self._rows = rows
        self._counting: TaskID | None = None
        self._step: TaskID | None = None

    def advance(self, count: int) -> None:
        if self._counting is None:
            self.finish()
            self._counting = self._progress.add_task("values", total=self._rows)
        self._progress.advance(self._counting, count)

    def begin(self, name: str) -> None:
        self.finish()
        self._step = self._progress.add_task(name, total=None, unit="step")

    def finish(self) -> None:
        if self._step is not None:
            self._progress.update(self._step, total=1, completed=1)
            self._step = None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _Amount(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    from opsportal.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    err_console.print(f"database is up to date: {_redact(url)}", highlight=False)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login email, unique")],
    name: Annotated[str, typer.Option(help="Display name, as printed on certificates")],
    role: Annotated[Role, typer.Option(help="admin, internal, customer or customer_admin")],
    org: Annotated[
        int | None, typer.Option(help="Organisation id (customer and customer_admin only)")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password for the web login (optional)")
    ] = None,
    token_expires_days: Annotated[
        int | None,
        typer.Option(min=1, max=3650, help="The API token expires after N days (default: never)"),
    ] = None,
) -> None:
    """Create a user and print {"id", "token"}; the API token is shown only this once."""
    from datetime import UTC, timedelta

    from opsportal.auth.service import create_user, issue_token

    expires_at = (
        datetime.now(UTC) + timedelta(days=token_expires_days) if token_expires_days else None
    )
    with unit_of_work() as session:
        user = create_user(
            session, email=email, name=name, role=role, organization_id=org, password=password
        )
        token = issue_token(session, user=user, label="cli", expires_at=expires_at)
        user_id = user.id
    typer.echo(json.dumps({"id": user_id, "token": token}))


@import_app.command("organizations")
def import_organizations(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Upsert organisations by externalId from a CSV file, all or nothing.

    Columns: externalId,name,industrySector,employeeCount,status.
    """
    from opsportal.tenants.service import read_organization_csv, upsert_organizations

    with unit_of_work() as session:
        with file.open(newline="", encoding="utf-8-sig") as stream:
            rows = read_organization_csv(stream)
        with progress_bar() as progress:
            task = progress.add_task("organizations", total=len(rows))
            summary = upsert_organizations(
                session,
                rows=(row for _, row in rows),
                progress=lambda n: progress.advance(task, n),
            )
    typer.echo(
        json.dumps({"created": summary.created, "updated": summary.updated, "total": summary.total})
    )


@import_app.command("values")
def import_values(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Load metric values from a CSV file, all or nothing.

    Columns: organization,metric,value,recordedOn (organization: an externalId or an id).
    """
    from opsportal.metrics.service import import_value_csv, read_value_csv

    size = file.stat().st_size
    with unit_of_work() as session, progress_bar() as progress:
        reading = progress.add_task(f"reading {file.name}", total=size, unit="bytes")
        with file.open("rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as stream:
            # The byte offset, not the lines: a line's length is unknown until read.
            parsed = read_value_csv(
                session, stream, progress=lambda _: progress.update(reading, completed=raw.tell())
            )
        progress.update(reading, completed=size)
        steps = _Steps(progress, rows=len(parsed.rows))
        accepted = import_value_csv(
            session, parsed=parsed, progress=steps.advance, stage=steps.begin
        )
        steps.finish()
    typer.echo(json.dumps({"accepted": accepted}))


@import_app.command("users")
def import_users(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option(help="The organisation: its externalId, or its id")],
    no_invite: Annotated[
        bool, typer.Option("--no-invite", help="Do not email new users an invitation")
    ] = False,
) -> None:
    """Import a roster of a customer organisation's users from a CSV file, all or nothing.

    Columns: email,name,role,externalId (role: customer or customer_admin, default
    customer). New emails become users, invited by email unless --no-invite; known
    ones get their name, role and externalId brought up to date.
    """
    from opsportal.users.repository import organization_by_key
    from opsportal.users.roster.parse import parse_roster
    from opsportal.users.roster.service import apply_import, plan_import

    settings = get_settings()
    size = file.stat().st_size
    with unit_of_work() as session, progress_bar() as progress:
        organization = organization_by_key(session, org.strip())
        if organization is None:
            fail(f"no organization has externalId or id {org!r}")
        reading = progress.add_task(f"reading {file.name}", total=size, unit="bytes")
        try:
            with file.open("rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as stream:
                roster = parse_roster(
                    stream, progress=lambda _: progress.update(reading, completed=raw.tell())
                )
        except UnicodeDecodeError:
            fail(f"{file.name} is not UTF-8 text (save it as CSV UTF-8); nothing was imported")
        progress.update(reading, completed=size)
        plan = plan_import(
            session, principal=None, organization=organization, roster=roster, invite=not no_invite
        )
        if plan.errors:
            progress.stop()
            for error in plan.errors[:50]:
                where = f"line {error.line}" + (f", {error.column}" if error.column else "")
                err_console.print(f"{where}: {error.message}", highlight=False, markup=False)
            more = " (the first 50 are listed)" if len(plan.errors) > 50 else ""
            fail(f"{len(plan.errors)} bad line(s){more}; nothing was imported")
        task = progress.add_task("users", total=len(plan.lines))
        summary = apply_import(
            session,
            principal=None,
            plan=plan,
            settings=settings,
            progress=lambda count: progress.advance(task, count),
        )
    typer.echo(
        json.dumps(
            {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "invited": summary.invited,
            }
        )
    )


@benchmarks_app.command("compute")
def benchmarks_compute(
    date: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day to calculate for (default: today, UTC)"),
    ] = None,
) -> None:
    """Run the benchmark aggregation now and print a summary."""
    from opsportal.benchmarks.service import run_benchmarks

    try:
        summary = run_benchmarks(
            session_factory(),
            settings=get_settings(),
            calculated_for=date.date() if date else None,
            trigger="cli",
        )
    except DomainError as exc:
        fail(exc.detail)
    err_console.print(
        f"benchmarks for {summary.calculated_for}: {summary.cohorts_published} cohorts published, "
        f"{summary.cohorts_suppressed} suppressed (under the privacy minimum), "
        f"{summary.duration_ms} ms",
        highlight=False,
    )
    typer.echo(summary.model_dump_json(by_alias=True))


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new Ed25519 key to sign credentials and print its kid.

    The retired key stays in /.well-known/jwks.json, so credentials it signed still verify.
    """
    from opsportal.training.credentials.signing import rotate_key
    from opsportal.web.secret_key import shared_secret_key

    settings = get_settings()
    try:
        secret = settings.secret_key or shared_secret_key(session_factory())
    except ConfigurationError as exc:
        fail(str(exc))
    with unit_of_work() as session:
        kid = rotate_key(session, secret=secret)
    typer.echo(kid)


def demo_base_url(host: str, port: int) -> str:
    """Where the demo serves, as links and QR codes should name it."""
    if host in ("0.0.0.0", "::", ""):
        # Bound to every interface: other devices reach it by the machine's name.
        import socket

        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@reminders_app.command("send")
def reminders_send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing")
    ] = False,
) -> None:
    """Send the training and certificate reminders due now; print each one."""
    from opsportal.training.compliance.reminders import due_reminders, send_reminders

    settings = get_settings()
    with unit_of_work() as session:
        if dry_run:
            reminders = due_reminders(session, settings=settings)
            session.rollback()
        else:
            reminders = send_reminders(session, settings=settings)
    verb = "would send" if dry_run else "sent"
    for reminder in reminders:
        typer.echo(f"{verb}\t{reminder.kind}\t{reminder.email}\t{reminder.title}")
    err_console.print(
        f"{len(reminders)} reminder{'' if len(reminders) == 1 else 's'} {verb}", highlight=False
    )


def _serve(host: str, port: int, *, run_scheduler: bool, workers: int = 1) -> None:
    import uvicorn

    from opsportal.benchmarks.service import close_abandoned_runs
    from opsportal.web.secret_key import shared_secret_key
    from opsportal.web.workers import Supervisor, own_sockets_supported

    settings = get_settings()
    try:
        check_production(settings)
        if not settings.secret_key:
            # Made (or read) once here, so the workers all find it in the database.
            shared_secret_key(session_factory())
    except ConfigurationError as exc:
        fail(str(exc))
    try:
        close_abandoned_runs(session_factory())
    except Exception as exc:  # the server can still start; the next run tries again
        err_console.print(f"[yellow]warning:[/] could not check for abandoned runs: {exc}")
    # Every worker builds its app from the environment (serve_app), so the
    # choice made here reaches them through it.
    os.environ["OPSPORTAL_SCHEDULER_ENABLED"] = str(run_scheduler and settings.scheduler_enabled)
    get_settings.cache_clear()
    if workers > 1 and own_sockets_supported():
        supervisor = Supervisor(host, port, workers, say=err_console.print)
        try:
            code = supervisor.run()
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(code)
    uvicorn.run(
        "opsportal.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each runs the scheduler)")
    ] = 1,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Do not run the scheduled jobs in this server")
    ] = False,
) -> None:
    """Serve the HTTP API and web pages (with the scheduled jobs unless --no-scheduler).

    Scheduled jobs run once per firing however many workers and replicas serve.
    """
    _serve(host, port, run_scheduler=not no_scheduler, workers=workers)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo data, print the logins, then exit")
    ] = False,
) -> None:
    """Migrate, load demo data (idempotent), print how to log in, and serve."""
    from opsportal.demo import load_demo
    from opsportal.migrate import upgrade

    base = demo_base_url(host, port)
    if not os.environ.get("OPSPORTAL_PUBLIC_BASE_URL"):
        # Certificate links and QR codes point where this demo serves, not at the
        # default port; the workers read it from the environment too.
        os.environ["OPSPORTAL_PUBLIC_BASE_URL"] = base
        get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    with unit_of_work() as session:
        logins = load_demo(session, settings=settings, say=err_console.print)
    lines = [
        "",
        f"opsportal demo is ready at {base}/login  (API docs: {base}/docs)",
        "",
        "Log in with (email / password / API token):",
    ]
    lines += [
        f"  {login.role:<14} {login.email} / {login.password} / {login.token}" for login in logins
    ]
    lines += ["", f'Try:  curl -H "Authorization: Bearer {logins[0].token}" {base}/api/v1/me', ""]
    typer.echo("\n".join(lines))
    sys.stdout.flush()
    if not no_serve:
        _serve(host, port, run_scheduler=True)


if __name__ == "__main__":  # pragma: no cover
    app()
