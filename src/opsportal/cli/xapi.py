"""Commands of the xAPI statement queue: its state, sending now, retrying the failed ones."""

from __future__ import annotations

import json

import typer

from opsportal.cli.base import fail, plural, say, session_factory, unit_of_work, xapi_app
from opsportal.config import get_settings


@xapi_app.command("status")
def xapi_status() -> None:
    """Print the queue's counts, its oldest waiting statement and the latest errors (JSON)."""
    from opsportal.training.content.xapi.service import queue_state

    with unit_of_work() as session:
        state = queue_state(session)
    oldest = state.oldest_queued_at
    say(
        f"xapi: {state.queued} queued, {state.sent} sent, {state.failed} failed"
        + (f"; oldest queued since {oldest:%Y-%m-%d %H:%M} UTC" if oldest else "")
    )
    typer.echo(
        json.dumps(
            {
                "endpoint": get_settings().xapi_endpoint,
                "queued": state.queued,
                "sent": state.sent,
                "failed": state.failed,
                "oldestQueuedAt": oldest.isoformat() if oldest else None,
                "errors": [
                    {
                        "statementId": p.statement_id,
                        "verb": p.verb,
                        "status": p.status.value,
                        "attempts": p.attempts,
                        "error": p.error,
                    }
                    for p in state.problems
                ],
            }
        )
    )


@xapi_app.command("send")
def xapi_send() -> None:
    """Send the due statements to the LRS now and print how many were sent, retried, failed."""
    from opsportal.training.content.xapi.sender import send_queued

    settings = get_settings()
    if settings.xapi_endpoint is None:
        fail("OPSPORTAL_XAPI_ENDPOINT is not set: there is no LRS to send to; nothing was sent.")
    report = send_queued(session_factory(), settings=settings)
    say(f"xapi: {report.sent} sent, {report.retrying} to retry, {report.failed} failed for good")
    typer.echo(
        json.dumps({"sent": report.sent, "retrying": report.retrying, "failed": report.failed})
    )


@xapi_app.command("retry-failed")
def xapi_retry_failed() -> None:
    """Queue every failed statement again (same ids: the LRS keeps one of each)."""
    from opsportal.training.content.xapi.service import retry_failed

    with unit_of_work() as session:
        count = retry_failed(session, actor=None)
    say(
        f"xapi: {plural(count, 'failed statement')} queued again; sent by a running "
        "server's scheduler or by `opsportal xapi send`"
    )
    typer.echo(json.dumps({"queued": count}))
