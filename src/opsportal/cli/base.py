"""The command line's shared parts: the typer apps, the unit of work, errors, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

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

from opsportal.config import get_settings
from opsportal.db import SessionFactory, make_engine, make_session_factory, session_scope
from opsportal.errors import DomainError

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
mail_app = typer.Typer(help="The mail outbox.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")
xapi_app = typer.Typer(help="The xAPI statement queue (to the LRS).", no_args_is_help=True)
app.add_typer(xapi_app, name="xapi")

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
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def say(message: str) -> None:
    """A line for the operator on standard error, never wrapped (scripts grep it)."""
    err_console.print(message, highlight=False, soft_wrap=True)


def warn_unset_public_address(what: str) -> None:
    """Outside `serve` nothing says where the portal is: name the address the links took."""
    settings = get_settings()
    if not settings.public_base_url_configured:
        say(
            f"warning: OPSPORTAL_PUBLIC_BASE_URL is not set, so the links in {what} name "
            f"{settings.public_base_url}; set it to the address people reach the portal at"
        )
