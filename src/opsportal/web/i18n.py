"""The interface's languages: which locale a request speaks, and its catalogue.

Messages are marked with `_()` (Python and templates, through Jinja's i18n
extension) and extracted by `pybabel extract -F babel.cfg`. Each shipped
language has `src/opsportal/locales/<locale>/LC_MESSAGES/messages.po`; the `.po`
files are read directly (no compiled `.mo` in the tree) once per process.

The current locale is a context variable, set once per request (and by
`using_locale` for work done on someone else's behalf, such as an email to a
recipient), so a message translated deep in a service speaks the same language
as the page around it.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


def text_direction(locale: str | None = None) -> str:
    language = (locale or current_locale()).split("_")[0].split("-")[0]
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def catalogue_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The locale's catalogue, read once; English (or an unknown locale) is the identity."""
    path = catalogue_path(locale)
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalogue = read_po(po, locale=locale)
    compiled = BytesIO()
    # Fuzzy entries are guesses awaiting review: never shown, as msgfmt would have it.
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def gettext(message: str, **variables: object) -> str:
    """`message` in the current locale, with `%(name)s` placeholders filled when given."""
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    text = str(translations(current_locale()).pgettext(context, message))
    return text % variables if variables else text


def gettext_noop(message: str) -> str:
    """Marks a message for extraction where it is defined; translate it where it is shown."""
    return message


_ = gettext
N_ = gettext_noop
