"""Uploading SCORM packages as courses: both versions, through the API and the admin's page;
every bad upload refused with a 4xx naming the problem, and nothing stored."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Course, Role, ScormFile, ScormPackage
from tests.factories import create_track, create_user
from tests.pages import PASSWORD, csrf_from, log_in
from tests.training.content.packages import SCO_HTML, manifest, sco_package, zip_bytes


def upload(client: TestClient, track_id: int, data: bytes, headers: dict[str, str], **form: str):
    return client.post(
        f"/api/v1/training/tracks/{track_id}/courses/scorm",
        files={"file": ("course.zip", data, "application/zip")},
        data=form,
        headers=headers,
    )


def stored(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(ScormPackage)) or 0,
        session.scalar(select(func.count()).select_from(ScormFile)) or 0,
        session.scalar(select(func.count()).select_from(Course)) or 0,
    )


class TestUpload:
    @pytest.mark.parametrize(("version", "edition"), [("1.2", "1.2"), ("2004", "2004 3rd Edition")])
    def test_a_package_becomes_the_tracks_last_course(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        admin_headers: dict[str, str],
        version: str,
        edition: str,
    ) -> None:
        track = create_track(session, settings=settings)
        response = upload(client, track.id, sco_package(version), admin_headers)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["title"] == "Test SCO course"
        assert body["trackId"] == track.id
        assert body["quizId"] is None
        assert body["scormPackage"]["version"] == version
        assert body["scormPackage"]["edition"] == edition
        assert body["scormPackage"]["launchPath"] == "index.html"
        assert body["scormPackage"]["fileCount"] == 4
        files = dict(
            session.execute(
                select(ScormFile.path, ScormFile.content_type).where(
                    ScormFile.package_id == body["scormPackageId"]
                )
            ).all()
        )
        assert files["index.html"] == "text/html; charset=utf-8"
        assert files["sco.js"] == "text/javascript; charset=utf-8"
        assert files["media/logo.svg"] == "image/svg+xml"
        listed = client.get(f"/api/v1/training/courses/{body['id']}", headers=admin_headers)
        assert listed.json()["scormPackageId"] == body["scormPackageId"]

    def test_a_title_given_wins_over_the_packages(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        admin_headers: dict[str, str],
    ) -> None:
        track = create_track(session, settings=settings)
        response = upload(client, track.id, sco_package("1.2"), admin_headers, title="Speak up")
        assert response.json()["title"] == "Speak up"

    def test_only_admins_upload(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        staff_headers: dict[str, str],
    ) -> None:
        track = create_track(session, settings=settings)
        assert upload(client, track.id, sco_package("1.2"), staff_headers).status_code == 403

    def test_an_unknown_track_is_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        assert upload(client, 999_999, sco_package("1.2"), admin_headers).status_code == 404


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest("1.2"))
        archive.writestr("index.html", SCO_HTML)
        link = zipfile.ZipInfo("secret")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _bomb() -> bytes:
    return zip_bytes(
        {
            "imsmanifest.xml": manifest("1.2"),
            "index.html": SCO_HTML,
            "zeros.bin": b"\0" * (3 * 1024 * 1024),
        }
    )


MULTI_SCO = (
    manifest("1.2")
    .replace(
        '<item identifier="item1" identifierref="sco1"><title>Test SCO course</title></item>',
        '<item identifier="item1" identifierref="sco1"><title>One</title></item>'
        '<item identifier="item2" identifierref="sco2"><title>Two</title></item>',
    )
    .replace(
        "</resources>",
        '<resource identifier="sco2" type="webcontent" adlcp:scormtype="sco" href="two.html"/>'
        "</resources>",
    )
)

BAD_UPLOADS = {
    "not a zip": (b"%PDF-1.4 not a zip", "not a zip archive"),
    "no manifest": (zip_bytes({"index.html": SCO_HTML}), "no imsmanifest.xml"),
    "manifest in a folder": (
        zip_bytes({"course/imsmanifest.xml": manifest("1.2"), "course/index.html": SCO_HTML}),
        "zip the folder's contents",
    ),
    "manifest does not parse": (
        zip_bytes({"imsmanifest.xml": "<manifest><oops>", "index.html": SCO_HTML}),
        "does not parse",
    ),
    "entity expansion": (
        zip_bytes(
            {
                "imsmanifest.xml": '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]>'
                "<manifest>&a;</manifest>",
                "index.html": SCO_HTML,
            }
        ),
        "refused",
    ),
    "not SCORM": (
        zip_bytes({"imsmanifest.xml": "<manifest><organizations/></manifest>"}),
        "not a SCORM 1.2 or 2004 manifest",
    ),
    "launch file missing": (
        zip_bytes({"imsmanifest.xml": manifest("2004")}),
        "launch file 'index.html' is not in the package",
    ),
    "launch outside": (
        zip_bytes({"imsmanifest.xml": manifest("1.2", href="../index.html")}),
        "outside the package",
    ),
    "zip slip": (
        zip_bytes(
            {"imsmanifest.xml": manifest("1.2"), "index.html": SCO_HTML, "../../evil.sh": "x"}
        ),
        "outside the package ('..')",
    ),
    "absolute path": (
        zip_bytes({"imsmanifest.xml": manifest("1.2"), "index.html": SCO_HTML, "/etc/x": "x"}),
        "absolute path",
    ),
    "symlink": (_symlink_zip(), "symbolic links are not allowed"),
    "several SCOs": (
        zip_bytes({"imsmanifest.xml": MULTI_SCO, "index.html": SCO_HTML, "two.html": SCO_HTML}),
        "one SCO per course",
    ),
}


class TestBadUploads:
    @pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
    def test_refused_with_422_naming_the_problem_and_nothing_stored(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        admin_headers: dict[str, str],
        case: str,
    ) -> None:
        track = create_track(session, settings=settings)
        before = stored(session)
        data, expected = BAD_UPLOADS[case]
        response = upload(client, track.id, data, admin_headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert expected in response.json()["detail"]
        assert "course.zip" in response.json()["detail"]
        assert stored(session) == before

    def test_a_zip_bomb_stops_at_the_unpacked_limit(
        self, session: Session, settings: Settings, session_factory, admin_headers
    ) -> None:
        from opsportal.app import create_app

        small = settings.model_copy(update={"scorm_max_unpacked_bytes": 1024 * 1024})
        track = create_track(session, settings=settings)
        with TestClient(create_app(small, session_factory=session_factory)) as client:
            response = upload(client, track.id, _bomb(), admin_headers)
        assert response.status_code == 422
        assert "unpacks to more than 1,048,576 bytes" in response.json()["detail"]
        assert "zeros.bin" in response.json()["detail"]

    def test_too_many_files(
        self, session: Session, settings: Settings, session_factory, admin_headers
    ) -> None:
        from opsportal.app import create_app

        few = settings.model_copy(update={"scorm_max_files": 3})
        track = create_track(session, settings=settings)
        with TestClient(create_app(few, session_factory=session_factory)) as client:
            response = upload(client, track.id, sco_package("1.2"), admin_headers)
        assert response.status_code == 422
        assert "at most 3 are allowed" in response.json()["detail"]

    def test_an_oversized_upload_is_413_before_it_is_read(
        self, session: Session, settings: Settings, session_factory, admin_headers
    ) -> None:
        from opsportal.app import create_app

        tiny = settings.model_copy(update={"scorm_max_package_bytes": 2048})
        track = create_track(session, settings=settings)
        before = stored(session)
        with TestClient(create_app(tiny, session_factory=session_factory)) as client:
            response = upload(client, track.id, b"x" * 200_000, admin_headers)
        assert response.status_code == 413
        assert stored(session) == before

    def test_packages_may_be_larger_than_other_bodies(
        self, session: Session, settings: Settings, session_factory, admin_headers
    ) -> None:
        from opsportal.app import create_app

        limited = settings.model_copy(update={"max_body_bytes": 4096})
        track = create_track(session, settings=settings)
        with TestClient(create_app(limited, session_factory=session_factory)) as client:
            response = upload(client, track.id, sco_package("2004"), admin_headers)
            other = client.post(
                "/api/v1/training/tracks", content=b"x" * 10_000, headers=admin_headers
            )
        assert response.status_code == 201
        assert other.status_code == 413


class TestUploadPage:
    def test_the_admin_uploads_from_the_tracks_page(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        track = create_track(session, settings=settings)
        log_in(client, admin.email, PASSWORD)
        track_page = client.get(f"/admin/tracks/{track.id}")
        assert "Add SCORM package" in track_page.text
        form = client.get(f"/admin/tracks/{track.id}/scorm/new")
        assert form.status_code == 200
        token = csrf_from(form.text)
        response = client.post(
            f"/admin/tracks/{track.id}/scorm",
            data={"csrf_token": token, "title": ""},
            files={"file": ("course.zip", sco_package("1.2"), "application/zip")},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert "SCORM course “Test SCO course” added (SCORM 1.2, 4 files)" in response.text

    def test_a_bad_package_shows_the_problem_on_the_form(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        track = create_track(session, settings=settings)
        log_in(client, admin.email, PASSWORD)
        form = client.get(f"/admin/tracks/{track.id}/scorm/new")
        token = csrf_from(form.text)
        before = stored(session)
        response = client.post(
            f"/admin/tracks/{track.id}/scorm",
            data={"csrf_token": token},
            files={"file": ("broken.zip", b"not a zip", "application/zip")},
        )
        assert response.status_code == 422
        assert "broken.zip: the file is not a zip archive" in response.text
        assert stored(session) == before
