"""Commands that serve: `serve`, and `demo` (migrate, load the demo data, serve)."""

from __future__ import annotations

import logging.config
import os
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Annotated

import typer

from opsportal.cli.base import app, err_console, fail, session_factory, unit_of_work
from opsportal.config import get_settings
from opsportal.config_production import ConfigurationError, check_production
from opsportal.db import session_scope

SERVE_LOGGER = "opsportal.serve"
# How long `opsportal demo` waits for its server before it loads the demo data anyway.
DEMO_SERVE_WAIT_SECONDS = 60.0


def served_base_url(host: str, port: int) -> str:
    """Where this process serves, as links and QR codes should name it."""
    if host in ("0.0.0.0", "::", ""):
        # Bound to every interface: other devices reach it by the machine's name.
        import socket

        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _refuse_unfit_settings() -> None:
    try:
        check_production(get_settings())
    except ConfigurationError as exc:
        fail(str(exc))


def _adopt_served_address(host: str, port: int) -> str | None:
    """Without a configured public address, links name where this process serves.

    Returns that address when it was adopted, None when one is configured. Set in
    the environment, so the workers (which build their app from it) and the
    scheduled jobs they run name it too, never the default port's.
    """
    if get_settings().public_base_url_configured:
        return None
    base = served_base_url(host, port)
    os.environ["OPSPORTAL_PUBLIC_BASE_URL"] = base
    get_settings.cache_clear()
    return base


def _serve(host: str, port: int, *, run_scheduler: bool, workers: int = 1) -> None:
    import uvicorn

    from opsportal.benchmarks.service import close_abandoned_runs
    from opsportal.web.logs import log_config
    from opsportal.web.secret_key import shared_secret_key
    from opsportal.web.serving import uvicorn_options
    from opsportal.web.workers import (
        Supervisor,
        metrics_directory,
        own_sockets_supported,
        uvicorn_logging,
    )

    _refuse_unfit_settings()
    adopted = _adopt_served_address(host, port)
    settings = get_settings()
    try:
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
    # This process logs as its workers do (one configuration, web/logs.py).
    logging.config.dictConfig(log_config(get_settings()))
    if adopted is not None:
        logging.getLogger(SERVE_LOGGER).warning(
            "OPSPORTAL_PUBLIC_BASE_URL is not set: links in emails, certificates and "
            "credentials name %s, where this server listens. Set it to the address "
            "people reach the portal at when that is another one.",
            adopted,
        )
    with metrics_directory():
        if workers > 1 and own_sockets_supported():
            # Its messages are log lines like the workers' (JSON too, when configured).
            supervisor = Supervisor(host, port, workers, say=logging.getLogger(SERVE_LOGGER).info)
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
            **uvicorn_options(get_settings()),
            **uvicorn_logging(),
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
    """Migrate, load demo data (idempotent), print how to log in, and serve.

    It serves as soon as the logins are made; the rest of the demo data
    (benchmarks, training, assignments: a few seconds) loads meanwhile, in the
    background, and the console says when it is ready.
    """
    from opsportal.demo import load_demo, load_demo_logins
    from opsportal.migrate import upgrade

    _refuse_unfit_settings()
    base = served_base_url(host, port)
    # Certificate links and QR codes point where this demo serves, not at the
    # default port (unless a public address is configured).
    _adopt_served_address(host, port)
    if not os.environ.get("OPSPORTAL_CONTENT_BASE_URL") and host in ("127.0.0.1", "localhost"):
        # SCORM content needs an origin of its own: on a laptop, the other loopback
        # name is another site (docs/security.md#scorm-content-on-its-own-origin).
        other = "localhost" if host == "127.0.0.1" else "127.0.0.1"
        os.environ["OPSPORTAL_CONTENT_BASE_URL"] = f"http://{other}:{port}"
        get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    with unit_of_work() as session:
        if no_serve:
            logins = load_demo(session, settings=settings, say=err_console.print)
        else:
            logins = load_demo_logins(session, settings=settings, say=err_console.print)
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
    if no_serve:
        return
    loaders: list[subprocess.Popen[bytes]] = []
    threading.Thread(
        target=_load_once_serving, args=(base, loaders), name="demo data", daemon=True
    ).start()
    try:
        _serve(host, port, run_scheduler=True)
    finally:
        for loader in loaders:
            if loader.poll() is None:
                loader.terminate()


def _load_once_serving(base: str, loaders: list[subprocess.Popen[bytes]]) -> None:
    """Start loading the demo data once the server answers.

    Not before: the server's start writes (its secret key, abandoned runs), and
    on SQLite it would wait for the loader's transaction. In a process of its
    own, so loading takes the other core rather than the server's.
    """
    deadline = time.monotonic() + DEMO_SERVE_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    command = "from opsportal.cli.server import load_demo_data; load_demo_data()"
    loaders.append(subprocess.Popen([sys.executable, "-c", command]))


def load_demo_data() -> None:
    """The demo's data, in one transaction, beside the server that already serves."""
    from opsportal.demo import load_demo_data as load

    err_console.print("loading the demo data in the background; the portal is already serving")
    try:
        with session_scope(session_factory()) as session:
            load(session, settings=get_settings(), say=err_console.print)
    except Exception as exc:  # the server goes on serving what there is
        err_console.print(f"[bold red]error:[/] the demo data did not load: {exc}")
        return
    err_console.print("demo data ready")
