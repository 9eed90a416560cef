"""Every users route, JSON and pages (roster import and SCIM tokens too), as one router for the app.

SCIM itself is an application of its own, mounted by the app (`users.scim.endpoints`).
"""

from opsportal.kit.routes import combine
from opsportal.users.endpoints import router as endpoints
from opsportal.users.language_pages import router as language_pages
from opsportal.users.pages import router as pages
from opsportal.users.password_pages import router as password_pages
from opsportal.users.roster.pages import router as roster_pages
from opsportal.users.scim.pages import router as scim_pages

# The roster and SCIM pages first: their paths sit under the user pages' /admin/users/{id}.
router = combine(endpoints, roster_pages, scim_pages, pages, password_pages, language_pages)
