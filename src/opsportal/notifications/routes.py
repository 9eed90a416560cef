"""Every notifications route, JSON and pages, as one router for the app."""

from opsportal.kit.routes import combine
from opsportal.notifications.endpoints import router as endpoints
from opsportal.notifications.pages import router as pages

router = combine(endpoints, pages)
