"""File download responses shared by the JSON endpoints and the pages."""

from __future__ import annotations

from fastapi import Response


def pdf_download(filename: str, content: bytes) -> Response:
    """A PDF the browser saves under the given name rather than displays."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
