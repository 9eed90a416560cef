"""xAPI statements sent to a real LRS (Learning Locker's statement service, `tests/lrs.py`)
on loopback, and read back through its xAPI API: each statement once, with its verb,
actor and result, for each actor identity; an LRS that was down gets them once after."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from opsportal import wiring
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import Role, XapiStatement
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.certification import service as certification
from opsportal.training.content import runtime, service
from opsportal.training.content.xapi import sender
from tests.factories import create_track, create_user
from tests.factories.training import certify, create_track_with_quizzes, pass_quiz
from tests.lrs import installed, running_lrs, statements_of
from tests.training.content.packages import sco_package

pytestmark = pytest.mark.slow

COMMIT_PASSED = {
    "cmi.core.lesson_status": "passed",
    "cmi.core.score.raw": "85",
    "cmi.core.session_time": "0000:02:00.00",
}


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not installed():
        pytest.skip("node and npm are needed to run the test LRS")
    with running_lrs(tmp_path_factory.mktemp("lrs")) as url:
        yield url


def verb_of(statement: dict[str, object]) -> str:
    return str(statement["verb"]["id"]).rsplit("/", 1)[1]  # type: ignore[index]


def agent_for(identity: str, *, user_id: int, email: str, home_page: str) -> dict[str, object]:
    if identity == "mbox":
        return {"mbox": f"mailto:{email}"}
    if identity == "mbox_sha1sum":
        return {"mbox_sha1sum": hashlib.sha1(f"mailto:{email}".encode()).hexdigest()}  # noqa: S324
    return {"account": {"homePage": home_page, "name": str(user_id)}}


@pytest.mark.parametrize("identity", ["mbox", "mbox_sha1sum", "account"])
def test_statements_reach_the_lrs_once_even_after_it_was_down(
    lrs: str,
    identity: str,
    tmp_path: Path,
    session: Session,
    session_factory: SessionFactory,
    xapi_settings: Settings,
) -> None:
    settings = xapi_settings.model_copy(
        update={"xapi_endpoint": lrs, "xapi_actor": identity, "xapi_account_home_page": None}
    )
    wiring.install(settings)
    user, _ = create_user(session, email=f"learner-{identity}@example.org")
    admin, _ = create_user(session, role=Role.ADMIN)
    # A quiz failed, then passed (certify passes it), a certificate earned and revoked.
    track, quizzes = create_track_with_quizzes(session, courses=1)
    pass_quiz(session, user=user, quiz=quizzes[0], passed=False)
    read = certify(session, user=user, track=track, quizzes=quizzes, settings=settings)
    certification.revoke_certificate(
        session,
        principal=Principal.of(admin),
        certificate_id=read.id,
        reason="Test",
        settings=settings,
    )
    # A SCORM course completed with a score.
    scorm_track = create_track(session, settings=settings)
    imported = service.import_package(
        session,
        track_id=scorm_track.id,
        upload=io.BytesIO(sco_package("1.2")),
        filename="course.zip",
        settings=settings,
        actor=Principal.of(admin),
    )
    token = runtime.launch(
        session, principal=Principal.of(user), course_id=imported.course.id, now=utcnow()
    ).token
    runtime.commit(session, token=token, data=COMMIT_PASSED, now=utcnow())
    session.commit()

    down = settings.model_copy(update={"xapi_endpoint": "http://127.0.0.1:9/xAPI"})
    report = sender.send_pending(session_factory, settings=down)
    assert (report.sent, report.retrying) == (0, 1)
    # The backoff is over: the LRS is up again.
    session.execute(XapiStatement.__table__.update().values(next_attempt_at=utcnow()))
    session.commit()
    assert sender.send_pending(session_factory, settings=settings).sent == 10
    assert sender.send_pending(session_factory, settings=settings).sent == 0

    agent = agent_for(
        identity, user_id=user.id, email=user.email, home_page=settings.public_base_url
    )
    statements = statements_of(lrs, agent)
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)) == 10
    assert sorted(verb_of(s) for s in statements) == sorted(
        ["attempted", "failed", "attempted", "passed", "completed", "completed"]
        + ["earned", "revoked"]
        + ["completed", "completed"]  # the SCORM course and its track
    )
    for statement in statements:
        actor = statement["actor"]
        assert isinstance(actor, dict)
        assert {k: v for k, v in actor.items() if k in agent} == agent
        if identity != "mbox":  # the LRS learns nothing else about the person
            assert "name" not in actor and "mbox" not in actor
    failed = next(s for s in statements if verb_of(s) == "failed")
    assert failed["result"]["success"] is False  # type: ignore[index]
    assert failed["result"]["score"]["raw"] == 1  # type: ignore[index]
    passed = next(s for s in statements if verb_of(s) == "passed")
    assert passed["result"]["success"] is True  # type: ignore[index]
    scorm = [
        s
        for s in statements
        if verb_of(s) == "completed"
        and str(s["object"]["id"]).endswith(f"/courses/{imported.course.id}")  # type: ignore[index]
    ]
    assert len(scorm) == 1
    assert scorm[0]["result"]["score"]["raw"] == 85  # type: ignore[index]
    assert scorm[0]["result"]["success"] is True  # type: ignore[index]
    assert scorm[0]["result"]["duration"] == "PT2M0S"  # type: ignore[index]
