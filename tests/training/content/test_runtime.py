"""The runtime's server side over HTTP: launches, the state a launch resumes from, commits
(checked as the standard says, refused whole when wrong), completion counting towards the
track and its certificate, and the content origin holding nothing but the content."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Role, ScormAttempt
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.content import events, runtime, service
from tests.factories import bearer, create_track, create_user
from tests.pages import PASSWORD, csrf_from, log_in
from tests.training.content.conftest import CONTENT
from tests.training.content.packages import sco_package

COMMIT_12_PASSED = {
    "cmi.core.lesson_status": "passed",
    "cmi.core.score.raw": "90",
    "cmi.core.lesson_location": "page-3",
    "cmi.suspend_data": "visited=3",
    "cmi.core.session_time": "0000:01:30.00",
    "cmi.core.exit": "",
    "cmi.interactions.0.id": "ignored",
}
COMMIT_2004_PASSED = {
    "cmi.completion_status": "completed",
    "cmi.success_status": "passed",
    "cmi.score.scaled": "0.9",
    "cmi.score.raw": "90",
    "cmi.location": "page-3",
    "cmi.suspend_data": "visited=3",
    "cmi.session_time": "PT1M30S",
    "cmi.exit": "normal",
}


def scorm_track(session: Session, settings: Settings, version: str) -> tuple[int, int]:
    admin, _ = create_user(session, role=Role.ADMIN)
    track = create_track(session, settings=settings)
    imported = service.import_package(
        session,
        track_id=track.id,
        upload=__import__("io").BytesIO(sco_package(version)),
        filename="course.zip",
        settings=settings,
        actor=Principal.of(admin),
    )
    return track.id, imported.course.id


def learner(session: Session) -> tuple[Principal, dict[str, str]]:
    user, token = create_user(session, role=Role.INTERNAL, password=PASSWORD)
    return Principal.of(user), bearer(token)


def launch(session: Session, principal: Principal, course_id: int) -> str:
    return runtime.launch(session, principal=principal, course_id=course_id, now=utcnow()).token


@pytest.mark.parametrize(
    ("version", "commit"), [("1.2", COMMIT_12_PASSED), ("2004", COMMIT_2004_PASSED)]
)
class TestCommits:
    def test_a_passed_sco_completes_the_course_the_track_and_earns_the_certificate(
        self,
        scorm_client: TestClient,
        session: Session,
        content_settings: Settings,
        version: str,
        commit: dict[str, str],
    ) -> None:
        track_id, course_id = scorm_track(session, content_settings, version)
        principal, headers = learner(session)
        token = launch(session, principal, course_id)
        early = scorm_client.post(
            f"/api/v1/training/tracks/{track_id}/certificate", headers=headers
        )
        assert early.status_code == 409

        response = scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=commit)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "result": True,
            "errorCode": 0,
            "completed": True,
            "trackCompleted": True,
        }
        tracks = scorm_client.get("/api/v1/training/tracks", headers=headers).json()
        mine = next(t for t in tracks if t["id"] == track_id)
        assert mine["isCompleted"] is True
        assert mine["courses"][0]["isPassed"] is True
        certificate = scorm_client.post(
            f"/api/v1/training/tracks/{track_id}/certificate", headers=headers
        )
        assert certificate.status_code == 201

    def test_the_next_launch_resumes_from_what_was_stored(
        self,
        scorm_client: TestClient,
        session: Session,
        content_settings: Settings,
        version: str,
        commit: dict[str, str],
    ) -> None:
        _, course_id = scorm_track(session, content_settings, version)
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        suspended = {
            **{k: v for k, v in commit.items() if "status" not in k and "score" not in k},
            ("cmi.core.exit" if version == "1.2" else "cmi.exit"): "suspend",
        }
        assert scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=suspended).is_success
        again = launch(session, principal, course_id)
        state = runtime.runtime_state(session, runtime.attempt_for(session, again, now=utcnow()))
        prefix = "cmi.core." if version == "1.2" else "cmi."
        location = "cmi.core.lesson_location" if version == "1.2" else "cmi.location"
        assert state["cmi"][location] == "page-3"
        assert state["cmi"]["cmi.suspend_data"] == "visited=3"
        assert state["cmi"][prefix + "entry"] == "resume"
        total = state["cmi"][prefix + "total_time"]
        assert total == ("0000:01:30.00" if version == "1.2" else "PT0H1M30.00S")
        # The first launch's key was replaced: only the newest window commits.
        old = scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=suspended)
        assert old.status_code == 404

    def test_one_bad_value_refuses_the_whole_commit(
        self,
        scorm_client: TestClient,
        session: Session,
        content_settings: Settings,
        version: str,
        commit: dict[str, str],
    ) -> None:
        _, course_id = scorm_track(session, content_settings, version)
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        status = "cmi.core.lesson_status" if version == "1.2" else "cmi.completion_status"
        response = scorm_client.post(
            f"{CONTENT}/scorm/{token}/commit", json={**commit, status: "bogus"}
        )
        assert response.status_code == 422
        assert status in response.json()["detail"]
        attempt = runtime.attempt_for(session, token, now=utcnow())
        session.refresh(attempt)
        assert attempt.location is None
        assert attempt.completed_at is None


class TestValues:
    @pytest.mark.parametrize(
        ("version", "element", "value", "problem"),
        [
            ("1.2", "cmi.suspend_data", "x" * 4097, "at most 4,096"),
            ("2004", "cmi.suspend_data", "x" * 64001, "at most 64,000"),
            ("1.2", "cmi.core.score.raw", "101", "outside"),
            ("2004", "cmi.score.scaled", "1.5", "outside"),
            ("1.2", "cmi.core.session_time", "PT1M", "HHHH:MM:SS"),
            ("2004", "cmi.session_time", "01:00:00", "ISO 8601"),
            ("1.2", "cmi.core.lesson_location", "x" * 256, "at most 255"),
            ("2004", "cmi.exit", "vanish", "not one of"),
        ],
    )
    def test_refused(
        self,
        scorm_client: TestClient,
        session: Session,
        content_settings: Settings,
        version: str,
        element: str,
        value: str,
        problem: str,
    ) -> None:
        _, course_id = scorm_track(session, content_settings, version)
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        response = scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json={element: value})
        assert response.status_code == 422
        assert element in response.json()["detail"]
        assert problem in response.json()["detail"]

    def test_the_caps_themselves_are_accepted(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "1.2")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        response = scorm_client.post(
            f"{CONTENT}/scorm/{token}/commit", json={"cmi.suspend_data": "x" * 4096}
        )
        assert response.status_code == 200

    def test_a_commit_that_is_not_json_is_422(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "1.2")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        response = scorm_client.post(f"{CONTENT}/scorm/{token}/commit", content=b"{nope")
        assert response.status_code == 422


class TestCompletionEvent:
    def test_announced_once_per_attempt(
        self,
        scorm_client: TestClient,
        session: Session,
        content_settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        heard: list[events.CourseCompleted] = []
        monkeypatch.setattr(events, "_listeners", {"test": lambda _s, e: heard.append(e)})
        _, course_id = scorm_track(session, content_settings, "2004")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        for _ in range(2):
            scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=COMMIT_2004_PASSED)
        assert len(heard) == 1
        assert heard[0].course_id == course_id
        assert heard[0].passed is True
        assert heard[0].score_scaled == 0.9

    def test_a_failed_2004_sco_does_not_complete_the_course(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "2004")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        failed = {**COMMIT_2004_PASSED, "cmi.success_status": "failed"}
        response = scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=failed)
        assert response.json()["completed"] is False


class TestOrigins:
    def test_content_is_served_only_on_the_content_origin_with_its_policy(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "1.2")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        sco = scorm_client.get(f"{CONTENT}/scorm/{token}/content/index.html")
        assert sco.status_code == 200
        assert sco.headers["content-type"] == "text/html; charset=utf-8"
        policy = sco.headers["content-security-policy"]
        assert f"connect-src {CONTENT}/scorm/{token}/content/;" in policy
        assert "frame-ancestors 'self' http://testserver" in policy
        assert "x-frame-options" not in sco.headers
        frame = scorm_client.get(f"{CONTENT}/scorm/{token}/")
        assert (
            f"connect-src {CONTENT}/scorm/{token}/commit;"
            in frame.headers["content-security-policy"]
        )
        assert "frame-ancestors http://testserver" in frame.headers["content-security-policy"]
        # Not on the portal's origin...
        assert scorm_client.get(f"/scorm/{token}/content/index.html").status_code == 404
        # ...and nothing of the portal on the content's.
        for path in ("/api/v1/me", "/login", "/training", "/static/style.css", "/docs"):
            assert scorm_client.get(f"{CONTENT}{path}").status_code == 404, path

    def test_a_path_outside_the_package_or_an_unknown_key_is_404(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "1.2")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        for path in ("../index.html", "%2e%2e/%2e%2e/etc/passwd", "missing.html", ""):
            assert scorm_client.get(f"{CONTENT}/scorm/{token}/content/{path}").status_code == 404
        assert scorm_client.get(f"{CONTENT}/scorm/not-a-key/content/index.html").status_code == 404
        assert scorm_client.post(f"{CONTENT}/scorm/not-a-key/commit", json={}).status_code == 404


class TestPlayerPage:
    def test_launch_and_play(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        _, course_id = scorm_track(session, content_settings, "1.2")
        user, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        log_in(scorm_client, user.email)
        page = scorm_client.get(f"/training/courses/{course_id}/play")
        assert "Open the course" in page.text
        response = scorm_client.post(
            f"/training/courses/{course_id}/launch",
            data={"csrf_token": csrf_from(page.text)},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert f'src="{CONTENT}/scorm/' in response.text
        assert f"frame-src {CONTENT}" in response.headers["content-security-policy"]
        attempts = session.query(ScormAttempt).filter_by(user_id=user.id).count()
        assert attempts == 1


class TestAdminsSee:
    def test_a_scorm_learner_in_the_tracks_learner_list(
        self, scorm_client: TestClient, session: Session, content_settings: Settings
    ) -> None:
        from opsportal.training.admin import service as admin

        track_id, course_id = scorm_track(session, content_settings, "1.2")
        principal, _ = learner(session)
        token = launch(session, principal, course_id)
        track = admin.get_track(session, track_id)
        opened = admin.list_learners(
            session, track=track, status=None, organization_id=None, search=None
        )
        assert [(r.user_id, r.courses_passed, r.status) for r in opened] == [
            (principal.user_id, 0, "IN_PROGRESS")
        ]
        scorm_client.post(f"{CONTENT}/scorm/{token}/commit", json=COMMIT_12_PASSED)
        done = admin.list_learners(
            session, track=track, status=None, organization_id=None, search=None
        )
        assert [(r.courses_passed, r.total_courses, r.status) for r in done] == [
            (1, 1, "COMPLETED")
        ]
