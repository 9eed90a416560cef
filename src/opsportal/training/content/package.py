"""A SCORM package's zip: checked entry by entry before a byte is stored (pure).

Refused, each with a message naming the entry: a file that is not a zip; more
entries than `max_files`; a path that is absolute, has a drive letter, a
backslash or a `..` step, or is not valid UTF-8 text; a symbolic link; an
encrypted entry; two entries with the same path; more than `max_unpacked_bytes`
once unpacked (counted from the headers first, then again from the bytes
actually inflated, so a header that lies does not help a zip bomb); no
`imsmanifest.xml` at the root; a launch file the package does not hold.
"""

from __future__ import annotations

import mimetypes
import posixpath
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from opsportal.training.content.manifest import MANIFEST, Manifest, ManifestError, parse_manifest

# The largest manifest we read (real ones are a few KB; 1.2 packages with
# every asset listed reach a few hundred).
MAX_MANIFEST_BYTES = 4 * 1024 * 1024

# Content types by extension, where the platform's table may lack or differ.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt",
    ".pdf": "application/pdf",
    ".swf": "application/octet-stream",
}


class PackageError(ValueError):
    """The upload is not a package we accept; the message names the problem and the entry."""


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_unpacked_bytes: int


@dataclass(frozen=True)
class Entry:
    path: str  # normalised, relative to the package root
    info: zipfile.ZipInfo
    content_type: str


@dataclass(frozen=True)
class CheckedPackage:
    manifest: Manifest
    entries: list[Entry]

    @property
    def declared_bytes(self) -> int:
        return sum(e.info.file_size for e in self.entries)


def content_type_of(path: str) -> str:
    extension = posixpath.splitext(path)[1].lower()
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension]
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return guessed or "application/octet-stream"


def _safe_path(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if "\\" in name or "\x00" in name:
        raise PackageError(f"entry {name!r}: backslashes and NUL are not allowed in paths")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageError(f"entry {name!r}: an absolute path; a package holds relative paths")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PackageError(f"entry {name!r}: a path outside the package ('..')")
    if not parts:
        raise PackageError(f"entry {name!r}: an empty path")
    return "/".join(parts)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def check_package(archive: zipfile.ZipFile, limits: Limits) -> CheckedPackage:
    """Every entry checked and the manifest parsed; nothing inflated but the manifest."""
    infos = archive.infolist()
    files = [i for i in infos if not i.is_dir()]
    if len(infos) > limits.max_files:
        raise PackageError(
            f"the package has {len(infos):,} entries; at most {limits.max_files:,} are allowed"
        )
    entries: list[Entry] = []
    seen: set[str] = set()
    total = 0
    for info in files:
        path = _safe_path(info)
        if _is_symlink(info):
            raise PackageError(f"entry {info.filename!r}: symbolic links are not allowed")
        if info.flag_bits & 0x1:
            raise PackageError(f"entry {info.filename!r}: encrypted entries are not allowed")
        if path in seen:
            raise PackageError(f"entry {info.filename!r}: the path appears twice")
        seen.add(path)
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise PackageError(
                f"the package unpacks to more than {limits.max_unpacked_bytes:,} bytes "
                f"(at entry {info.filename!r})"
            )
        entries.append(Entry(path=path, info=info, content_type=content_type_of(path)))
    for info in infos:
        if info.is_dir():
            _safe_path(info)

    by_path = {e.path: e for e in entries}
    manifest_entry = by_path.get(MANIFEST)
    if manifest_entry is None:
        nested = sorted(p for p in by_path if p.endswith("/" + MANIFEST))
        hint = f"; found {nested[0]!r}: zip the folder's contents, not the folder" if nested else ""
        raise PackageError(f"no {MANIFEST} at the root of the package{hint}")
    if manifest_entry.info.file_size > MAX_MANIFEST_BYTES:
        raise PackageError(f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES:,} bytes")
    manifest_bytes = b"".join(read_entry(archive, manifest_entry, chunk_bytes=64 * 1024))
    try:
        manifest = parse_manifest(manifest_bytes)
    except ManifestError as exc:
        raise PackageError(str(exc)) from exc
    if manifest.launch_file not in by_path:
        raise PackageError(
            f"{MANIFEST}: the SCO's launch file {manifest.launch_file!r} is not in the package"
        )
    return CheckedPackage(manifest=manifest, entries=entries)


def read_entry(archive: zipfile.ZipFile, entry: Entry, *, chunk_bytes: int) -> Iterator[bytes]:
    """An entry's bytes in chunks, never more than its header declared (a zip bomb stops here)."""
    declared = entry.info.file_size
    read = 0
    try:
        with archive.open(entry.info) as stream:
            while chunk := stream.read(chunk_bytes):
                read += len(chunk)
                if read > declared:
                    raise PackageError(
                        f"entry {entry.info.filename!r} inflates to more than its declared "
                        f"{declared:,} bytes"
                    )
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, PackageError):
            raise
        raise PackageError(f"entry {entry.info.filename!r} cannot be read: {exc}") from exc


def open_package(file: IO[bytes]) -> zipfile.ZipFile:
    """The upload as a zip, or PackageError when it is not one."""
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageError("the file is not a zip archive (a SCORM package is a .zip)") from exc
