"""The data of the translated journeys: one customer organisation among peers, its people, and a
required track translated into the language the test speaks.

German and French: the demo's customer track ("Speak-Up Culture Foundations"), whose
translations ship with the demo. Arabic: the demo has none, so a one-course track is made here
and its Arabic translation is put through the API, as an author's tool would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.metrics.service import utc_today
from opsportal.models import Assignment, Course, Organization, Quiz, Role, Track, User
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.compliance.assignments import assign_track
from opsportal.training.compliance.schemas import AssignmentCreate
from opsportal.training.demo import load_training_demo
from opsportal.training.demo.customer_track import CUSTOMER_TRACK
from opsportal.training.demo.track_languages import translation_document
from opsportal.training.translations import service
from tests.factories import (
    add_many,
    bearer,
    create_course,
    create_organization,
    create_quiz,
    create_track,
    create_user,
    organizations,
    pass_quiz,
)

PASSWORD = "translated-journey-pass"
ORGANIZATION = "Northwind Health"
MANAGER, LEARNER, COLLEAGUE = (
    "manager@northwind.test",
    "learner@northwind.test",
    "colleague@northwind.test",
)

TRUE_FALSE = ["صحيح", "خطأ"]
# The Arabic of the one-course track made below (tests/factories' sample questions).
ARABIC: dict[str, Any] = {
    "name": "أساسيات ثقافة الإبلاغ",
    "description": None,
    "courses": [
        {
            "title": "التحدث بصراحة",
            "description": None,
            "content": "# مرحبًا\n\nاقرأ هذا المحتوى بعناية قبل الاختبار.",
            "questions": {
                "q1": (
                    "من يمكنه استخدام الخط الساخن؟",
                    ["المديرون فقط", "أي شخص", "الموارد البشرية فقط"],
                    "الخط الساخن مفتوح للجميع.",
                ),
                "q2": (
                    "يمكن تقديم البلاغات دون الكشف عن الهوية.",
                    TRUE_FALSE,
                    "الإبلاغ دون الكشف عن الهوية متاح.",
                ),
                "q3": (
                    "أيٌّ مما يلي من أشكال الانتقام؟",
                    ["خفض الدرجة الوظيفية", "الاستبعاد من الاجتماعات", "رسالة شكر"],
                    None,
                ),
                "q4": (
                    "هدية قيمتها 500 يورو من أحد المورّدين يجب…",
                    ["الإفصاح عنها", "الاحتفاظ بها بصمت"],
                    None,
                ),
                "q5": (
                    "يجوز إرسال البيانات الشخصية بالبريد الإلكتروني إلى عنوان خاص.",
                    TRUE_FALSE,
                    None,
                ),
            },
        }
    ],
}


@dataclass
class World:
    organization_id: int
    track_id: int
    # In the track's order; the right options of each quiz's questions by question id.
    quizzes: list[dict[str, list[str]]] = field(default_factory=list)
    # The track's texts in the language it is served in.
    track_name: str = ""
    course_titles: list[str] = field(default_factory=list)


def make_people(session: Session) -> dict[str, int]:
    """Northwind Health and its three people: a manager, a learner, a colleague; ids by email."""
    organization = create_organization(session, name=ORGANIZATION)
    people = {"organization": organization.id}
    for email, role, name in (
        (MANAGER, Role.CUSTOMER_ADMIN, "Mona Manager"),
        (LEARNER, Role.CUSTOMER, "Lee Learner"),
        (COLLEAGUE, Role.CUSTOMER, "Cory Colleague"),
    ):
        user, _ = create_user(
            session,
            role=role,
            organization=organization,
            email=email,
            name=name,
            password=PASSWORD,
        )
        people[email] = user.id
    return people


def _arabic_track(session: Session, settings: Settings) -> int:
    track = create_track(session, settings=settings, name="Speak-up basics")
    create_quiz(session, course=create_course(session, track=track, title="Speaking up"))
    return track.id


def put_arabic(factory: SessionFactory, live_server: str, track_id: int) -> None:
    """The Arabic translation, put as an author's tool would: `PUT .../translations/ar`."""
    with session_scope(factory) as session:
        _, token = create_user(session, role=Role.ADMIN, email="author@example.test")
        track = service.get_track(session, track_id)
        body = translation_document(track, ARABIC).model_dump(mode="json", by_alias=True)
    response = httpx.put(
        f"{live_server}/api/v1/training/tracks/{track_id}/translations/ar",
        json=body,
        headers=bearer(token),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    statuses = httpx.get(
        f"{live_server}/api/v1/training/tracks/{track_id}/translations",
        headers=bearer(token),
        timeout=30,
    ).json()
    assert {"locale": "ar", "status": "complete"}.items() <= next(
        item for item in statuses["languages"] if item["locale"] == "ar"
    ).items(), statuses


def make_world(
    factory: SessionFactory,
    settings: Settings,
    live_server: str,
    *,
    locale: str,
    passed_before: int = 0,
) -> World:
    """The people, and a required track served in `locale`, assigned to the learner and the
    colleague (overdue); the learner has passed the courses `quizzes[:passed_before]` takes
    (-1: all but the last)."""
    with session_scope(factory) as session:
        people = make_people(session)
        if locale == "ar":
            track_id = _arabic_track(session, settings)
        else:
            load_training_demo(session, settings=settings, say=lambda _: None)
            found = repository.get_track_by_slug(session, CUSTOMER_TRACK["track"]["slug"])
            assert found is not None
            track_id = found.id
    if locale == "ar":
        put_arabic(factory, live_server, track_id)
    with session_scope(factory) as session:
        track = session.get(Track, track_id)
        assert track is not None
        track.is_required = True
        quizzes = list(
            session.scalars(
                select(Quiz)
                .join(Course)
                .where(Course.track_id == track_id, Course.is_active.is_(True))
                .order_by(Course.sort_order, Course.id)
            )
        )
        learner = session.get_one(User, people[LEARNER])
        for quiz in quizzes[:passed_before]:
            pass_quiz(session, user=learner, quiz=quiz)
        assign_track(
            session,
            principal=Principal.of(session.get_one(User, people[MANAGER])),
            data=AssignmentCreate(
                track_id=track_id,
                organization_id=people["organization"],
                user_ids=[people[LEARNER], people[COLLEAGUE]],
                due_on=utc_today() + timedelta(days=5),
            ),
        )
        session.execute(
            update(Assignment)
            .where(Assignment.user_id == people[COLLEAGUE])
            .values(due_on=utc_today() - timedelta(days=2))
        )
        quiz_keys = [
            {q["id"]: list(q["correct_option_ids"]) for q in quiz.questions} for quiz in quizzes
        ]
    name, titles = track_texts(factory, track_id, locale)
    return World(people["organization"], track_id, quiz_keys, name, titles)


def track_texts(factory: SessionFactory, track_id: int, locale: str) -> tuple[str, list[str]]:
    """The track's name and its courses' titles in its translation into `locale`."""
    with session_scope(factory) as session:
        served = service.get_translation(session, track_id=track_id, locale=locale)
        return served.name or "", [course.title or "" for course in served.courses]


def add_peers(factory: SessionFactory, settings: Settings, organization_id: int) -> None:
    """Eleven healthcare peers beside Northwind Health, with two months of values, benchmarked."""
    today = utc_today()
    with session_scope(factory) as session:
        own = session.get_one(Organization, organization_id)
        found = [own, *organizations(session, 11, sector="Healthcare", employees=250)]
        rows = []
        for back in (30, 1):
            day = today - timedelta(days=back)
            for i, org in enumerate(found):
                rows += [
                    (org, "attestation_completion_rate", 52.0 + 3.7 * i - back / 10, day),
                    (org, "case_resolution_time", 6.0 + 1.3 * i + back / 30, day),
                ]
        add_many(session, rows)
        for back in (30, 1):
            calculate_benchmarks(
                session, settings=settings, calculated_for=today - timedelta(days=back)
            )
