"""Training services for the JSON endpoints and the pages; they flush, the request commits."""

from opsportal.training.service.attempts import (
    get_attempt,
    get_attempt_result,
    start_attempt,
    submit_attempt,
)
from opsportal.training.service.authoring import (
    create_course,
    create_track,
    put_quiz,
    update_course,
    update_track,
    validate_questions,
)
from opsportal.training.service.catalogue import (
    certificate_read,
    course_read,
    get_course,
    get_quiz,
    get_track_overview,
    list_tracks_for,
    quiz_read,
    status_of,
    track_completed,
    track_read,
    visible_types,
)
from opsportal.training.service.certification import (
    certificate_document,
    get_certificate,
    issue_certificate,
    list_certificates,
    render_certificate_pdf,
    revoke_certificate,
    verify_certificate,
)

__all__ = [
    "certificate_document",
    "certificate_read",
    "course_read",
    "create_course",
    "create_track",
    "get_attempt",
    "get_attempt_result",
    "get_certificate",
    "get_course",
    "get_quiz",
    "get_track_overview",
    "issue_certificate",
    "list_certificates",
    "list_tracks_for",
    "put_quiz",
    "quiz_read",
    "render_certificate_pdf",
    "revoke_certificate",
    "start_attempt",
    "status_of",
    "submit_attempt",
    "track_completed",
    "track_read",
    "update_course",
    "update_track",
    "validate_questions",
    "verify_certificate",
    "visible_types",
]
