"""One router from several: how a domain hands the app its JSON routes and its pages together."""

from __future__ import annotations

from fastapi import APIRouter


def combine(*routers: APIRouter) -> APIRouter:
    combined = APIRouter()
    for router in routers:
        combined.include_router(router)
    return combined
