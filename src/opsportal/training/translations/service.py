"""Authoring a track's translations: each language's status, and one language read, saved
whole or deleted. Services flush; the request commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.errors import InvalidInput, NotFound
from opsportal.models import Track
from opsportal.principal import Principal
from opsportal.training.translations import document, repository, serving
from opsportal.training.translations.document import FieldError
from opsportal.training.translations.schemas import (
    LanguageStatusRead,
    TrackTranslationsRead,
    TranslationPut,
    TranslationRead,
)
from opsportal.training.translations.status import (
    SourceField,
    Translated,
    source_fields,
    text_error,
)


def get_track(session: Session, track_id: int) -> Track:
    """A track with its courses and quizzes, drafts included."""
    track = repository.track_with_content(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    return track


def check_locale(track: Track, locale: str) -> None:
    """A language the track can be translated into: one the portal speaks, not its own."""
    if locale == track.default_locale:
        raise InvalidInput(
            f"{locale!r} is the track's default language: its texts are the track's own.",
            field="locale",
        )
    if locale not in serving.languages_for(track):
        known = ", ".join(serving.languages_for(track))
        raise InvalidInput(
            f"{locale!r} is not a language tracks are translated into ({known}).", field="locale"
        )


def language_status(item: serving.LanguageSummary) -> LanguageStatusRead:
    return LanguageStatusRead(
        locale=item.locale,
        status=item.status,
        total_fields=item.summary.total,
        complete_fields=item.summary.complete,
        missing_fields=item.summary.missing,
        outdated_fields=item.summary.outdated,
        updated_at=item.updated_at,
    )


def track_translations(session: Session, *, track_id: int) -> TrackTranslationsRead:
    track = get_track(session, track_id)
    languages = serving.summarise_tracks(session, [track])[track.id]
    return TrackTranslationsRead(
        track_id=track.id,
        default_locale=track.default_locale,
        languages=[language_status(item) for item in languages],
    )


def _stored(session: Session, track: Track, locale: str) -> dict[str, Translated]:
    return repository.texts_of(session, track_ids=[track.id], locale=locale).get(track.id, {})


def get_translation(session: Session, *, track_id: int, locale: str) -> TranslationRead:
    """One language's document; a language never translated reads as all missing."""
    track = get_track(session, track_id)
    check_locale(track, locale)
    return _read(session, track, locale)


def language_summary(session: Session, track: Track, locale: str) -> serving.LanguageSummary:
    languages = serving.summarise_tracks(session, [track])[track.id]
    return next(s for s in languages if s.locale == locale)


def _read(session: Session, track: Track, locale: str) -> TranslationRead:
    stored = _stored(session, track, locale)
    summary = language_summary(session, track, locale)
    return TranslationRead.model_validate(
        {
            "track_id": track.id,
            "locale": locale,
            "default_locale": track.default_locale,
            "status": summary.status,
            "updated_at": summary.updated_at,
            **document.document_of(serving.source_of(track), stored),
        }
    )


def _refuse(errors: Sequence[FieldError]) -> None:
    if errors:
        listed = [{"field": e.field, "message": e.message} for e in errors]
        raise InvalidInput(
            "; ".join(f"{e.field}: {e.message}" for e in errors), extra={"errors": listed}
        )


def put_translation(
    session: Session,
    *,
    track_id: int,
    locale: str,
    body: TranslationPut,
    actor: Principal | None,
) -> TranslationRead:
    """Replace one language's texts whole (422 naming every field the track does not have)."""
    track = get_track(session, track_id)
    check_locale(track, locale)
    texts, errors = document.document_texts(serving.source_of(track), body.model_dump())
    _refuse(errors)
    save_texts(
        session, track=track, locale=locale, texts=texts, up_to_date=body.up_to_date, actor=actor
    )
    return _read(session, track, locale)


def fields_of(track: Track) -> list[SourceField]:
    return source_fields(serving.source_of(track))


def text_errors(track: Track, texts: Mapping[str, str]) -> dict[str, str]:
    """Field key → why its text cannot be stored (too long, a NUL character)."""
    errors = {}
    for field in fields_of(track):
        text = texts.get(field.key)
        problem = text_error(field, text) if text is not None else None
        if problem is not None:
            errors[field.key] = problem
    return errors


def save_texts(
    session: Session,
    *,
    track: Track,
    locale: str,
    texts: Mapping[str, str],
    up_to_date: Sequence[str] = (),
    actor: Principal | None,
) -> None:
    """Store a language's texts by field key (what the page's form and the API both give)."""
    check_locale(track, locale)
    source = serving.source_of(track)
    problems = text_errors(track, texts)
    _refuse([FieldError(key, f"The text {message}.") for key, message in problems.items()])
    stored = _stored(session, track, locale)
    merged, errors = document.merge(source, texts, stored, up_to_date=up_to_date)
    _refuse(errors)
    translation = repository.lock_or_create(session, track_id=track.id, locale=locale)
    repository.replace_texts(session, translation=translation, texts=merged)
    status = language_summary(session, track, locale)
    audit.record(
        session,
        actor=actor,
        action="track_translation.save",
        target_type="track",
        target_id=track.id,
        detail={
            "locale": locale,
            "status": status.status.value,
            "fields": len(merged),
            "outdated": status.summary.outdated,
            "missing": status.summary.missing,
        },
    )


def delete_translation(
    session: Session, *, track_id: int, locale: str, actor: Principal | None
) -> None:
    """Delete one language's texts; learners asking for it get the default language."""
    track = get_track(session, track_id)
    check_locale(track, locale)
    if repository.delete_translation(session, track_id=track.id, locale=locale):
        audit.record(
            session,
            actor=actor,
            action="track_translation.delete",
            target_type="track",
            target_id=track.id,
            detail={"locale": locale},
        )
