"""Probes and metrics for the platform: `/healthz`, `/readyz`, `/metrics`."""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from opsportal import __version__
from opsportal.config import Settings
from opsportal.deps import SettingsDep
from opsportal.errors import Forbidden, Unauthorized
from opsportal.kit import telemetry
from opsportal.operations.collector import DatabaseCollector
from opsportal.operations.health import readiness
from opsportal.web.problems import problem

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Asks nothing of the database (see /readyz)."""
    return {"status": "ok", "version": __version__}


@router.get(
    "/readyz",
    responses={
        503: {
            "description": "Not ready: the database does not answer, or the schema "
            "is not at head (the problem document says which)"
        }
    },
)
def readyz(request: Request) -> Response:
    """Readiness: the database answers and its schema is at the migrations' head."""
    state = readiness(request.app.state.read_session_factory)
    if not state.ready:
        return problem(
            503,
            "Not ready",
            state.detail,
            slug=f"not-ready-{state.problem}",
            headers={"Retry-After": "5"},
            reason=state.problem,
        )
    return JSONResponse({"status": "ready", "revision": state.revision, "version": __version__})


def _check_scraper(request: Request, settings: Settings) -> None:
    networks = settings.metrics_networks
    if networks:
        host = request.client.host if request.client is not None else ""
        try:
            address = ip_address(host)
        except ValueError:
            address = None
        if address is None or not any(address in network for network in networks):
            raise Forbidden("Metrics are served to the configured addresses only.")
    token = settings.metrics_token
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise Unauthorized("Send the metrics token as `Authorization: Bearer <token>`.")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics, summed over every worker process of this server.

    Needs `Authorization: Bearer <OPSPORTAL_METRICS_TOKEN>` when that is set.
    """
    _check_scraper(request, settings)
    body = telemetry.exposition(DatabaseCollector(request.app.state.read_session_factory))
    return Response(content=body, media_type=telemetry.CONTENT_TYPE)
