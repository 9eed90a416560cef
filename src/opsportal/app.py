"""The application factory: routers, pages, error handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from opsportal import __version__, wiring
from opsportal.audit import routes as audit_routes
from opsportal.auth import routes as auth_routes
from opsportal.auth.sso.pages import redact_callback_queries
from opsportal.benchmarks import routes as benchmarks_routes
from opsportal.benchmarks.published import PublishedDayCache
from opsportal.benchmarks.service.history import HistoryCache
from opsportal.config import Settings, get_settings
from opsportal.config_production import check_production
from opsportal.db import (
    SessionFactory,
    make_engine,
    make_session_factory,
    read_only_factory,
    sqlite_writers_file,
)
from opsportal.metrics import routes as metrics_routes
from opsportal.notifications import routes as notifications_routes
from opsportal.openapi import install_openapi
from opsportal.operations import routes as operations_routes
from opsportal.privacy import routes as privacy_routes
from opsportal.tenants import routes as tenants_routes
from opsportal.training import routes as training_routes
from opsportal.training.content.endpoints import UPLOAD_PATH as SCORM_UPLOAD_PATH
from opsportal.training.content.pages import UPLOAD_PAGE_PATH as SCORM_UPLOAD_PAGE_PATH
from opsportal.training.content.player import PREFIX as SCORM_PREFIX
from opsportal.users import routes as users_routes
from opsportal.users.invitations import PASSWORD_LINK_PATH
from opsportal.users.scim.endpoints import PREFIX as SCIM_PREFIX
from opsportal.users.scim.endpoints import create_scim_app
from opsportal.web import pages as web_pages
from opsportal.web.access_log import redact_access_log
from opsportal.web.admission import RequestAdmission
from opsportal.web.api_docs import install_docs
from opsportal.web.content_origin import SeparateOrigin, origin_host
from opsportal.web.errors import render_html_error
from opsportal.web.locales import RequestLocale
from opsportal.web.logs import RequestId
from opsportal.web.problems import install_error_handlers
from opsportal.web.routing import install_route_index
from opsportal.web.secret_key import shared_secret_key
from opsportal.web.security import (
    ApiBodyNeedsToken,
    BodyLimit,
    LargerBodies,
    SecurityHeaders,
)
from opsportal.web.telemetry import RequestMetrics, watch_pool
from opsportal.web.templating import STATIC_DIR

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: SessionFactory | None = None,
    run_scheduler: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    # Here rather than in `serve`, so every way of starting the app refuses
    # (`uvicorn opsportal.app:serve_app --factory` included).
    check_production(settings)
    wiring.install(settings)
    # One-time links carry their secret in the path: never in the access log.
    # So do SCORM launches: their key is in the content's path.
    redact_access_log([PASSWORD_LINK_PATH, SCORM_PREFIX])
    if session_factory is None:
        session_factory = make_session_factory(
            make_engine(
                settings.database_url,
                busy_timeout=settings.database_busy_timeout_seconds,
                pool_size=settings.database_pool_size,
            )
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler: Any = None
        if run_scheduler:
            from opsportal.scheduler import start_scheduler

            scheduler = start_scheduler(settings, session_factory)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)

    app = FastAPI(
        title="opsportal",
        version=__version__,
        description="Peer benchmarks and training certification for the operations team.",
        lifespan=lifespan,
        # Served by install_docs from local files, without inline script.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    bind = session_factory.kw.get("bind")
    if isinstance(bind, Engine):
        watch_pool(bind)
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.read_session_factory = read_only_factory(session_factory)
    app.state.sqlite_writers_file = sqlite_writers_file(settings.database_url)
    app.state.published_cache = PublishedDayCache()
    app.state.history_cache = HistoryCache()
    install_error_handlers(app, html_errors=render_html_error)
    install_openapi(app)
    install_docs(app)
    # Middleware added last runs first: security headers on every answer (the
    # 401s, 408s, 413s and 503s below included); the API token check before any
    # body is read; the whole body read, under a size limit and a deadline, before
    # the request is admitted, so a slow client holds no slot, lock or turn; then
    # admission, and the session cookie; innermost, the request's language.
    app.add_middleware(RequestLocale)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or shared_secret_key(session_factory),
        session_cookie="opsportal_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.session_cookie_secure,
    )
    app.add_middleware(
        RequestAdmission,
        limit=settings.database_pool_size,
        wait_seconds=settings.database_busy_timeout_seconds,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_read_timeout_seconds,
        larger=[
            LargerBodies(
                path=re.compile(path),
                # The package, and the multipart form around it.
                max_bytes=settings.scorm_max_package_bytes + 64 * 1024,
                timeout_seconds=settings.scorm_upload_timeout_seconds,
            )
            for path in (SCORM_UPLOAD_PATH, SCORM_UPLOAD_PAGE_PATH)
        ],
    )
    app.add_middleware(
        ApiBodyNeedsToken,
        session_factory=session_factory,
        checks_at_once=settings.database_pool_size,
    )
    # SCORM content on its own origin, and nothing else there (web/content_origin.py).
    app.add_middleware(SeparateOrigin, host=_content_host(settings), prefix=SCORM_PREFIX)
    app.add_middleware(SecurityHeaders, hsts=settings.session_cookie_secure)
    # Outermost: every answer, the middleware's own 413s and 503s included, is
    # counted, and carries (and logs) its request id.
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestId)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # SCIM answers in its own protocol's messages: an application of its own, sharing this state.
    scim_app = create_scim_app()
    scim_app.state = app.state
    app.mount(SCIM_PREFIX, scim_app, name="scim")

    # One router per domain; each holds its JSON routes and its pages.
    for domain_router in (
        auth_routes.router,
        users_routes.router,
        audit_routes.router,
        tenants_routes.router,
        metrics_routes.router,
        benchmarks_routes.router,
        notifications_routes.router,
        training_routes.router,
        privacy_routes.router,
        operations_routes.router,
        web_pages.router,
    ):
        app.include_router(domain_router)
    # One flat route table, matched by the request's first path segment (web/routing.py).
    install_route_index(app)
    # The access log never shows an OIDC callback's one-time code.
    redact_callback_queries()

    return app


def _content_host(settings: Settings) -> str | None:
    """The content origin's host, unless it is unset or (a mistake) the portal's own."""
    if settings.content_base_url is None:
        return None
    host = origin_host(settings.content_base_url)
    return None if host == origin_host(settings.public_base_url) else host


def serve_app() -> FastAPI:
    """The app as `opsportal serve` runs it in each worker, configured from the environment."""
    settings = get_settings()
    return create_app(settings, run_scheduler=settings.scheduler_enabled)
