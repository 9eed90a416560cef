"""Every users route, JSON and pages, as one router for the app."""

from opsportal.kit.routes import combine
from opsportal.users.endpoints import router as endpoints
from opsportal.users.pages import router as pages

router = combine(endpoints, pages)
