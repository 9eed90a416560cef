"""The SCORM 1.2 export: GET /api/v1/training/tracks/{id}/scorm-package."""

from __future__ import annotations

import io
import zipfile

from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Course
from opsportal.training.content.export.manifest import IMSCP, package_problems
from tests.factories.training import create_track, create_track_with_quizzes


def test_a_track_becomes_a_valid_package_with_one_sco_per_course(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    track, quizzes = create_track_with_quizzes(session, courses=2)
    response = client.get(
        f"/api/v1/training/tracks/{track.id}/scorm-package", headers=admin_headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert package_problems(archive) == []
    manifest = fromstring(archive.read("imsmanifest.xml"))
    items = list(manifest.iter(f"{{{IMSCP}}}item"))
    titles = [session.get(Course, q.course_id).title for q in quizzes]  # type: ignore[union-attr]
    assert [i.findtext(f"{{{IMSCP}}}title") for i in items] == titles
    assert manifest.findtext(f".//{{{IMSCP}}}schemaversion") == "1.2"
    page = archive.read("courses/1/index.html").decode()
    assert "Who may use the hotline?" in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing from the network


def test_bad_requests_are_problems(
    client: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    staff_headers: dict[str, str],
) -> None:
    track, _ = create_track_with_quizzes(session, courses=1)
    empty = create_track(session)
    url = "/api/v1/training/tracks/{}/scorm-package"
    assert client.get(url.format(999999), headers=admin_headers).status_code == 404
    assert client.get(url.format(track.id), headers=staff_headers).status_code == 403
    response = client.get(url.format(empty.id), headers=admin_headers)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_package_missing_a_listed_file_is_reported(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    track, _ = create_track_with_quizzes(session, courses=1)
    body = client.get(
        f"/api/v1/training/tracks/{track.id}/scorm-package", headers=admin_headers
    ).content
    source = zipfile.ZipFile(io.BytesIO(body))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as out:
        for name in source.namelist():
            if name != "courses/1/quiz.js":
                out.writestr(name, source.read(name))
    problems = package_problems(zipfile.ZipFile(broken))
    assert any("courses/1/quiz.js" in p for p in problems)
