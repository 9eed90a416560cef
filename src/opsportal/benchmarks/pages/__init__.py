"""Benchmark pages: an organisation's scorecard (`scorecard`) and the staff's own (`staff`)."""

from fastapi import APIRouter

from opsportal.benchmarks.pages import scorecard, staff

router = APIRouter(include_in_schema=False)
router.include_router(scorecard.router)
router.include_router(staff.router)

__all__ = ["router"]
