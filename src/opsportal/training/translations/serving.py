"""Which language each track is in: its translations' status, and the texts a learner is served.

A learner is served a track in their language when its translation into it is
complete, else in the track's default language. Only the texts change:
assignments, progress, completion, certificates and grading know nothing of
languages, so a learner who switches language keeps everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opsportal.i18n import SHIPPED_LOCALES
from opsportal.models import Track
from opsportal.training import repository as training_repository
from opsportal.training.translations import repository
from opsportal.training.translations.status import (
    Served,
    SourceCourse,
    SourceField,
    SourceOption,
    SourceQuestion,
    SourceQuiz,
    SourceTrack,
    Status,
    Summary,
    Translated,
    language_of,
    served_locale,
    source_fields,
    source_hash,
    summarise,
)


def source_of(track: Track) -> SourceTrack:
    """The track's own texts as plain values (its courses and quizzes must be loaded)."""
    courses = []
    for course in track.courses:
        quiz = None
        if course.quiz is not None:
            quiz = SourceQuiz(
                title=course.quiz.title,
                questions=tuple(
                    SourceQuestion(
                        id=q["id"],
                        question=q["question"],
                        explanation=q.get("explanation"),
                        options=tuple(SourceOption(o["id"], o["text"]) for o in q["options"]),
                    )
                    for q in course.quiz.questions
                ),
            )
        courses.append(
            SourceCourse(
                id=course.id,
                title=course.title,
                description=course.description,
                content=course.content,
                active=course.is_active,
                quiz=quiz,
            )
        )
    return SourceTrack(name=track.name, description=track.description, courses=tuple(courses))


def hashed_fields(track: Track) -> list[tuple[SourceField, str]]:
    return [(f, source_hash(f.text)) for f in source_fields(source_of(track))]


def languages_for(track: Track) -> list[str]:
    """The languages a track can be translated into: every language the portal speaks but
    the track's own."""
    return [locale for locale in SHIPPED_LOCALES if locale != track.default_locale]


@dataclass(frozen=True)
class LanguageSummary:
    locale: str
    summary: Summary
    updated_at: datetime | None

    @property
    def status(self) -> Status:
        return self.summary.status


def summarise_tracks(session: Session, tracks: Sequence[Track]) -> dict[int, list[LanguageSummary]]:
    """Track id → each language's status (courses and quizzes must be loaded)."""
    ids = [t.id for t in tracks]
    hashes = repository.source_hashes(session, track_ids=ids)
    rows = repository.translations_of(session, track_ids=ids)
    updated = {(t.track_id, t.locale): t.updated_at for t in rows}
    result: dict[int, list[LanguageSummary]] = {}
    for track in tracks:
        fields = hashed_fields(track)
        locales = languages_for(track)
        # A stored language the portal no longer speaks is still listed: it can be deleted.
        locales += sorted({loc for t, loc in updated if t == track.id} - set(locales))
        result[track.id] = [
            LanguageSummary(
                locale=locale,
                summary=summarise(fields, hashes.get((track.id, locale), {})),
                updated_at=updated.get((track.id, locale)),
            )
            for locale in locales
            if locale != track.default_locale
        ]
    return result


def served(
    session: Session, tracks: Sequence[Track], *, requested: str | None
) -> dict[int, Served]:
    """Track id → the language and texts a learner asking for `requested` is served
    (courses and quizzes must be loaded). None asks for the tracks' own texts.

    Only the asked-for language's texts are read (and its bare language's, for a regional
    variant): whether they are complete is worked out from them.
    """
    plain = {
        t.id: Served(t.default_locale, requested or t.default_locale, t.default_locale, {})
        for t in tracks
    }
    if requested is None or all(requested == t.default_locale for t in tracks):
        return plain
    candidates = list(dict.fromkeys([requested, language_of(requested)]))
    ids = [t.id for t in tracks]
    texts = {c: repository.texts_of(session, track_ids=ids, locale=c) for c in candidates}
    result = dict(plain)
    for track in tracks:
        fields = hashed_fields(track)
        complete = [
            c
            for c in candidates
            if summarise(fields, _hashes(texts[c].get(track.id, {}))).status is Status.COMPLETE
        ]
        locale = served_locale(requested, default=track.default_locale, complete=complete)
        if locale != track.default_locale:
            result[track.id] = Served(
                locale, requested, track.default_locale, texts[locale][track.id]
            )
    return result


def _hashes(texts: Mapping[str, Translated]) -> dict[str, str]:
    return {key: item.source_hash for key, item in texts.items()}


def served_track(session: Session, *, track_id: int, requested: str | None) -> Served:
    """The language and texts of one track for a learner asking for `requested`."""
    track = training_repository.get_track(session, track_id)
    assert track is not None, track_id
    if requested is None or requested == track.default_locale:
        locale = track.default_locale
        return Served(locale, requested or locale, locale, {})
    loaded = training_repository.get_track_with_courses(session, track_id)
    assert loaded is not None
    return served(session, [loaded], requested=requested)[track_id]
