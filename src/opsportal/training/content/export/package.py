"""A native track as a SCORM 1.2 package: one SCO per course, graded in the package's script.

Each active course becomes a SCO: its rendered content and its quiz in one
self-contained page (no network), with the shared runtime script (`runtime/`)
that finds the LMS's API, grades the quiz as the portal does and reports
lesson_status, score, session time and suspend_data. Another LMS has no server
of ours to grade on, so the answer key is necessarily inside the package
(`courses/N/quiz.js`): whoever can open the package can read it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal
from html import escape
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from opsportal.errors import Conflict, NotFound
from opsportal.models import Course, QuestionType, Quiz, Track
from opsportal.training import repository
from opsportal.training.content.export.manifest import Sco, build_manifest, package_problems
from opsportal.training.markdown import render_course_content
from opsportal.training.progress import counted_courses

SHARED_FILES = ("shared/sco.js", "shared/sco.css")


def _pass_mark(quiz: Quiz) -> int:
    """The quiz's pass mark in whole percent (thresholds are whole percentages)."""
    return int(Decimal(quiz.pass_threshold) * 100)


def _question_html(number: int, question: dict[str, Any]) -> str:
    multiple = question["type"] == QuestionType.MULTI_SELECT
    kind = "checkbox" if multiple else "radio"
    name = f"q-{number}"
    options = "".join(
        f'<label class="option"><input type="{kind}" name="{name}" '
        f'data-question="{escape(question["id"])}" value="{escape(option["id"])}"> '
        f"{escape(option['text'])}</label>"
        for option in question["options"]
    )
    hint = " (choose all that apply)" if multiple else ""
    return (
        f'<fieldset class="question"><legend>{number}. {escape(question["question"])}{hint}'
        f"</legend>{options}</fieldset>"
    )


def _course_page(track: Track, course: Course) -> str:
    quiz = course.quiz
    if quiz is not None:
        questions = "".join(_question_html(n, q) for n, q in enumerate(quiz.questions, start=1))
        assessment = (
            '<section aria-labelledby="quiz-heading"><h2 id="quiz-heading">'
            f"{escape(quiz.title)}</h2><p>Pass mark: {_pass_mark(quiz)} %</p>"
            f'<form id="quiz">{questions}<button type="submit">Submit answers</button></form>'
            "</section>"
        )
    else:
        assessment = ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(course.title)} · {escape(track.name)}</title>"
        '<link rel="stylesheet" href="../../shared/sco.css"></head><body><main>'
        f'<p class="track">{escape(track.name)}</p><h1>{escape(course.title)}</h1>'
        f'<article class="content">{render_course_content(course.content)}</article>'
        f'{assessment}<p id="result" role="status" aria-live="polite"></p>'
        '</main><script src="quiz.js"></script><script src="../../shared/sco.js"></script>'
        "</body></html>\n"
    )


def _quiz_data(quiz: Quiz | None) -> str:
    if quiz is None:
        data: dict[str, Any] = {"hasQuiz": False}
    else:
        data = {
            "hasQuiz": True,
            "passMark": _pass_mark(quiz),
            # The answer key: there is no server of ours to grade on in another LMS.
            "key": {q["id"]: sorted(q["correct_option_ids"]) for q in quiz.questions},
        }
    return f"window.OPSPORTAL_SCO = {json.dumps(data, sort_keys=True)};\n"


def _runtime(name: str) -> bytes:
    return (resources.files(__package__) / "runtime" / name).read_bytes()


def package_file_name(track: Track) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", track.slug).strip("-") or f"track-{track.id}"
    return f"{slug}-{track.version_major}.{track.version_minor}-scorm12.zip"


def build_package(track: Track) -> bytes:
    """The package's bytes (courses and their quizzes loaded); checked before it is returned."""
    courses = counted_courses(track)
    scos: list[Sco] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, course in enumerate(courses, start=1):
            folder = f"courses/{number}"
            archive.writestr(f"{folder}/index.html", _course_page(track, course))
            archive.writestr(f"{folder}/quiz.js", _quiz_data(course.quiz))
            scos.append(
                Sco(
                    identifier=f"course-{course.id}",
                    title=course.title,
                    href=f"{folder}/index.html",
                    files=(f"{folder}/index.html", f"{folder}/quiz.js"),
                    mastery_score=_pass_mark(course.quiz) if course.quiz is not None else None,
                )
            )
        for name in SHARED_FILES:
            archive.writestr(name, _runtime(name.removeprefix("shared/")))
        archive.writestr(
            "imsmanifest.xml",
            build_manifest(
                identifier=f"opsportal-track-{track.id}-{track.version_major}."
                f"{track.version_minor}",
                title=track.name,
                scos=scos,
                shared_files=SHARED_FILES,
            ),
        )
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as written:
        problems = package_problems(written)
    if problems:  # our own bug, never the admin's: say what, loudly
        raise RuntimeError("the SCORM package is not valid: " + "; ".join(problems))
    return buffer.getvalue()


def export_track(session: Session, *, track_id: int) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of a track's SCORM 1.2 package; 404 unknown, 409 with no course."""
    track = repository.get_track_with_courses(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    if not counted_courses(track):
        raise Conflict(
            "The track has no active course: there is nothing to put in a package.",
            extra={"trackId": track.id},
        )
    return package_file_name(track), build_package(track)
