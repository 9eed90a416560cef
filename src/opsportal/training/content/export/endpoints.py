"""GET /api/v1/training/tracks/{id}/scorm-package: a native track as a SCORM 1.2 package."""

from __future__ import annotations

from fastapi import APIRouter, Response

from opsportal.auth.deps import AdminUser
from opsportal.deps import ResourceId, SessionDep
from opsportal.kit.downloads import attachment, download_route
from opsportal.training.content.export.package import export_track

ZIP = "application/zip"

router = APIRouter(prefix="/api/v1/training", tags=["training"])


@router.get(
    "/tracks/{track_id}/scorm-package",
    **download_route(ZIP, "A SCORM 1.2 package: one SCO per course, graded in the package"),
)
def track_scorm_package(track_id: ResourceId, session: SessionDep, user: AdminUser) -> Response:
    """Download a track as a SCORM 1.2 package for another LMS (admin). 409 with no course."""
    filename, body = export_track(session, track_id=track_id)
    return attachment(body, filename=filename, media_type=ZIP)
