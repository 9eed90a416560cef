"""Every auth route, JSON and pages, as one router for the app."""

from opsportal.auth.endpoints import router as endpoints
from opsportal.auth.pages import router as pages
from opsportal.kit.routes import combine

router = combine(endpoints, pages)
