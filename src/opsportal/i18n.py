"""The interface's languages: which locale is spoken now, and its catalogue.

Any module may import it (it imports nothing of opsportal's but the catalogues'
folder and `opsportal.messages`): pages through `opsportal.web.i18n`, which is
the same; services, wording and mail directly, since the web layer imports
domains that import them.

Messages are marked with `_()` (Python and templates, through Jinja's i18n
extension) and extracted by `pybabel extract -F babel.cfg` (`opsportal languages
update`). Each shipped language has `src/opsportal/locales/<locale>/LC_MESSAGES/
messages.po`; the `.po` files are read directly (no compiled `.mo` in the tree)
once per process. A language is shipped by adding its catalogue: English, the
source language, plus every catalogue found there.

The current locale is a context variable, set once per request (web/locales.py:
the user's own setting, else the switcher's cookie, else Accept-Language, else
OPSPORTAL_DEFAULT_LOCALE), and by `using_locale` for work done on someone else's
behalf (an email to its recipient), so a message translated deep in a service
speaks the same language as the page around it. Context variables are copied
into the worker threads that run synchronous handlers, so those see it too.

A domain error shown both to the API (which stays English: clients match its
texts) and on a page is raised with `N_("... %(id)s ...", id=x)` (opsportal.messages,
which any module may import): a `Message`, English text as far as the API and the
logs can tell, that the page translates with `_(exc.detail)`.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from io import BytesIO

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

# Where the catalogues are and which languages they ship, for whoever imports them from here.
from opsportal.locales import LOCALES_DIR as LOCALES_DIR
from opsportal.locales import SHIPPED_LOCALES as SHIPPED_LOCALES
from opsportal.locales import SOURCE_LOCALE as SOURCE_LOCALE
from opsportal.locales import TEMPLATE_PATH as TEMPLATE_PATH
from opsportal.locales import catalogue_path as catalogue_path
from opsportal.messages import N_ as N_
from opsportal.messages import Message as Message
from opsportal.messages import gettext_noop as gettext_noop

DEFAULT_LOCALE = SOURCE_LOCALE
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
# Every message accented and bracketed ("[Šàṽé]"), to find text that was never
# marked for translation. Only offered when OPSPORTAL_PSEUDO_LOCALE is on (and in
# the tests). Its tag is a real one (English, pseudo-accents), so `<html lang>`
# stays valid.
PSEUDO_LOCALE = "en_XA"


class _Deployment:
    """What the deployment chose (OPSPORTAL_DEFAULT_LOCALE, OPSPORTAL_PSEUDO_LOCALE)."""

    default_locale = DEFAULT_LOCALE
    pseudo = False


_deployment = _Deployment()


def configure(*, default_locale: str, pseudo: bool) -> None:
    """Called at start-up (`opsportal.wiring`): the fallback locale, and whether the
    pseudo-locale is offered. Again: replaces it (another app in the same process)."""
    _deployment.default_locale = default_locale
    _deployment.pseudo = pseudo


def default_locale() -> str:
    return _deployment.default_locale


def available_locales() -> tuple[str, ...]:
    """The locales a request may speak: the shipped ones, and the pseudo-locale when on."""
    return (*SHIPPED_LOCALES, PSEUDO_LOCALE) if _deployment.pseudo else SHIPPED_LOCALES


def is_available(locale: str | None) -> bool:
    return locale is not None and locale in available_locales()


def servable_locale(locale: str | None) -> str:
    """`locale` if it is shipped, else its language if that is, else the deployment's default."""
    if locale is None:
        return default_locale()
    for candidate in (locale, language_of(locale)):
        if is_available(candidate):
            return candidate
    return default_locale()


# None outside a request or `using_locale` (a scheduled job): the deployment's default.
_current_locale: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "opsportal_locale", default=None
)


def current_locale() -> str:
    return _current_locale.get() or _deployment.default_locale


def set_locale(locale: str) -> contextvars.Token[str | None]:
    return _current_locale.set(locale)


