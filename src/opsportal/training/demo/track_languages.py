"""The demo customer track's translations: German and French complete, Spanish partial with
one outdated field, Arabic none, so the demo shows every status."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from opsportal.models import Track
from opsportal.training import repository
from opsportal.training.demo.customer_track import CUSTOMER_TRACK
from opsportal.training.demo.languages.french import FRENCH
from opsportal.training.demo.languages.german import GERMAN
from opsportal.training.demo.languages.spanish import EARLIER_SUMMARY, SPANISH
from opsportal.training.translations import repository as translations
from opsportal.training.translations import service
from opsportal.training.translations.schemas import TranslationPut
from opsportal.training.translations.status import Translated, course_key, source_hash

LANGUAGES = {"de": GERMAN, "fr": FRENCH, "es": SPANISH}


def translation_document(track: Track, spec: dict[str, Any]) -> TranslationPut:
    """`spec` (texts by course position, questions by id, options in the source's order) as the
    API's document for `track`."""
    courses = []
    for course, item in zip(track.courses, spec["courses"], strict=False):
        questions = []
        for question in course.quiz.questions if course.quiz is not None else []:
            translated = item["questions"].get(question["id"])
            if translated is None:
                continue
            text, options, explanation = translated
            questions.append(
                {
                    "id": question["id"],
                    "question": text,
                    "explanation": explanation,
                    "options": [
                        {"id": option["id"], "text": option_text}
                        for option, option_text in zip(question["options"], options, strict=True)
                    ],
                }
            )
        courses.append(
            {
                "courseId": course.id,
                "title": item["title"],
                "description": item["description"],
                "content": item["content"],
                "quiz": {"questions": questions},
            }
        )
    return TranslationPut.model_validate(
        {"name": spec["name"], "description": spec["description"], "courses": courses}
    )


def load_track_languages(session: Session) -> None:
    """Each demo language the customer track has no translation into yet."""
    found = repository.get_track_by_slug(session, CUSTOMER_TRACK["track"]["slug"])
    if found is None:
        return
    track = service.get_track(session, found.id)
    for locale, spec in LANGUAGES.items():
        if translations.get_translation(session, track_id=track.id, locale=locale) is not None:
            continue
        service.put_translation(
            session,
            track_id=track.id,
            locale=locale,
            body=translation_document(track, spec),
            actor=None,
        )
        if locale == "es":
            _outdate_first_summary(session, track)


def _outdate_first_summary(session: Session, track: Track) -> None:
    """The Spanish summary of the first course was made from its earlier English wording."""
    translation = translations.get_translation(session, track_id=track.id, locale="es")
    assert translation is not None
    texts = dict(translations.texts_of(session, track_ids=[track.id], locale="es")[track.id])
    key = course_key(track.courses[0].id, "description")
    texts[key] = Translated(texts[key].text, source_hash(EARLIER_SUMMARY))
    translations.replace_texts(session, translation=translation, texts=texts)
