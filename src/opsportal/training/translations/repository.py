"""Queries for tracks' translations."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from opsportal.db import dialect_insert
from opsportal.models import Course, Track, TrackTranslation, TranslatedText
from opsportal.models.base import utcnow
from opsportal.training.translations.status import Translated


def track_with_content(session: Session, track_id: int) -> Track | None:
    """A track with its courses and quizzes as the database has them now, even where this
    session loaded them before a quiz was added (a translation's status is read from them)."""
    return session.scalars(
        select(Track)
        .where(Track.id == track_id)
        .options(selectinload(Track.courses).selectinload(Course.quiz))
        .execution_options(populate_existing=True)
    ).first()


def translations_of(session: Session, *, track_ids: Collection[int]) -> list[TrackTranslation]:
    if not track_ids:
        return []
    return list(
        session.scalars(
            select(TrackTranslation)
            .where(TrackTranslation.track_id.in_(list(track_ids)))
            .order_by(TrackTranslation.track_id, TrackTranslation.locale)
        )
    )


def get_translation(session: Session, *, track_id: int, locale: str) -> TrackTranslation | None:
    return session.scalars(
        select(TrackTranslation).where(
            TrackTranslation.track_id == track_id, TrackTranslation.locale == locale
        )
    ).first()


def source_hashes(
    session: Session, *, track_ids: Collection[int]
) -> dict[tuple[int, str], dict[str, str]]:
    """(track id, locale) → {field key: source hash}: what a status needs, without the texts."""
    if not track_ids:
        return {}
    rows = session.execute(
        select(
            TrackTranslation.track_id,
            TrackTranslation.locale,
            TranslatedText.key,
            TranslatedText.source_hash,
        )
        .join(TranslatedText, TranslatedText.translation_id == TrackTranslation.id)
        .where(TrackTranslation.track_id.in_(list(track_ids)))
    )
    hashes: dict[tuple[int, str], dict[str, str]] = {}
    for track_id, locale, key, hashed in rows:
        hashes.setdefault((track_id, locale), {})[key] = hashed
    return hashes


def texts_of(
    session: Session, *, track_ids: Collection[int], locale: str
) -> dict[int, dict[str, Translated]]:
    """Track id → {field key: translated text} of these tracks' translations into `locale`."""
    if not track_ids:
        return {}
    rows = session.execute(
        select(
            TrackTranslation.track_id,
            TranslatedText.key,
            TranslatedText.text,
            TranslatedText.source_hash,
        )
        .join(TranslatedText, TranslatedText.translation_id == TrackTranslation.id)
        .where(TrackTranslation.track_id.in_(list(track_ids)), TrackTranslation.locale == locale)
    )
    texts: dict[int, dict[str, Translated]] = {}
    for track_id, key, text, hashed in rows:
        texts.setdefault(track_id, {})[key] = Translated(text, hashed)
    return texts


def lock_or_create(session: Session, *, track_id: int, locale: str) -> TrackTranslation:
    """The (track, language) row, created if missing; a concurrent creator makes the insert
    a no-op, so two first saves of one language cannot both insert."""
    now = utcnow()
    session.execute(
        dialect_insert(session)(TrackTranslation)
        .values(track_id=track_id, locale=locale, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["track_id", "locale"])
    )
    translation = session.scalars(
        select(TrackTranslation)
        .where(TrackTranslation.track_id == track_id, TrackTranslation.locale == locale)
        .with_for_update()
    ).one()
    return translation


def replace_texts(
    session: Session, *, translation: TrackTranslation, texts: Mapping[str, Translated]
) -> None:
    session.execute(delete(TranslatedText).where(TranslatedText.translation_id == translation.id))
    session.add_all(
        TranslatedText(
            translation_id=translation.id, key=key, text=item.text, source_hash=item.source_hash
        )
        for key, item in texts.items()
    )
    translation.updated_at = utcnow()
    session.flush()


def delete_translation(session: Session, *, track_id: int, locale: str) -> bool:
    result = session.execute(
        delete(TrackTranslation).where(
            TrackTranslation.track_id == track_id, TrackTranslation.locale == locale
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
