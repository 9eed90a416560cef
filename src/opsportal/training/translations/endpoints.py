"""Routes for a track's translations (admins): each language's status, one language's
document read, replaced whole, or deleted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from opsportal.auth.deps import AdminUser
from opsportal.deps import ResourceId, SessionDep
from opsportal.training.schemas import LOCALE_PATTERN
from opsportal.training.translations import service
from opsportal.training.translations.schemas import (
    TrackTranslationsRead,
    TranslationPut,
    TranslationRead,
)

router = APIRouter(prefix="/api/v1/training", tags=["training"])

# A language code such as de, fr or pt_BR; which ones a track takes is the service's rule.
Locale = Annotated[str, Path(max_length=16, pattern=LOCALE_PATTERN)]


@router.get("/tracks/{track_id}/translations", response_model=TrackTranslationsRead)
def read_translations(
    track_id: ResourceId, session: SessionDep, admin: AdminUser
) -> TrackTranslationsRead:
    """Each language the track can be translated into, with its status and field counts."""
    return service.track_translations(session, track_id=track_id)


@router.get("/tracks/{track_id}/translations/{locale}", response_model=TranslationRead)
def read_translation(
    track_id: ResourceId, locale: Locale, session: SessionDep, admin: AdminUser
) -> TranslationRead:
    """One language's texts, shaped like the track, with every field's status."""
    return service.get_translation(session, track_id=track_id, locale=locale)


@router.put("/tracks/{track_id}/translations/{locale}", response_model=TranslationRead)
def put_translation(
    track_id: ResourceId,
    locale: Locale,
    body: TranslationPut,
    session: SessionDep,
    admin: AdminUser,
) -> TranslationRead:
    """Replace one language's texts whole; courses, questions and options are named by id."""
    return service.put_translation(
        session, track_id=track_id, locale=locale, body=body, actor=admin
    )


@router.delete("/tracks/{track_id}/translations/{locale}", status_code=204)
def delete_translation(
    track_id: ResourceId, locale: Locale, session: SessionDep, admin: AdminUser
) -> Response:
    """Delete one language's texts (learners asking for it get the default language)."""
    service.delete_translation(session, track_id=track_id, locale=locale, actor=admin)
    return Response(status_code=204)
