"""File downloads: one response shape for every attachment the API and the pages hand out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.responses import Response, StreamingResponse

CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def download_route(media_type: str, description: str | None = None) -> dict[str, Any]:
    """A download route's options: a plain response, documented (OpenAPI) as `media_type`,
    e.g. `@router.get("/x.csv", **download_route("text/csv", "One row per item"))`."""
    ok: dict[str, Any] = {"content": {media_type: {}}}
    if description is not None:
        ok["description"] = description
    return {"response_class": Response, "responses": {200: ok}}


def attachment(body: str | bytes | Iterator[str], *, filename: str, media_type: str) -> Response:
    """A file the browser saves under `filename` rather than displays; an iterator is streamed."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, str | bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)


def csv_download(body: str | Iterator[str], *, filename: str) -> Response:
    """A CSV attachment; an iterator of chunks is streamed as it is produced."""
    return attachment(body, filename=filename, media_type=CSV)


def pdf_download(body: bytes, *, filename: str) -> Response:
    return attachment(body, filename=filename, media_type=PDF)
