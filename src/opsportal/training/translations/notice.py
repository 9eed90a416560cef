"""What the pages say about a track's language: language names, and the notice a learner gets
when the track is not (yet) complete in theirs."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from opsportal.i18n import _, current_locale
from opsportal.training.translations.status import language_of


def language_name(locale: str, *, in_locale: str | None = None) -> str:
    """A language's name in the interface's language ("Deutsch" on a German page)."""
    try:
        name = Locale.parse(locale.replace("-", "_")).get_display_name(
            in_locale or current_locale()
        )
    except (ValueError, UnknownLocaleError):
        return locale
    return name or locale


def fallback_notice(served: str, requested: str | None = None) -> str | None:
    """The notice for a track served in `served` to a learner whose language is `requested`
    (the request's): none when it is in their language."""
    requested = requested or current_locale()
    if language_of(served) == language_of(requested):
        return None
    return _(
        "This track is not yet available in %(language)s; it is shown in %(fallback)s.",
        language=language_name(requested),
        fallback=language_name(served),
    )
