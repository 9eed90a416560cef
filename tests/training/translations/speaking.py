"""Requests in a language: the app served with the request's locale set from Accept-Language,
as the portal's negotiation sets it for a user who has chosen no language of their own."""

from __future__ import annotations

from typing import Any

from opsportal.web import i18n


class SpeakingApp:
    """An ASGI app that runs `app` in the language the request's Accept-Language puts first.

    With the portal's own negotiation in place this agrees with it (a user without a
    language of their own gets their Accept-Language); it keeps these tests independent of it.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        wanted = headers.get(b"accept-language", b"").decode("latin-1")
        first = wanted.split(",")[0].split(";")[0].strip().replace("-", "_")
        language = first.split("_")[0].lower()
        locale = language if language in i18n.SHIPPED_LOCALES else i18n.DEFAULT_LOCALE
        token = i18n.set_locale(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n._current_locale.reset(token)


def speaking(locale: str) -> dict[str, str]:
    return {"Accept-Language": locale}
