"""Commands that keep a deployment: `backup`, `restore`, and `retention apply`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opsportal.cli.base import app, fail, plural, say, unit_of_work
from opsportal.config import get_settings

retention_app = typer.Typer(help="Retention of personal data and history.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


def _size(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (replaced if it exists)")],
) -> None:
    """Take a consistent online copy of the database, safe while the server writes.

    SQLite: SQLite's backup API, then an integrity check of the copy.
    PostgreSQL: pg_dump's custom format (needs pg_dump installed).
    """
    from opsportal.operations.backup import BackupError
    from opsportal.operations.backup import backup as take_backup

    settings = get_settings()
    try:
        outcome = take_backup(
            settings.database_url, file, busy_timeout=settings.database_busy_timeout_seconds
        )
    except BackupError as exc:
        fail(str(exc))
    say(
        f"backed up {plural(outcome.tables, 'table')} (schema revision {outcome.revision}) "
        f"to {outcome.path}: {_size(outcome.size)}"
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `opsportal backup`")],
) -> None:
    """Restore a backup into the configured database, which must be empty."""
    from opsportal.operations.backup import BackupError
    from opsportal.operations.backup import restore as restore_backup

    settings = get_settings()
    try:
        outcome = restore_backup(settings.database_url, file)
    except BackupError as exc:
        fail(str(exc))
    say(
        f"restored {plural(outcome.tables, 'table')} (schema revision {outcome.revision}) "
        f"from {file}; run `opsportal db upgrade` if this version's schema is newer"
    )


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing")
    ] = False,
) -> None:
    """Delete what the retention settings say is past its time; print the counts per kind."""
    from opsportal.privacy.retention import apply_retention

    settings = get_settings()
    with unit_of_work() as session:
        applied = apply_retention(session, settings=settings, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for item in applied:
        if item.days is None:
            typer.echo(f"{item.kind}: kept (no retention set)")
        else:
            typer.echo(f"{item.kind}: {verb} {item.rows} (older than {item.days} days)")
