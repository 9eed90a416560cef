"""Which language a request speaks, set once per request.

In order: the signed-in user's own `locale` (set by `web.session`, from the
principal it loads anyway: no query of its own); else the cookie the language
switcher leaves (signed-out visitors, and pages without a principal); else the
browser's Accept-Language, negotiated against the shipped locales; else
OPSPORTAL_DEFAULT_LOCALE.

`RequestLocale` does the part that needs no database, for every request, before
any handler: a cookie read and one negotiation per distinct Accept-Language
header (cached: browsers send the same one every time).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from babel import negotiate_locale
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from opsportal.web import i18n

LOCALE_COOKIE = "opsportal_locale"
# A year: a visitor's choice outlives sessions. Signed-in users' choice is their profile's.
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
# An Accept-Language header is a handful of tags; anything longer is cut, not parsed at length.
_MAX_HEADER = 500
_MAX_TAGS = 20


def preferred_tags(accept_language: str) -> list[str]:
    """The header's language tags, most wanted first (`q=0` and `*` left out)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language[:_MAX_HEADER].split(",")[:_MAX_TAGS]):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0 and tag.isascii() and tag.replace("-", "").isalnum():
            weighted.append((-quality, index, tag.replace("-", "_")))
    return [tag for _, _, tag in sorted(weighted)]


@functools.lru_cache(maxsize=512)
def negotiate(accept_language: str, available: tuple[str, ...]) -> str | None:
    """The available locale the header asks for most (`de-DE` finds `de`), or None."""
    found = negotiate_locale(preferred_tags(accept_language), available, sep="_")
    if not found:
        return None
    # Babel answers in the header's spelling ("FR"): the available locale it matched.
    return next((code for code in available if code.lower() == str(found).lower()), None)


def chosen_locale(*, cookie: str | None, accept_language: str | None) -> str:
    """The locale of a request without a signed-in user's own choice."""
    available = i18n.available_locales()
    if cookie and cookie in available:
        return cookie
    if accept_language:
        found = negotiate(accept_language, available)
        if found is not None:
            return found
    return i18n.default_locale()


def scope_locale(scope: Scope) -> str:
    """The locale of a request, from its cookie and Accept-Language headers."""
    cookie: str | None = None
    accept_language: str | None = None
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookie = cookie_parser(value.decode("latin-1")).get(LOCALE_COOKIE) or cookie
        elif name == b"accept-language":
            accept_language = value.decode("latin-1")
    return chosen_locale(cookie=cookie, accept_language=accept_language)


def speak_for(locale: str | None) -> None:
    """A signed-in user's own choice wins over what the request asked for."""
    if locale is not None and i18n.is_available(locale):
        i18n.set_locale(locale)


class RequestLocale:
    """Sets the request's locale (without the user's own choice: see `web.session`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = i18n.set_locale(scope_locale(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.reset_locale(token)


class LanguageChoice(NamedTuple):
    """One language in the switcher: its code, its `lang` tag, its own name for itself."""

    code: str
    tag: str
    name: str


def language_choices() -> list[LanguageChoice]:
    """The switcher's languages, each named in its own language."""
    return [
        LanguageChoice(code, i18n.language_tag(code), i18n.language_name(code))
        for code in i18n.available_locales()
    ]


def shipped_language_choices() -> list[LanguageChoice]:
    """The languages a user's profile may hold (the pseudo-locale is for this browser only)."""
    return [choice for choice in language_choices() if choice.code in i18n.SHIPPED_LOCALES]
