"""Every benchmarks route, JSON and pages, as one router for the app."""

from opsportal.benchmarks.endpoints import router as endpoints
from opsportal.benchmarks.pages import router as pages
from opsportal.kit.routes import combine

router = combine(endpoints, pages)
