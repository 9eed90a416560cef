"""Benchmark pages: an organisation's scorecard (`scorecard`), the staff's own (`staff`), and
the organisation list with its benchmark filter (`organizations`)."""

from fastapi import APIRouter

from opsportal.benchmarks.pages import organizations, scorecard, scorecard_pdf, staff

router = APIRouter(include_in_schema=False)
router.include_router(scorecard.router)
router.include_router(scorecard_pdf.router)
router.include_router(staff.router)
router.include_router(organizations.router)

__all__ = ["router"]
