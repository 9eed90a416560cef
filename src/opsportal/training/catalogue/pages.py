"""The training catalogue page: tracks with the learner's progress and assignments (the course,
quiz and result pages are the learner's; certificates are certification's).

Thin like the JSON endpoints: they call the same service functions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.deps import SessionDep
from opsportal.training.catalogue import service as catalogue
from opsportal.training.compliance.assignments import my_assignments
from opsportal.training.compliance.export import status_words
from opsportal.training.translations.notice import fallback_notice
from opsportal.web.i18n import current_locale
from opsportal.web.session import PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/training")
def catalogue_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    tracks = catalogue.list_tracks_for(session, principal=user, locale=current_locale())
    # Each track's name as the learner is served it, in "My training" too.
    names = {t.id: t.name for t in tracks}
    assigned = [
        a.model_copy(update={"track_name": names.get(a.track_id, a.track_name)})
        for a in my_assignments(session, principal=user)
    ]
    return render(
        request,
        "training/catalogue.html",
        user=user,
        tracks=tracks,
        assignments=assigned,
        status_words=status_words(),
        language_notices={t.id: fallback_notice(t.locale) for t in tracks},
    )
