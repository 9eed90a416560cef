"""The demo customer track in four languages: German and French complete, Spanish partial
with an outdated field, Arabic untranslated; loaded once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import TranslatedText
from opsportal.training import repository
from opsportal.training.demo import load_training_demo
from opsportal.training.translations import service


def test_the_demo_track_shows_every_status(session: Session, settings: Settings) -> None:
    load_training_demo(session, settings=settings, say=lambda _: None)
    stored = session.scalar(select(func.count()).select_from(TranslatedText))
    load_training_demo(session, settings=settings, say=lambda _: None)
    assert session.scalar(select(func.count()).select_from(TranslatedText)) == stored
    track = repository.get_track_by_slug(session, "speak-up-culture-foundations")
    assert track is not None
    statuses = service.track_translations(session, track_id=track.id)
    by_locale = {item.locale: item for item in statuses.languages}
    assert {locale: item.status.value for locale, item in by_locale.items()} == {
        "de": "complete",
        "fr": "complete",
        "es": "outdated",
        "ar": "missing",
    }
    assert by_locale["de"].complete_fields == by_locale["de"].total_fields == 100
    assert by_locale["es"].outdated_fields == 1
    assert 0 < by_locale["es"].complete_fields < by_locale["es"].total_fields


def test_the_demo_translations_are_translations(session: Session, settings: Settings) -> None:
    load_training_demo(session, settings=settings, say=lambda _: None)
    track = repository.get_track_by_slug(session, "speak-up-culture-foundations")
    assert track is not None
    german = service.get_translation(session, track_id=track.id, locale="de")
    french = service.get_translation(session, track_id=track.id, locale="fr")
    assert german.name == "Grundlagen einer Speak-up-Kultur"
    assert french.courses[1].title == "Protection contre les représailles"
    q = german.courses[0].quiz
    assert q is not None and q.questions[1].options[0].text == "Wahr"
    english = service.get_track(session, track.id)
    sources = {f.key: f.text for f in service.fields_of(english)}
    for document in (german, french):
        texts = [document.name, *(c.title for c in document.courses)]
        assert not set(texts) & set(sources.values())  # none left in English
