"""Translations of a track: every field, or some, marked with their language."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from opsportal.models import Track
from opsportal.training.translations import service
from opsportal.training.translations.status import SourceField


def translated(locale: str, text: str) -> str:
    """How these tests spell a text's translation: its language, then the source text."""
    return f"[{locale}] {text}"


def translate_track(
    session: Session,
    *,
    track: Track,
    locale: str,
    only: Callable[[SourceField], bool] | None = None,
) -> dict[str, str]:
    """Translate every field of `track` (or those `only` keeps) into `locale`; the texts by key."""
    loaded = service.get_track(session, track.id)
    texts = {
        field.key: translated(locale, field.text)
        for field in service.fields_of(loaded)
        if only is None or only(field)
    }
    service.save_texts(session, track=loaded, locale=locale, texts=texts, actor=None)
    session.expire_all()
    return texts
