"""Importing a SCORM package as a course of a track: checked whole, then stored in the database.

The package's files go into the database (`training_scorm_files`, their bytes in
chunks of at most `CHUNK_BYTES`), so every replica serves them, a backup holds
them, and a failed import leaves nothing behind: it is one transaction.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.config import Settings
from opsportal.errors import InvalidInput, NotFound
from opsportal.models import Course, ScormPackage
from opsportal.principal import Principal
from opsportal.training import repository as training
from opsportal.training.content import repository
from opsportal.training.content.package import (
    CheckedPackage,
    Limits,
    PackageError,
    check_package,
    open_package,
    read_entry,
)
from opsportal.training.content.schemas import ScormCourseRead, ScormPackageRead

CHUNK_BYTES = 1024 * 1024
# Chunks inserted per statement: a few MB per round trip.
CHUNKS_PER_INSERT = 8


@dataclass(frozen=True)
class ImportedCourse:
    course: Course
    package: ScormPackage


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_files=settings.scorm_max_files, max_unpacked_bytes=settings.scorm_max_unpacked_bytes
    )


def _store_files(
    session: Session, archive: zipfile.ZipFile, checked: CheckedPackage, package_id: int
) -> None:
    for entry in checked.entries:
        file_id = repository.add_file(
            session,
            package_id=package_id,
            path=entry.path,
            content_type=entry.content_type,
            size=entry.info.file_size,
        )
        batch: list[dict[str, object]] = []
        seq = 0
        for chunk in read_entry(archive, entry, chunk_bytes=CHUNK_BYTES):
            batch.append({"file_id": file_id, "seq": seq, "data": chunk})
            seq += 1
            if len(batch) == CHUNKS_PER_INSERT:
                repository.add_chunks(session, batch)
                batch = []
        repository.add_chunks(session, batch)


def import_package(
    session: Session,
    *,
    track_id: int,
    upload: IO[bytes],
    filename: str,
    settings: Settings,
    actor: Principal,
    title: str | None = None,
) -> ImportedCourse:
    """A new course at the end of the track, played from the uploaded package; 422 naming the
    problem (and nothing stored) when the upload is not a package we can play."""
    track = training.get_track(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    try:
        archive = open_package(upload)
        with archive:
            checked = check_package(archive, limits_of(settings))
            manifest = checked.manifest
            package = ScormPackage(
                version=manifest.version,
                edition=manifest.edition[:60],
                identifier=manifest.identifier,
                title=manifest.title,
                launch_path=manifest.launch_path,
                file_count=len(checked.entries),
                total_bytes=checked.declared_bytes,
            )
            session.add(package)
            session.flush()
            _store_files(session, archive, checked, package.id)
    except PackageError as exc:
        raise InvalidInput(f"{filename or 'the upload'}: {exc}", extra={"field": "file"}) from exc
    course_title = (title or manifest.title or filename or "SCORM course").strip()[:200]
    course = Course(
        track_id=track.id,
        title=course_title,
        sort_order=training.next_course_sort_order(session, track.id),
        scorm_package_id=package.id,
    )
    session.add(course)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="course.create",
        target_type="course",
        target_id=course.id,
        detail={
            "trackId": track.id,
            "title": course.title,
            "scorm": {
                "packageId": package.id,
                "version": package.version,
                "files": package.file_count,
                "bytes": package.total_bytes,
            },
        },
    )
    return ImportedCourse(course=course, package=package)


def package_read(package: ScormPackage) -> ScormPackageRead:
    return ScormPackageRead.model_validate(package)


def scorm_course_read(imported: ImportedCourse) -> ScormCourseRead:
    course = imported.course
    return ScormCourseRead(
        id=course.id,
        track_id=course.track_id,
        title=course.title,
        description=course.description,
        content=course.content,
        sort_order=course.sort_order,
        is_active=course.is_active,
        quiz_id=None,
        scorm_package_id=course.scorm_package_id,
        scorm_package=package_read(imported.package),
    )
