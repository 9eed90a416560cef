"""Admin pages: the admin area's index, and tracks (new, edit, publish)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import Conflict, InvalidInput
from opsportal.models import Track, TrackLevel, TrackType
from opsportal.principal import Principal
from opsportal.training.admin import repository, service
from opsportal.training.admin.forms import (
    FieldErrors,
    checked,
    collecting_errors,
    text,
)
from opsportal.training.catalogue import authoring
from opsportal.training.progress import counted_courses, unfinished_courses
from opsportal.training.schemas import TrackCreate, TrackUpdate
from opsportal.training.translations import serving
from opsportal.training.translations.notice import language_name
from opsportal.web.i18n import SHIPPED_LOCALES, _, default_locale
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render
from opsportal.web.translatable import shown

router = APIRouter(include_in_schema=False)

FLASH_KEY = "flash"


def see_other(request: Request, url: str, message: str | None = None) -> RedirectResponse:
    """Redirect to `url`, which shows `message` once (already in the reader's language)."""
    if message:
        request.session[FLASH_KEY] = message
    return RedirectResponse(url, status_code=303)


def flash(request: Request) -> str | None:
    message = request.session.pop(FLASH_KEY, None)
    return message if isinstance(message, str) else None


@router.get("/admin")
def admin_index(request: Request, session: SessionDep, user: PageAdmin) -> Response:
    tracks = repository.all_tracks(session)
    return render(request, "admin/index.html", user=user, tracks=tracks, message=flash(request))


# --- the track form -------------------------------------------------------------


def _track_values(form: FormData) -> dict[str, Any]:
    return {
        "name": text(form, "name"),
        "slug": text(form, "slug"),
        "version": text(form, "version"),
        "type": text(form, "type"),
        "level": text(form, "level"),
        "description": text(form, "description"),
        "isRequired": checked(form, "isRequired"),
        "estimatedMinutes": text(form, "estimatedMinutes"),
        "validityDays": text(form, "validityDays"),
        "defaultLocale": text(form, "defaultLocale"),
    }


def _track_input(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the API's JSON: empty optional fields left to their defaults."""
    optional = ("slug", "estimatedMinutes", "validityDays", "defaultLocale")
    return {key: value for key, value in values.items() if value != "" or key not in optional}


def _values_of(track: Track) -> dict[str, Any]:
    return {
        "name": track.name,
        "slug": track.slug,
        "version": track.version,
        "type": track.type.value,
        "level": track.level.value,
        "description": track.description,
        "isRequired": track.is_required,
        "estimatedMinutes": str(track.estimated_minutes),
        "validityDays": str(track.validity_days),
        "defaultLocale": track.default_locale,
    }


def _track_form(
    request: Request,
    user: Principal,
    *,
    values: dict[str, Any],
    errors: FieldErrors,
    track: Track | None = None,
) -> Response:
    return render(
        request,
        "admin/track_form.html",
        user=user,
        track=track,
        values=values,
        errors=errors,
        types=list(TrackType),
        levels=list(TrackLevel),
        # The language the track is written in; a new track's is the deployment's default.
        languages=[(locale, language_name(locale)) for locale in SHIPPED_LOCALES],
        chosen_language=values.get("defaultLocale") or default_locale(),
        status_code=422 if errors else 200,
    )


@router.get("/admin/tracks/new")
def new_track(request: Request, user: PageAdmin) -> Response:
    values = {"version": "1.0", "type": TrackType.CUSTOMER.value, "level": "FOUNDATION"}
    return _track_form(request, user, values=values, errors={})


@router.post("/admin/tracks")
def create_track(
    request: Request,
    session: SessionDep,
    user: PageAdmin,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    values = _track_values(form)
    errors: FieldErrors = {}
    with collecting_errors(errors, InvalidInput, Conflict, default_field="slug"):
        # A track made here is a draft until published: learners do not see it yet.
        data = TrackCreate.model_validate(_track_input(values) | {"isActive": False})
        track = authoring.create_track(session, data=data, settings=settings, actor=user)
    if errors:
        session.rollback()  # nothing of a refused form is kept
        return _track_form(request, user, values=values, errors=errors)
    return see_other(
        request, f"/admin/tracks/{track.id}", _("Draft track “%(name)s” created.", name=track.name)
    )


@router.get("/admin/tracks/{track_id}")
def track_page(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    return _track_page(request, session, user, track_id)


def _track_page(
    request: Request,
    session: Session,
    user: Principal,
    track_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    track = service.get_track(session, track_id)
    translations = serving.summarise_tracks(session, [track])[track.id]
    return render(
        request,
        "admin/track.html",
        user=user,
        track=track,
        translations=translations,
        language_names={t.locale: language_name(t.locale) for t in translations},
        source_language=language_name(track.default_locale),
        # The publishing rule, shown before anyone presses Publish (authoring.check_publishable).
        unfinished=unfinished_courses(track),
        has_courses=bool(counted_courses(track)),
        message=flash(request),
        error=error,
        status_code=status_code,
    )


@router.get("/admin/tracks/{track_id}/edit")
def edit_track(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    track = service.get_track(session, track_id)
    return _track_form(request, user, values=_values_of(track), errors={}, track=track)


@router.post("/admin/tracks/{track_id}")
def update_track(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    track = service.get_track(session, track_id)
    values = _track_values(form)
    errors: FieldErrors = {}
    with collecting_errors(errors, InvalidInput, Conflict, default_field="slug"):
        data = TrackUpdate.model_validate(_track_input(values))
        authoring.update_track(session, track_id=track.id, data=data, actor=user)
    if errors:
        session.rollback()
        return _track_form(request, user, values=values, errors=errors, track=track)
    return see_other(request, f"/admin/tracks/{track.id}", _("Track saved."))


@router.post("/admin/tracks/{track_id}/publish")
def publish_track(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    try:
        track = service.set_published(session, principal=user, track_id=track_id, live=True)
    except Conflict as exc:
        return _track_page(
            request, session, user, track_id, error=shown(exc.detail), status_code=409
        )
    return see_other(
        request,
        f"/admin/tracks/{track.id}",
        _("“%(name)s” is published: learners see it now.", name=track.name),
    )


@router.get("/admin/tracks/{track_id}/unpublish")
def unpublish_confirmation(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    """The confirmation step before a published track goes back to draft."""
    track = service.get_track(session, track_id)
    return render(request, "admin/unpublish.html", user=user, track=track)


@router.post("/admin/tracks/{track_id}/unpublish")
def unpublish_track(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    track = service.set_published(session, principal=user, track_id=track_id, live=False)
    return see_other(
        request,
        f"/admin/tracks/{track.id}",
        _("“%(name)s” is a draft again: hidden from learners.", name=track.name),
    )
