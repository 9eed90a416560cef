"""Item statistics benchmark: a quiz's per-question figures over many graded attempts.

    uv run python bench/item_statistics.py                  # 10,000 attempts × 20 questions
    uv run python bench/item_statistics.py --attempts 50000 --runs 3
    uv run python bench/item_statistics.py --pure-only      # no database

Everything runs in this process (no server, no network) and stops by itself:
a fixed number of runs over a fixed amount of synthetic data.

The data is seeded (--seed), so every run sees the same attempts: each
attempt has an ability, each question a difficulty, and the chance of a right
answer rises with ability minus difficulty (a logistic curve); two questions
have a wrong key (strong learners "miss" them more often, the negative
discrimination the statistics flag), about 5 % of answers are left blank, a
wrong answer picks wrong options at random.

It times, each as the median of --runs runs:

1. pure: `opsportal.training.assessment.statistics.item_statistics` over ready-made
   records (scores and right/wrong per question), the arithmetic alone;
2. service: `training.service.assessment.quiz_statistics` on a temporary
   SQLite database holding the same attempts, i.e. loading their answer
   sheets, grading every one again against its snapshot, and the arithmetic,
   in one session;
3. API: `GET /api/v1/training/quizzes/{id}/statistics` with an admin's token,
   through the real app (`create_app`) in-process with Starlette's TestClient,
   i.e. the service plus authentication and the JSON response.

The service's two big parts are printed as well: loading the answer sheets
(`attempt_repository.answer_sheets`: every attempt's snapshot and answers,
read as text and parsed, without the ORM) and regrading them into records;
the arithmetic is the pure figure.

The quiz is authored through the API; the attempts are written straight into
the attempts table in one bulk insert (submitting 10,000 attempts through the
API would measure submits, which bench/training.py does). The script checks
that the API's share correct per question matches the pure figures.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from opsportal.training.assessment.statistics import AttemptRecord, Response, item_statistics

OPTIONS = "abcde"
BLANK_SHARE = 0.05
LEARNERS = 100


@dataclass(frozen=True)
class Question:
    id: str
    multi: bool
    key: tuple[str, ...]
    difficulty: float
    miskeyed: bool


@dataclass(frozen=True)
class Sheet:
    """One synthetic graded attempt: what was chosen per question (absent: left blank)."""

    selected: dict[str, tuple[str, ...]]
    correct: dict[str, bool]


def make_questions(count: int, rng: random.Random) -> list[Question]:
    questions = []
    for i in range(count):
        multi = i % 3 == 2
        key = tuple(sorted(rng.sample(OPTIONS, 2))) if multi else (rng.choice(OPTIONS),)
        # The last two questions are miskeyed: strong learners pick the truly
        # right option, which the key calls wrong.
        questions.append(Question(f"q{i + 1}", multi, key, rng.gauss(0, 1), i >= count - 2))
    return questions


def make_sheets(questions: list[Question], count: int, rng: random.Random) -> list[Sheet]:
    sheets = []
    for _ in range(count):
        ability = rng.gauss(0, 1)
        selected: dict[str, tuple[str, ...]] = {}
        correct: dict[str, bool] = {}
        for q in questions:
            if rng.random() < BLANK_SHARE:
                correct[q.id] = False
                continue
            logit = ability - q.difficulty
            right = rng.random() < 1 / (1 + math.exp(logit if q.miskeyed else -logit))
            if right:
                choice = q.key
            else:
                wrong = [o for o in OPTIONS if o not in q.key]
                choice = tuple(sorted(rng.sample(wrong, len(q.key))))
            selected[q.id] = choice
            correct[q.id] = right
        sheets.append(Sheet(selected, correct))
    return sheets


def records(questions: list[Question], sheets: list[Sheet]) -> list[AttemptRecord]:
    return [
        AttemptRecord(
            attempt_id=i + 1,
            score=Fraction(sum(s.correct.values()), len(questions)),
            responses={
                q.id: Response(s.correct[q.id], s.selected.get(q.id, ())) for q in questions
            },
        )
        for i, s in enumerate(sheets)
    ]


def median_ms(function: Callable[[], object], runs: int) -> tuple[float, object]:
    result = function()  # warm-up, not timed (imports, caches, the first query plan)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def quiz_body(questions: list[Question]) -> dict[str, Any]:
    return {
        "questions": [
            {
                "id": q.id,
                "question": f"Question {q.id}?",
                "type": "MULTI_SELECT" if q.multi else "MULTIPLE_CHOICE",
                "options": [{"id": o, "text": f"Option {o}"} for o in OPTIONS],
                "correctOptionIds": list(q.key),
                "explanation": "Because.",
            }
            for q in questions
        ]
    }


def bench_database(
    questions: list[Question], sheets: list[Sheet], runs: int, folder: Path
) -> tuple[float, float, dict[str, float | None]]:
    """Service and API milliseconds (the service's parts are printed here), and the API's
    share correct per question."""
    from fastapi.testclient import TestClient
    from sqlalchemy import insert

    from opsportal.app import create_app
    from opsportal.auth.service import create_user, issue_token
    from opsportal.config import Settings
    from opsportal.db import make_engine, make_session_factory, session_scope
    from opsportal.migrate import upgrade
    from opsportal.models import Quiz, QuizAttempt, Role
    from opsportal.training.assessment import quality as assessment
    from opsportal.training.assessment import repository as attempt_repository

    url = f"sqlite:///{folder / 'statistics.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    settings = Settings(
        database_url=url,
        secret_key="bench-secret-key-with-enough-length",
        scheduler_enabled=False,
    )
    with session_scope(factory) as session:
        admin = create_user(
            session, email="stats-admin@example.test", name="Bench Admin", role=Role.ADMIN
        )
        token = issue_token(session, user=admin, label="bench")
        learners = [
            create_user(
                session,
                email=f"stats-learner-{i}@example.test",
                name=f"Learner {i}",
                role=Role.INTERNAL,
            ).id
            for i in range(LEARNERS)
        ]
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings, session_factory=factory)
    with TestClient(app) as client:
        track = client.post(
            "/api/v1/training/tracks",
            json={"name": "Statistics", "slug": "statistics", "type": "INTERNAL"}
            | {"level": "FOUNDATION"},
            headers=headers,
        )
        track.raise_for_status()
        course = client.post(
            f"/api/v1/training/tracks/{track.json()['id']}/courses",
            json={"title": "Statistics course", "content": "# Statistics"},
            headers=headers,
        )
        course.raise_for_status()
        authored = client.put(
            f"/api/v1/training/courses/{course.json()['id']}/quiz",
            json=quiz_body(questions),
            headers=headers,
        )
        authored.raise_for_status()
        quiz_id = int(authored.json()["id"])

        with session_scope(factory) as session:
            quiz = session.get(Quiz, quiz_id)
            assert quiz is not None
            snapshot = quiz.questions  # what an attempt without shuffling or drawing shows
            began = datetime.now(UTC) - timedelta(days=30)
            rows = []
            for i, sheet in enumerate(sheets):
                right = sum(sheet.correct.values())
                score = round(100 * right / len(questions))
                rows.append(
                    {
                        "quiz_id": quiz_id,
                        "user_id": learners[i % LEARNERS],
                        "questions": snapshot,
                        "pass_threshold": Decimal("0.80"),
                        "started_at": began + timedelta(minutes=i),
                        "submitted_at": began + timedelta(minutes=i, seconds=90),
                        "answers": [
                            {"question_id": q, "selected_option_ids": list(s)}
                            for q, s in sheet.selected.items()
                        ],
                        "correct_count": right,
                        "total_questions": len(questions),
                        "score": score,
                        "passed": score >= 80,
                    }
                )
            session.execute(insert(QuizAttempt), rows)

        def service() -> object:
            with factory() as session:
                return assessment.quiz_statistics(session, quiz_id=quiz_id)

        def load() -> object:
            with factory() as session:
                return attempt_repository.answer_sheets(session, quiz_id=quiz_id)

        # The parts of the service, to see where its time goes.
        load_ms, loaded = median_ms(load, runs)
        assert isinstance(loaded, list)
        regrade_ms, _ = median_ms(lambda: [assessment._record(a) for a in loaded], runs)

        def endpoint() -> object:
            response = client.get(f"/api/v1/training/quizzes/{quiz_id}/statistics", headers=headers)
            response.raise_for_status()
            return response.json()

        service_ms, _ = median_ms(service, runs)
        api_ms, body = median_ms(endpoint, runs)
    engine.dispose()
    print(f"  {'load the answer sheets (answer_sheets), SQLite':<44} {load_ms:>9.1f} ms")
    print(f"  {'regrade the answer sheets (records)':<44} {regrade_ms:>9.1f} ms")
    assert isinstance(body, dict)
    if body["gradedAttempts"] != len(sheets):
        raise SystemExit(f"the API counted {body['gradedAttempts']} attempts, not {len(sheets)}")
    rates = {q["questionId"]: q["correctRate"] for q in body["questions"]}
    return service_ms, api_ms, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--pure-only", action="store_true", help="skip the database and the API")
    args = parser.parse_args()
    # The test client's own deprecation notice says nothing about the figures.
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    if args.attempts < 2 or args.questions < 3 or args.runs < 1:
        parser.error("need at least 2 attempts, 3 questions and 1 run")

    rng = random.Random(args.seed)
    questions = make_questions(args.questions, rng)
    sheets = make_sheets(questions, args.attempts, rng)
    ready = records(questions, sheets)
    question_ids = [q.id for q in questions]
    option_ids = {q.id: list(OPTIONS) for q in questions}
    pure_ms, items = median_ms(lambda: item_statistics(question_ids, option_ids, ready), args.runs)
    assert isinstance(items, list)

    print(
        f"item statistics: {args.attempts:,} graded attempts × {args.questions} questions,"
        f" seed {args.seed}, median of {args.runs}"
    )
    print(f"  {'pure (item_statistics only)':<44} {pure_ms:>9.1f} ms")
    if not args.pure_only:
        with tempfile.TemporaryDirectory(prefix="opsportal-statistics-") as folder:
            service_ms, api_ms, rates = bench_database(questions, sheets, args.runs, Path(folder))
        print(f"  {'service (load + regrade + statistics), SQLite':<44} {service_ms:>9.1f} ms")
        print(f"  {'API GET …/quizzes/{id}/statistics, SQLite':<44} {api_ms:>9.1f} ms")
        mismatched = [
            i.question_id
            for i in items
            if i.correct_rate is not None
            and rates.get(i.question_id) != round(float(i.correct_rate), 4)
        ]
        if mismatched:
            raise SystemExit(f"the API's share correct differs for {mismatched}")
        print("  the API's share correct per question matches the pure figures")
    flagged = {i.question_id: [f.value for f in i.flags] for i in items if i.flags}
    print(f"  flagged questions: {flagged or 'none'}")


if __name__ == "__main__":
    main()
