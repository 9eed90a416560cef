"""SCORM pages: the admins' "Add SCORM package" form, and the learner's player.

The player page is the portal's; it frames the runtime from the content origin
(`OPSPORTAL_CONTENT_BASE_URL`). The launch key goes from the launch (a POST) to
the page through the learner's own signed session cookie, never through a URL
of the portal, so reloading the page resumes the same launch.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import InvalidInput, NotFound
from opsportal.models.base import utcnow
from opsportal.training.admin import service as admin
from opsportal.training.admin.tracks import see_other
from opsportal.training.catalogue import service as catalogue
from opsportal.training.content import runtime, service
from opsportal.web.i18n import DEFAULT_LOCALE, _, current_locale, ngettext
from opsportal.web.security import CONTENT_SECURITY_POLICY
from opsportal.web.session import CheckedForm, PageAdmin, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

# Where the page that uploads a package posts (app.py lets larger bodies through here).
UPLOAD_PAGE_PATH = r"/admin/tracks/\d+/scorm"
LAUNCH_KEY = "scorm_launch"


@router.get("/admin/tracks/{track_id}/scorm/new")
def new_package(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    track = admin.get_track(session, track_id)
    return render(request, "content/upload.html", user=user, track=track, errors={}, title="")


@router.post("/admin/tracks/{track_id}/scorm")
def upload_package(
    request: Request,
    track_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    user: PageAdmin,
    form: CheckedForm,
) -> Response:
    track = admin.get_track(session, track_id)
    upload = form.get("file")
    title = str(form.get("title") or "").strip()
    errors: dict[str, str] = {}
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = _("Choose a SCORM package (.zip) to upload.")
    elif len(title) > 200:
        errors["title"] = _("At most 200 characters.")
    else:
        try:
            imported = service.import_package(
                session,
                track_id=track.id,
                upload=upload.file,
                filename=upload.filename,
                settings=settings,
                actor=user,
                title=title or None,
            )
        except InvalidInput as exc:
            session.rollback()
            errors["file"] = exc.detail  # the import's own findings: English, as in the API
        else:
            return see_other(
                request,
                f"/admin/tracks/{track.id}",
                ngettext(
                    "SCORM course “%(title)s” added (SCORM %(version)s, %(num)d files).",
                    "SCORM course “%(title)s” added (SCORM %(version)s, %(num)d files).",
                    imported.package.file_count,
                    title=imported.course.title,
                    version=imported.package.version,
                ),
            )
    return render(
        request,
        "content/upload.html",
        user=user,
        track=track,
        errors=errors,
        title=title,
        status_code=422,
    )


@router.post("/training/courses/{course_id}/launch")
def launch_course(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    launched = runtime.launch(session, principal=user, course_id=course_id, now=utcnow())
    request.session[LAUNCH_KEY] = {"course": course_id, "token": launched.token}
    return RedirectResponse(f"/training/courses/{course_id}/play", status_code=303)


def _launch_token(request: Request, course_id: int) -> str | None:
    held = request.session.get(LAUNCH_KEY)
    if isinstance(held, dict) and held.get("course") == course_id:
        token = held.get("token")
        return token if isinstance(token, str) else None
    return None


@router.get("/training/courses/{course_id}/play")
def play_course(
    request: Request,
    course_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
) -> Response:
    course = runtime.scorm_course(session, user, course_id)
    track = catalogue.get_track_overview(session, principal=user, track_id=course.track_id)
    done = any(c.id == course.id and c.is_passed for c in track.courses)
    content_origin = settings.content_base_url
    token = _launch_token(request, course_id)
    if token is not None:
        try:
            runtime.attempt_for(session, token, now=utcnow())
        except NotFound:  # replaced or expired: the learner opens the course again
            token = None
    frame = f"{content_origin}/scorm/{token}/" if content_origin and token else None
    if frame and current_locale() != DEFAULT_LOCALE:
        # The runtime frame, on the content origin, has no session to read the language from.
        frame += "?" + urlencode({"lang": current_locale()})
    response = render(
        request,
        "content/play.html",
        user=user,
        course=course,
        track=track,
        done=done,
        frame=frame,
        playable=content_origin is not None,
    )
    if content_origin:
        response.headers["Content-Security-Policy"] = (
            f"{CONTENT_SECURITY_POLICY}; frame-src {content_origin}"
        )
    return response
