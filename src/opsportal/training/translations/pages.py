"""Admin pages for a track's translations: one language's texts beside the source, to edit;
and deleting a language. The track's page lists the languages (admin/tracks.py)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.models import Track
from opsportal.principal import Principal
from opsportal.training.admin.forms import FieldErrors, collecting_errors, raw_text
from opsportal.training.admin.tracks import flash, see_other
from opsportal.training.translations import repository, service, serving
from opsportal.training.translations.endpoints import Locale
from opsportal.training.translations.notice import language_name
from opsportal.training.translations.status import Status
from opsportal.training.translations.view import field_groups
from opsportal.web.i18n import _, text_direction
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def _track(session: Session, track_id: int, locale: str) -> Track:
    track = service.get_track(session, track_id)
    service.check_locale(track, locale)
    return track


def _page(
    request: Request,
    session: Session,
    user: Principal,
    track: Track,
    locale: str,
    *,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> Response:
    stored = repository.texts_of(session, track_ids=[track.id], locale=locale).get(track.id, {})
    groups, labels = field_groups(serving.source_of(track), stored, values=values)
    summary = service.language_summary(session, track, locale)
    return render(
        request,
        "admin/translation.html",
        user=user,
        track=track,
        locale=locale,
        language=language_name(locale),
        source_language=language_name(track.default_locale),
        source_dir=text_direction(track.default_locale),
        target_dir=text_direction(locale),
        summary=summary,
        groups=groups,
        labels=labels,
        errors=errors or {},
        message=flash(request),
        status_code=422 if errors else 200,
    )


@router.get("/admin/tracks/{track_id}/translations/{locale}")
def translation_page(
    request: Request, track_id: ResourceId, locale: Locale, session: SessionDep, user: PageAdmin
) -> Response:
    track = _track(session, track_id, locale)
    return _page(request, session, user, track, locale)


@router.post("/admin/tracks/{track_id}/translations/{locale}")
def save_translation(
    request: Request,
    track_id: ResourceId,
    locale: Locale,
    session: SessionDep,
    user: PageAdmin,
    form: CheckedForm,
) -> Response:
    track = _track(session, track_id, locale)
    keys = [f.key for f in service.fields_of(track)]
    # Every field's text as typed; a blank one is not translated (yet).
    values = {key: raw_text(form, key) for key in keys}
    texts = {key: value for key, value in values.items() if value.strip()}
    up_to_date = [str(v) for v in form.getlist("upToDate") if str(v) in texts]
    errors: FieldErrors = {}
    with collecting_errors(errors, InvalidInput):
        service.save_texts(
            session, track=track, locale=locale, texts=texts, up_to_date=up_to_date, actor=user
        )
    if errors:
        session.rollback()  # nothing of a refused form is kept
        return _page(request, session, user, track, locale, values=values, errors=errors)
    return see_other(
        request,
        f"/admin/tracks/{track.id}/translations/{locale}",
        _saved_message(service.language_summary(session, track, locale).status, track, locale),
    )


def _saved_message(status: Status, track: Track, locale: str) -> str:
    names = {"language": language_name(locale), "source": language_name(track.default_locale)}
    if status is Status.COMPLETE:
        return _(
            "Translation saved. It is complete: learners in %(language)s are served it.", **names
        )
    if status is Status.OUTDATED:
        return _(
            "Translation saved. Some fields are outdated: learners in %(language)s still get "
            "the track in %(source)s.",
            **names,
        )
    return _(
        "Translation saved. Some fields are missing: learners in %(language)s still get "
        "the track in %(source)s.",
        **names,
    )


@router.get("/admin/tracks/{track_id}/translations/{locale}/delete")
def delete_confirmation(
    request: Request, track_id: ResourceId, locale: Locale, session: SessionDep, user: PageAdmin
) -> Response:
    track = _track(session, track_id, locale)
    return render(
        request,
        "admin/translation_delete.html",
        user=user,
        track=track,
        locale=locale,
        language=language_name(locale),
        source_language=language_name(track.default_locale),
    )


@router.post("/admin/tracks/{track_id}/translations/{locale}/delete")
def delete_translation(
    request: Request,
    track_id: ResourceId,
    locale: Locale,
    session: SessionDep,
    user: PageAdmin,
    form: CheckedForm,
) -> Response:
    track = _track(session, track_id, locale)
    service.delete_translation(session, track_id=track.id, locale=locale, actor=user)
    return see_other(
        request,
        f"/admin/tracks/{track.id}#translations-heading",
        _("The %(language)s translation is deleted.", language=language_name(locale)),
    )
