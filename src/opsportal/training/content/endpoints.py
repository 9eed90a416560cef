"""SCORM's JSON route: an admin uploads a package as a new course of a track."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from opsportal.auth.deps import AdminUser
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.training.content import service
from opsportal.training.content.schemas import ScormCourseRead

router = APIRouter(prefix="/api/v1/training", tags=["training"])

# The upload's path, for the body limit that lets a package through (app.py).
UPLOAD_PATH = r"/api/v1/training/tracks/\d+/courses/scorm"


@router.post("/tracks/{track_id}/courses/scorm", status_code=201, response_model=ScormCourseRead)
def upload_scorm_course(
    track_id: ResourceId,
    file: Annotated[UploadFile, File(description="A SCORM 1.2 or 2004 package (.zip)")],
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
    title: Annotated[str | None, Form(max_length=200)] = None,
) -> ScormCourseRead:
    """Add a course played from a SCORM 1.2 or 2004 package; 422 naming the problem when the
    zip is not a package opsportal can play (nothing is stored then)."""
    imported = service.import_package(
        session,
        track_id=track_id,
        upload=file.file,
        filename=file.filename or "",
        settings=settings,
        actor=admin,
        title=title,
    )
    return service.scorm_course_read(imported)
