"""CSV downloads, one response shape for the API and the pages."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.responses import Response, StreamingResponse


def csv_download(body: str | Iterator[str], filename: str) -> Response:
    """A CSV attachment (text/csv); an iterator of chunks is streamed as it is produced."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, str):
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)
