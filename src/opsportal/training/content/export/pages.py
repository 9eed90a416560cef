"""The admin track page's "Download as SCORM 1.2" link: the same package as the API's."""

from __future__ import annotations

from fastapi import APIRouter, Response

from opsportal.deps import ResourceId, SessionDep
from opsportal.kit.downloads import attachment
from opsportal.training.content.export.endpoints import ZIP
from opsportal.training.content.export.package import export_track
from opsportal.web.session import PageAdmin

router = APIRouter(include_in_schema=False)


@router.get("/admin/tracks/{track_id}/scorm-package")
def track_scorm_package_page(
    track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    filename, body = export_track(session, track_id=track_id)
    return attachment(body, filename=filename, media_type=ZIP)
