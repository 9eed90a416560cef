"""Commands that queue or send mail: the outbox, benchmark runs (drop alerts), reminders."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from opsportal.cli.base import (
    benchmarks_app,
    err_console,
    fail,
    mail_app,
    plural,
    reminders_app,
    say,
    session_factory,
    unit_of_work,
    warn_unset_public_address,
)
from opsportal.config import get_settings
from opsportal.errors import DomainError

if TYPE_CHECKING:
    from opsportal.kit.sending import SendReport

# Who sends what a command only queued.
SENT_LATER = "they are sent by a running server's scheduler or by `opsportal mail send`"
QueueOnly = Annotated[
    bool,
    typer.Option(
        "--queue-only",
        help="Queue the mail and leave it to a server's scheduler or `opsportal mail send`",
    ),
]


def _send_mail_now(*, queue_only: bool, queued: str) -> None:
    """After a command queued mail: send the outbox now, or say that it only queued it.

    `queued` says what this command queued ("queued 3 messages").
    """
    settings = get_settings()
    if queue_only or not settings.smtp_url:
        why = "" if queue_only else " (OPSPORTAL_SMTP_URL is not set here, so none was sent)"
        say(f"{queued}{why}; {SENT_LATER}")
        return
    _, _, said = _send_queued_mail()
    say(f"{queued}; mail: {said}")


def _send_queued_mail() -> tuple[SendReport, int, str]:
    """Send the due mail now: (what happened, how many are still queued, that in words)."""
    from opsportal.notifications.mail import send_queued
    from opsportal.notifications.repository import count_queued

    report = send_queued(session_factory(), settings=get_settings())
    with unit_of_work() as session:
        left = count_queued(session)
    said = f"{report.sent} sent, {report.failed} failed for good"
    if left:
        said += f"; {plural(left, 'message')} still queued ({SENT_LATER})"
    return report, left, said


@mail_app.command("send")
def mail_send() -> None:
    """Send the outbox's due messages now and print how many were sent, retried and failed."""
    from opsportal.notifications.repository import count_queued

    if not get_settings().smtp_url:
        with unit_of_work() as session:
            queued = count_queued(session)
        fail(
            "OPSPORTAL_SMTP_URL is not set: there is no mail server to send to; nothing "
            f"was sent, and the outbox keeps {plural(queued, 'queued message')}."
        )
    report, left, said = _send_queued_mail()
    say(f"mail: {said}")
    counts = {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "skipped": report.skipped,
        "queued": left,
    }
    typer.echo(json.dumps(counts))


@benchmarks_app.command("compute")
def benchmarks_compute(
    date: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day to calculate for (default: today, UTC)"),
    ] = None,
    queue_only: QueueOnly = False,
) -> None:
    """Run the benchmark aggregation now, print a summary, and send the drop alerts' mail."""
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
    from opsportal.notifications.repository import count_queued

    with unit_of_work() as session:
        waiting = count_queued(session)
    if waiting:  # drop alerts this run queued, and any other mail not sent yet
        _send_mail_now(queue_only=queue_only, queued=f"{plural(waiting, 'message')} queued")


@reminders_app.command("send")
def reminders_send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing")
    ] = False,
    queue_only: QueueOnly = False,
) -> None:
    """Queue the training and certificate reminders due now, print each, and send the mail."""
    from opsportal.training.compliance.reminders import due_reminders, send_reminders

    settings = get_settings()
    with unit_of_work() as session:
        if dry_run:
            reminders = due_reminders(session, settings=settings)
            session.rollback()
        else:
            reminders = send_reminders(session, settings=settings)
    # Each reminder is recorded and its email queued in the outbox; whether
    # the email left is what the sending below says.
    verb = "would send" if dry_run else "queued"
    for reminder in reminders:
        typer.echo(f"{verb}\t{reminder.kind}\t{reminder.email}\t{reminder.title}")
    if dry_run:
        say(f"{plural(len(reminders), 'reminder')} would be sent")
        return
    if reminders:
        warn_unset_public_address("the reminders")
    _send_mail_now(queue_only=queue_only, queued=f"queued {plural(len(reminders), 'message')}")
