"""Every auth route, JSON and pages, as one router for the app."""

from opsportal.auth.endpoints import router as endpoints
from opsportal.auth.pages import router as pages
from opsportal.auth.sso.config_pages import router as sso_config_pages
from opsportal.auth.sso.endpoints import router as sso_endpoints
from opsportal.auth.sso.pages import router as sso_pages
from opsportal.kit.routes import combine

router = combine(endpoints, pages, sso_endpoints, sso_pages, sso_config_pages)
