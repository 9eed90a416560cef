"""Every privacy route, JSON and pages, as one router for the app."""

from opsportal.kit.routes import combine
from opsportal.privacy.endpoints import router as endpoints
from opsportal.privacy.pages import router as pages

router = combine(endpoints, pages)
