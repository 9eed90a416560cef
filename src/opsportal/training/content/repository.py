"""SCORM queries: packages and their files, attempts and their launch keys."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from opsportal.models import ScormAttempt, ScormFile, ScormFileChunk, ScormPackage


def add_file(session: Session, *, package_id: int, path: str, content_type: str, size: int) -> int:
    row = ScormFile(package_id=package_id, path=path, content_type=content_type, size=size)
    session.add(row)
    session.flush()
    return row.id


def add_chunks(session: Session, rows: list[dict[str, object]]) -> None:
    """Chunks inserted in one executemany: they never become ORM objects in the session."""
    if rows:
        session.execute(insert(ScormFileChunk), rows)


def set_file_size(session: Session, *, file_id: int, size: int) -> None:
    row = session.get(ScormFile, file_id)
    if row is not None:
        row.size = size


def get_package(session: Session, package_id: int) -> ScormPackage | None:
    return session.get(ScormPackage, package_id)


def find_file(session: Session, *, package_id: int, path: str) -> ScormFile | None:
    return session.scalars(
        select(ScormFile).where(ScormFile.package_id == package_id, ScormFile.path == path)
    ).first()


def chunk_count(session: Session, file_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ScormFileChunk)
            .where(ScormFileChunk.file_id == file_id)
        )
        or 0
    )


def chunks(
    session: Session, file_id: int, *, start: int = 0, stop: int | None = None
) -> Iterator[bytes]:
    query = (
        select(ScormFileChunk.data)
        .where(ScormFileChunk.file_id == file_id, ScormFileChunk.seq >= start)
        .order_by(ScormFileChunk.seq)
    )
    if stop is not None:
        query = query.where(ScormFileChunk.seq < stop)
    yield from session.scalars(query)


# --- attempts ---------------------------------------------------------------------


def latest_attempt(session: Session, *, user_id: int, course_id: int) -> ScormAttempt | None:
    return session.scalars(
        select(ScormAttempt)
        .where(ScormAttempt.user_id == user_id, ScormAttempt.course_id == course_id)
        .order_by(ScormAttempt.number.desc())
        .limit(1)
    ).first()


def attempt_by_token_hash(
    session: Session, token_hash: str, *, lock: bool = False
) -> ScormAttempt | None:
    query = select(ScormAttempt).where(ScormAttempt.launch_token_hash == token_hash)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def attempts_of_course(session: Session, *, course_id: int) -> list[ScormAttempt]:
    return list(
        session.scalars(
            select(ScormAttempt)
            .where(ScormAttempt.course_id == course_id)
            .order_by(ScormAttempt.updated_at.desc())
        )
    )
