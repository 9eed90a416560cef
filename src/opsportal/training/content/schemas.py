"""The API's shapes for SCORM courses and their runtime."""

from __future__ import annotations

from datetime import datetime

from opsportal.schemas import ApiModel
from opsportal.training.schemas import CourseRead


class ScormPackageRead(ApiModel):
    id: int
    version: str
    edition: str
    title: str
    launch_path: str
    file_count: int
    total_bytes: int
    created_at: datetime


class ScormCourseRead(CourseRead):
    scorm_package: ScormPackageRead


class CommitResult(ApiModel):
    """What the runtime gets back from a commit (scorm-again reads `result` and `errorCode`)."""

    result: bool
    error_code: int
    completed: bool
    track_completed: bool
