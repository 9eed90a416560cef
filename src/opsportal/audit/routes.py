"""Every audit route, JSON and pages, as one router for the app."""

from opsportal.audit.endpoints import router as endpoints
from opsportal.audit.pages import router as pages
from opsportal.kit.routes import combine

router = combine(endpoints, pages)
