"""The interface's languages, as the pages use them.

The machinery itself — the current locale, catalogues, gettext and the
locale's dates and numbers — lives in `opsportal.kit.i18n`, where every domain
may import it (emails and the certificate PDF are composed far from any page).
This module re-exports it under the names the pages and templates use; what only
the web layer needs belongs here.

A test that installs a catalogue replaces `opsportal.kit.i18n.translations`:
that is the name `gettext` looks up.
"""

from __future__ import annotations

from opsportal.kit.i18n import (
    DEFAULT_LOCALE,
    LOCALES_DIR,
    N_,
    RIGHT_TO_LEFT,
    SHIPPED_LOCALES,
    _,
    catalogue_path,
    current_locale,
    format_day,
    format_moment,
    format_number,
    gettext,
    gettext_noop,
    known_locale,
    language_of,
    language_tag,
    ngettext,
    pgettext,
    recipient_locale,
    set_locale,
    text_direction,
    translations,
    unfilled_ngettext,
    using_locale,
)

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES_DIR",
    "N_",
    "RIGHT_TO_LEFT",
    "SHIPPED_LOCALES",
    "_",
    "catalogue_path",
    "current_locale",
    "format_day",
    "format_moment",
    "format_number",
    "gettext",
    "gettext_noop",
    "known_locale",
    "language_of",
    "language_tag",
    "ngettext",
    "pgettext",
    "recipient_locale",
    "set_locale",
    "text_direction",
    "translations",
    "unfilled_ngettext",
    "using_locale",
]
