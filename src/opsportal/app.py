"""The application factory: routers, pages, error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from opsportal import __version__, wiring
from opsportal.audit.endpoints import router as audit_router
from opsportal.audit.pages import router as audit_pages
from opsportal.auth.endpoints import router as identity_router
from opsportal.auth.pages import router as sign_in_pages
from opsportal.auth.sso.endpoints import router as sso_router
from opsportal.auth.sso.pages import redact_callback_queries
from opsportal.auth.sso.pages import router as sso_pages
from opsportal.benchmarks.endpoints import router as benchmarks_router
from opsportal.benchmarks.pages import router as benchmark_pages
from opsportal.benchmarks.published import PublishedDayCache
from opsportal.config import Settings, check_production, get_settings
from opsportal.db import (
    SessionFactory,
    make_engine,
    make_session_factory,
    read_only_factory,
    sqlite_writers_file,
)
from opsportal.metrics.endpoints import router as metrics_router
from opsportal.notifications.endpoints import router as notifications_router
from opsportal.notifications.pages import router as notification_pages
from opsportal.openapi import install_openapi
from opsportal.tenants.endpoints import router as organizations_router
from opsportal.training.admin import router as training_admin_pages
from opsportal.training.admin.quality import router as assessment_pages
from opsportal.training.assessment.endpoints import router as assessment_router
from opsportal.training.catalogue.pages import router as training_pages
from opsportal.training.compliance.endpoints import router as training_compliance_router
from opsportal.training.compliance.pages import router as training_compliance_pages
from opsportal.training.credentials.endpoints import router as credentials_router
from opsportal.training.endpoints import public_router as certificate_verification_router
from opsportal.training.endpoints import router as training_router
from opsportal.training.learner.pages import router as learner_pages
from opsportal.users.endpoints import router as users_router
from opsportal.users.pages import router as user_pages
from opsportal.web.admission import RequestAdmission
from opsportal.web.errors import render_html_error
from opsportal.web.problems import install_error_handlers
from opsportal.web.secret_key import shared_secret_key
from opsportal.web.security import ApiBodyNeedsToken, BodyLimit, SecurityHeaders, install_docs
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
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.read_session_factory = read_only_factory(session_factory)
    app.state.sqlite_writers_file = sqlite_writers_file(settings.database_url)
    app.state.published_cache = PublishedDayCache()
    install_error_handlers(app, html_errors=render_html_error)
    install_openapi(app)
    install_docs(app)
    # Middleware added last runs first: security headers on every answer (the
    # 413s and 401s below included), then the body limit, then the API token
    # check before any body is read, then the session cookie.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or shared_secret_key(session_factory),
        session_cookie="opsportal_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.session_cookie_secure,
    )
    app.add_middleware(ApiBodyNeedsToken, session_factory=session_factory)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RequestAdmission,
        limit=settings.database_pool_size,
        wait_seconds=settings.database_busy_timeout_seconds,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.session_cookie_secure)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(identity_router)
    app.include_router(users_router)
    app.include_router(audit_router)
    app.include_router(organizations_router)
    app.include_router(sso_router)
    app.include_router(metrics_router)
    app.include_router(benchmarks_router)
    app.include_router(notifications_router)
    app.include_router(training_router)
    app.include_router(assessment_router)
    app.include_router(training_compliance_router)
    app.include_router(certificate_verification_router)
    app.include_router(credentials_router)
    app.include_router(sign_in_pages)
    app.include_router(sso_pages)
    redact_callback_queries()
    app.include_router(training_pages)
    app.include_router(training_admin_pages)
    app.include_router(assessment_pages)
    app.include_router(learner_pages)
    app.include_router(training_compliance_pages)
    app.include_router(benchmark_pages)
    app.include_router(notification_pages)
    app.include_router(user_pages)
    app.include_router(audit_pages)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        # Read-only, so that on SQLite a health check never queues for, or
        # holds, the write lock that every other process's writers need.
        with app.state.read_session_factory() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


def serve_app() -> FastAPI:
    """The app as `opsportal serve` runs it in each worker, configured from the environment."""
    settings = get_settings()
    return create_app(settings, run_scheduler=settings.scheduler_enabled)