def reset_locale(token: contextvars.Token[str | None]) -> None:
    _current_locale.reset(token)


@contextmanager
def using_locale(locale: str | None) -> Iterator[None]:
    """Speak `locale` inside the block (an email to its recipient, say), then go back.

    A regional locale speaks its language ("de_DE": "de"); None, or a locale no
    longer shipped: the deployment's default."""
    token = _current_locale.set(servable_locale(locale))
    try:
        yield
    finally:
        _current_locale.reset(token)


def language_of(locale: str | None = None) -> str:
    """The language subtag: "de" for "de_DE", "de-AT" or "de"."""
    return (locale or current_locale()).replace("-", "_").split("_")[0].lower()


def known_locale(value: str) -> str | None:
    """`value` as babel's identifier ("pt_BR" for "pt-br"), or None when CLDR has no such locale."""
    try:
        return str(Locale.parse(value.strip().replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def recipient_locale(preferred: str | None, default: str | None = None) -> str:
    """The locale someone is written to in: their own setting, else the deployment's default."""
    return (known_locale(preferred) if preferred else None) or default or default_locale()


def text_direction(locale: str | None = None) -> str:
    return "rtl" if language_of(locale or current_locale()) in RIGHT_TO_LEFT else "ltr"


def language_tag(locale: str | None = None) -> str:
    """The BCP 47 tag for `<html lang>` and `lang` attributes: `de`, `en-XA`."""
    return (locale or current_locale()).replace("_", "-")


@functools.cache
def language_name(locale: str) -> str:
    """The language as its own speakers name it, as a menu shows it: "Deutsch", "Français"."""
    if locale == PSEUDO_LOCALE:
        return "[Ƥšéûðö]"
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The locale's catalogue, read once; English (or an unknown locale) is the identity."""
    if locale == PSEUDO_LOCALE:
        from opsportal.locales.pseudo import pseudo_translations

        return pseudo_translations(TEMPLATE_PATH)
    # A regional locale without a catalogue of its own ("de_AT") reads its language's ("de").
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
    """`message` in the current locale, with `%(name)s` placeholders filled when given.

    A `Message` is translated by its msgid and filled with its own values; any
    other text is looked up as it is (a domain error's plain English detail).
    """
    if isinstance(message, Message):
        variables = {**message.variables, **variables}
        message = message.msgid
    text = translations(current_locale()).gettext(message)
    if not variables:
        return text
    # A value that is a message of its own (why an address was refused) is translated too.
    return text % {
        name: gettext(value) if isinstance(value, Message) else value
        for name, value in variables.items()
    }


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    text = str(translations(current_locale()).pgettext(context, message))
    return text % variables if variables else text


_ = gettext


# Jinja's newstyle gettext fills (and escapes) a template's placeholders itself:
# these only look the message up.
def template_gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def template_pgettext(context: str, message: str) -> str:
    return str(translations(current_locale()).pgettext(context, message))


def template_npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(translations(current_locale()).npgettext(context, singular, plural, n))


# --- dates and numbers, in the current locale ---------------------------------------------
#
# English keeps the ISO 8601 dates it has always shown (2026-12-04, 2026-12-04 09:30 UTC):
# unambiguous to every reader, and what English readers and clients match on. Every other
# language gets CLDR's long date ("4. Dezember 2026", "4 décembre 2026") through babel.


def format_day(value: date | datetime) -> str:
    """A calendar day: "2026-12-04" in English, "4. Dezember 2026" in German."""
    day = _in_utc(value).date() if isinstance(value, datetime) else value
    if language_of() == SOURCE_LOCALE:
        return day.isoformat()
    return format_date(day, format="long", locale=_babel_locale())


def format_moment(value: datetime) -> str:
    """A moment in UTC: "2026-12-04 09:30 UTC"; in German "4. Dezember 2026, 09:30 UTC"."""
    moment = _in_utc(value)
    if language_of() == SOURCE_LOCALE:
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
    return Locale.parse(known_locale(current_locale()) or SOURCE_LOCALE)
