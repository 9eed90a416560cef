"""Every training route, JSON and pages, as one router for the app."""

from opsportal.kit.routes import combine
from opsportal.training.admin import router as admin_pages
from opsportal.training.admin.quality import router as quality_pages
from opsportal.training.assessment.endpoints import router as assessment_endpoints
from opsportal.training.assessment.pages import router as assessment_pages
from opsportal.training.catalogue.endpoints import router as catalogue_endpoints
from opsportal.training.catalogue.pages import router as catalogue_pages
from opsportal.training.certification.endpoints import public_router as verification_endpoints
from opsportal.training.certification.endpoints import router as certification_endpoints
from opsportal.training.certification.pages import router as certification_pages
from opsportal.training.compliance.endpoints import router as compliance_endpoints
from opsportal.training.compliance.pages import router as compliance_pages
from opsportal.training.content.endpoints import router as content_endpoints
from opsportal.training.content.export.endpoints import router as scorm_export_endpoints
from opsportal.training.content.export.pages import router as scorm_export_pages
from opsportal.training.content.pages import router as content_pages
from opsportal.training.content.player import router as content_player
from opsportal.training.content.xapi.pages import router as xapi_pages
from opsportal.training.credentials.endpoints import router as credentials_endpoints
from opsportal.training.learner.pages import router as learner_pages
from opsportal.training.translations.endpoints import router as translation_endpoints
from opsportal.training.translations.pages import router as translation_pages

router = combine(
    catalogue_endpoints,
    assessment_endpoints,
    certification_endpoints,
    compliance_endpoints,
    verification_endpoints,
    credentials_endpoints,
    scorm_export_endpoints,
    translation_endpoints,
    catalogue_pages,
    certification_pages,
    admin_pages,
    quality_pages,
    assessment_pages,
    learner_pages,
    compliance_pages,
    content_endpoints,
    content_pages,
    content_player,
    scorm_export_pages,
    xapi_pages,
    translation_pages,
)
