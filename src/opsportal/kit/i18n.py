"""Languages, the part every domain may use: the current locale, its catalogue, formats.

Messages are marked with `_()` (Python and templates, through Jinja's i18n
extension) and extracted by `pybabel extract -F babel.cfg`. Each shipped
language has `src/opsportal/locales/<locale>/LC_MESSAGES/messages.po`; the `.po`
files are read directly (no compiled `.mo` in the tree) once per process.

The current locale is a context variable, set once per request (and by
`using_locale` for work done on someone else's behalf, such as an email to a
recipient or a certificate for its holder), so a message translated deep in a
service speaks the same language as the page around it.

This module imports babel and nothing of ours or of the web framework's, so the
pure cores (the certificate PDF), services and the small domains (the mail
outbox) may all use it; `opsportal.web.i18n` re-exports it for the pages.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent.parent / "locales"
DEFAULT_LOCALE = "en"
# English is the source language: its catalogue is the messages themselves.
SHIPPED_LOCALES = ("en", "de", "fr", "es", "ar")
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})

_current_locale: contextvars.ContextVar[str] = contextvars.ContextVar(
    "opsportal_locale", default=DEFAULT_LOCALE
)


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current_locale.set(locale)


@contextmanager
def using_locale(locale: str | None) -> Iterator[None]:
    """Speak `locale` inside the block (an email to its recipient, say), then go back."""
    token = _current_locale.set(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current_locale.reset(token)


def language_of(locale: str | None = None) -> str:
    """The language subtag: "de" for "de_DE", "de-AT" or "de"."""
    return (locale or current_locale()).replace("-", "_").split("_")[0].lower()


def text_direction(locale: str | None = None) -> str:
    return "rtl" if language_of(locale) in RIGHT_TO_LEFT else "ltr"


def language_tag(locale: str | None = None) -> str:
    """The locale as a BCP 47 tag (`lang`, `Content-Language`, `inLanguage`): "pt-BR"."""
    return (locale or current_locale()).replace("_", "-")


def known_locale(value: str) -> str | None:
    """`value` as babel's identifier ("pt_BR" for "pt-br"), or None when CLDR has no such locale."""
    try:
        return str(Locale.parse(value.strip().replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def recipient_locale(preferred: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The locale someone is written to in: their own setting, else the deployment's default."""
    return (known_locale(preferred) if preferred else None) or default


def catalogue_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The locale's catalogue, read once; English (or an unknown locale) is the identity.

    A regional locale without a catalogue of its own ("de_AT") reads its
    language's ("de").
    """
    for candidate in dict.fromkeys((locale, language_of(locale))):
        path = catalogue_path(candidate)
        if path.is_file():
            with path.open("rb") as po:
                catalogue = read_po(po, locale=candidate)
            compiled = BytesIO()
            # Fuzzy entries are guesses awaiting review: never shown, as msgfmt would have it.
            write_mo(compiled, catalogue, use_fuzzy=False)
            compiled.seek(0)
            return Translations(compiled)
    return NullTranslations()


def gettext(message: str, **variables: object) -> str:
    """`message` in the current locale, with `%(name)s` placeholders filled when given."""
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def unfilled_ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form for `n`, placeholders left for the caller (Jinja fills them itself)."""
    return translations(current_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str, **variables: object) -> str:
    text = str(translations(current_locale()).pgettext(context, message))
    return text % variables if variables else text


def gettext_noop(message: str) -> str:
    """Marks a message for extraction where it is defined; translate it where it is shown."""
    return message


_ = gettext
N_ = gettext_noop


# --- dates and numbers, in the current locale ---------------------------------------------
#
# English keeps the ISO 8601 dates it has always shown (2026-12-04, 2026-12-04 09:30 UTC):
# unambiguous to every reader, and what English readers and clients match on. Every other
# language gets CLDR's long date ("4. Dezember 2026", "4 décembre 2026") through babel.


def format_day(value: date | datetime) -> str:
    """A calendar day: "2026-12-04" in English, "4. Dezember 2026" in German."""
    day = _in_utc(value).date() if isinstance(value, datetime) else value
    if language_of() == DEFAULT_LOCALE:
        return day.isoformat()
    return format_date(day, format="long", locale=_babel_locale())


def format_moment(value: datetime) -> str:
    """A moment in UTC: "2026-12-04 09:30 UTC"; in German "4. Dezember 2026, 09:30 UTC"."""
    moment = _in_utc(value)
    if language_of() == DEFAULT_LOCALE:
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    locale = _babel_locale()
    day = format_date(moment.date(), format="long", locale=locale)
    time = format_time(moment, format="short", tzinfo=UTC, locale=locale)
    return gettext("%(day)s, %(time)s UTC", day=day, time=time)


def format_number(value: float) -> str:
    """A number with the locale's digits grouping and decimal sign: "1,234.5" / "1.234,5"."""
    return format_decimal(value, locale=_babel_locale())


def _in_utc(value: datetime) -> datetime:
    # The database hands back aware datetimes; a naive one is UTC here, never local time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _babel_locale() -> Locale:
    return Locale.parse(known_locale(current_locale()) or DEFAULT_LOCALE)
