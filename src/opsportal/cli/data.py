"""Commands that change data: the schema, users, CSV imports, credential keys."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from opsportal.cli.base import (
    _Steps,
    db_app,
    err_console,
    fail,
    import_app,
    keys_app,
    progress_bar,
    session_factory,
    unit_of_work,
    user_app,
    warn_unset_public_address,
)
from opsportal.config import get_settings
from opsportal.config_production import ConfigurationError
from opsportal.models import Role


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
    if summary.invited:
        warn_unset_public_address("the invitations")
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
