"""The pure core of translations: fields and keys, statuses, the served language, and texts
swapped without touching ids, order or the answer key."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from opsportal.training.translations.document import document_of, document_texts, merge
from opsportal.training.translations.notice import fallback_notice
from opsportal.training.translations.status import (
    SourceCourse,
    SourceOption,
    SourceQuestion,
    SourceQuiz,
    SourceTrack,
    Status,
    Translated,
    option_key,
    question_key,
    served_locale,
    source_fields,
    source_hash,
    summarise,
    translate_questions,
    translate_quiz_title,
)
from opsportal.web.i18n import using_locale


def quiz(*questions: SourceQuestion, title: str = "Course") -> SourceQuiz:
    return SourceQuiz(title=title, questions=questions)


def question(qid: str, *options: str, explanation: str | None = None) -> SourceQuestion:
    return SourceQuestion(
        id=qid,
        question=f"Question {qid}?",
        explanation=explanation,
        options=tuple(SourceOption(o, f"Option {o}") for o in options),
    )


TRACK = SourceTrack(
    name="Track",
    description="",
    courses=(
        SourceCourse(
            id=1,
            title="Course",
            description="Summary",
            content="# Course",
            active=True,
            quiz=quiz(question("q1", "a", "b", explanation="Because"), question("q/2", "x.y")),
        ),
        SourceCourse(id=2, title="Hidden", description="", content="", active=False, quiz=None),
    ),
)


def stored_for(track: SourceTrack, skip: set[str] = frozenset()) -> dict[str, str]:
    return {f.key: source_hash(f.text) for f in source_fields(track) if f.key not in skip}


def hashed(track: SourceTrack) -> list[tuple[Any, str]]:
    return [(f, source_hash(f.text)) for f in source_fields(track)]


class TestFields:
    def test_every_text_there_is_to_translate_in_reading_order(self) -> None:
        keys = [f.key for f in source_fields(TRACK)]
        assert keys == [
            "name",
            "courses/1/title",
            "courses/1/description",
            "courses/1/content",
            "courses/1/quiz/questions/q1/question",
            "courses/1/quiz/questions/q1/options/a",
            "courses/1/quiz/questions/q1/options/b",
            "courses/1/quiz/questions/q1/explanation",
            "courses/1/quiz/questions/q%2F2/question",
            "courses/1/quiz/questions/q%2F2/options/x.y",
            "courses/2/title",
        ]

    def test_a_hidden_course_is_translatable_but_not_counted(self) -> None:
        hidden = [f for f in source_fields(TRACK) if not f.counted]
        assert [f.key for f in hidden] == ["courses/2/title"]

    def test_a_quiz_titled_otherwise_than_its_course_has_a_title_to_translate(self) -> None:
        renamed = SourceCourse(
            id=1,
            title="Course",
            description="",
            content="",
            active=True,
            quiz=quiz(title="Final check"),
        )
        keys = [f.key for f in source_fields(SourceTrack("T", "", (renamed,)))]
        assert "courses/1/quiz/title" in keys
        assert "courses/1/quiz/title" not in [f.key for f in source_fields(TRACK)]

    @given(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8))
    def test_ids_never_make_two_fields_share_a_key(self, first: str, second: str) -> None:
        keys = {option_key(1, first, second), question_key(1, first, "question")}
        keys |= {option_key(1, second, first), question_key(1, second, "question")}
        expected = 2 if first == second else 4
        assert len(keys) == expected


class TestSummary:
    def test_all_fields_from_the_current_source_is_complete(self) -> None:
        summary = summarise(hashed(TRACK), stored_for(TRACK))
        assert summary.status is Status.COMPLETE
        # The hidden course's title is not counted.
        assert (summary.total, summary.complete) == (10, 10)

    def test_a_field_without_translation_is_missing(self) -> None:
        summary = summarise(hashed(TRACK), stored_for(TRACK, {"courses/1/content"}))
        assert summary.status is Status.MISSING
        assert (summary.complete, summary.missing, summary.outdated) == (9, 1, 0)

    def test_a_changed_source_is_outdated_and_outdated_wins(self) -> None:
        stored = stored_for(TRACK, {"courses/1/content"})
        stored["name"] = source_hash("An older name")
        summary = summarise(hashed(TRACK), stored)
        assert summary.status is Status.OUTDATED
        assert (summary.complete, summary.missing, summary.outdated) == (8, 1, 1)

    def test_nothing_translated_is_missing(self) -> None:
        assert summarise(hashed(TRACK), {}).status is Status.MISSING


class TestServedLocale:
    def test_the_default_is_served_to_its_own_speakers_and_without_a_translation(self) -> None:
        assert served_locale("en", default="en", complete=["de"]) == "en"
        assert served_locale("fr", default="en", complete=["de"]) == "en"
        assert served_locale(None, default="en", complete=["de"]) == "en"

    def test_a_complete_translation_is_served(self) -> None:
        assert served_locale("de", default="en", complete=["de", "fr"]) == "de"

    def test_a_regional_variant_gets_its_language(self) -> None:
        assert served_locale("de_AT", default="en", complete=["de"]) == "de"
        assert served_locale("en_GB", default="en", complete=["de"]) == "en"

    def test_the_notice_is_for_a_learner_served_another_language(self) -> None:
        with using_locale("de"):
            # Both languages named in the learner's: whatever the sentence around them.
            notice = fallback_notice("en")
            assert notice is not None and "Deutsch" in notice and "Englisch" in notice
            assert fallback_notice("de") is None
        assert fallback_notice("de", requested="de_AT") is None
        with using_locale("en"):
            assert fallback_notice("en") is None


class TestTranslateQuestions:
    SNAPSHOT = [
        {
            "id": "q2",
            "question": "Second?",
            "type": "MULTIPLE_CHOICE",
            "options": [{"id": "b", "text": "Bee"}, {"id": "a", "text": "Ay"}],
            "correct_option_ids": ["a"],
            "explanation": "Because.",
        },
        {
            "id": "q1",
            "question": "First?",
            "type": "TRUE_FALSE",
            "options": [{"id": "t", "text": "True"}, {"id": "f", "text": "False"}],
            "correct_option_ids": ["t"],
        },
    ]

    def texts(self) -> dict[str, Translated]:
        pairs = {
            question_key(7, "q2", "question"): ("Second?", "Zweite?"),
            question_key(7, "q2", "explanation"): ("Because.", "Weil."),
            option_key(7, "q2", "a"): ("Ay", "Ah"),
            option_key(7, "q2", "b"): ("Bee", "Be"),
            question_key(7, "q1", "question"): ("First (old wording)?", "Erste?"),
            option_key(7, "q1", "t"): ("True", "Wahr"),
        }
        return {k: Translated(text, source_hash(src)) for k, (src, text) in pairs.items()}

    def test_texts_change_and_nothing_else(self) -> None:
        shown = translate_questions(self.SNAPSHOT, self.texts(), course_id=7)
        assert shown[0]["question"] == "Zweite?"
        assert shown[0]["explanation"] == "Weil."
        assert [(o["id"], o["text"]) for o in shown[0]["options"]] == [("b", "Be"), ("a", "Ah")]
        for before, after in zip(self.SNAPSHOT, shown, strict=True):
            assert after["id"] == before["id"]
            assert after["type"] == before["type"]
            assert after["correct_option_ids"] == before["correct_option_ids"]
            assert [o["id"] for o in after["options"]] == [o["id"] for o in before["options"]]

    def test_a_translation_of_another_source_text_is_not_shown(self) -> None:
        shown = translate_questions(self.SNAPSHOT, self.texts(), course_id=7)
        assert shown[1]["question"] == "First?"  # translated from an older wording
        assert [o["text"] for o in shown[1]["options"]] == ["Wahr", "False"]

    def test_the_snapshot_itself_is_left_alone(self) -> None:
        translate_questions(self.SNAPSHOT, self.texts(), course_id=7)
        assert self.SNAPSHOT[0]["question"] == "Second?"

    def test_a_quiz_titled_like_its_course_takes_the_course_translation(self) -> None:
        texts = {"courses/7/title": Translated("Kurs", source_hash("Course"))}
        title = translate_quiz_title(texts, course_id=7, title="Course", course_title="Course")
        assert title == "Kurs"
        other = translate_quiz_title(texts, course_id=7, title="Final", course_title="Course")
        assert other == "Final"


class TestDocument:
    def document(self) -> dict[str, Any]:
        return {
            "name": "Spur",
            "description": None,
            "courses": [
                {
                    "course_id": 1,
                    "title": "Kurs",
                    "description": "",
                    "content": None,
                    "quiz": {
                        "title": None,
                        "questions": [
                            {
                                "id": "q1",
                                "question": "Frage?",
                                "explanation": None,
                                "options": [{"id": "b", "text": "Be"}],
                            }
                        ],
                    },
                }
            ],
        }

    def test_a_document_becomes_texts_by_key(self) -> None:
        texts, errors = document_texts(TRACK, self.document())
        assert errors == []
        assert texts == {
            "name": "Spur",
            "courses/1/title": "Kurs",
            "courses/1/quiz/questions/q1/question": "Frage?",
            "courses/1/quiz/questions/q1/options/b": "Be",
        }

    def test_a_course_or_question_named_twice_is_an_error(self) -> None:
        document = self.document()
        document["courses"].append(dict(document["courses"][0]))
        _, errors = document_texts(TRACK, document)
        assert [e.field for e in errors] == ["courses.1.courseId"]

    def test_what_is_stored_reads_back_shaped_like_the_track(self) -> None:
        texts, _ = document_texts(TRACK, self.document())
        merged, errors = merge(TRACK, texts, {})
        assert errors == []
        read = document_of(TRACK, merged)
        assert read["name"] == "Spur"
        assert read["courses"][0]["quiz"]["questions"][0]["options"] == [
            {"id": "a", "text": None},
            {"id": "b", "text": "Be"},
        ]
        assert read["courses"][1] == {
            "course_id": 2,
            "title": None,
            "description": None,
            "content": None,
            "quiz": None,
        }
        statuses = {f["key"]: f["status"] for f in read["fields"]}
        assert statuses["name"] is Status.COMPLETE
        assert statuses["courses/1/content"] is Status.MISSING

    def test_an_unchanged_text_keeps_the_source_it_was_made_from(self) -> None:
        old = Translated("Spur", source_hash("The old name"))
        merged, _ = merge(TRACK, {"name": "Spur"}, {"name": old})
        assert merged["name"] == old
        changed, _ = merge(TRACK, {"name": "Neue Spur"}, {"name": old})
        assert changed["name"].source_hash == source_hash("Track")
        confirmed, _ = merge(TRACK, {"name": "Spur"}, {"name": old}, up_to_date=["name"])
        assert confirmed["name"].source_hash == source_hash("Track")
