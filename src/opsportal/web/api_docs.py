"""`/docs`: Swagger UI served from the swagger-ui-py package's own files.

It loads nothing from the internet and runs no inline script (static/docs.js
starts it), so it works offline and under the portal's Content-Security-Policy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles


def _swagger_ui_dir() -> Path:
    return Path(str(resources.files("swagger_ui") / "static"))


SWAGGER_UI_PREFIX = "/static/swagger-ui"
_SWAGGER_UI_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "LICENSE")

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API docs</title>
  <link rel="stylesheet" href="{prefix}/swagger-ui.css">
  <link rel="stylesheet" href="/static/docs.css">
  <link rel="icon" type="image/png" href="{prefix}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{prefix}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """`/docs` from local files only. Create the app with `docs_url=None, redoc_url=None`."""
    files = _SwaggerUiFiles(_swagger_ui_dir(), _SWAGGER_UI_FILES)
    app.mount(SWAGGER_UI_PREFIX, files, name="swagger-ui")
    page = DOCS_PAGE.format(
        title=app.title, prefix=SWAGGER_UI_PREFIX, openapi_url=app.openapi_url or "/openapi.json"
    )

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(page)


class _SwaggerUiFiles(StaticFiles):
    """The few Swagger UI files /docs needs, and nothing else from that folder."""

    def __init__(self, directory: Path, names: Iterable[str]) -> None:
        super().__init__(directory=directory)
        self.names = frozenset(names)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path not in self.names:
            return "", None
        return super().lookup_path(path)
