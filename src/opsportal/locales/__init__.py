"""The interface's message catalogues, one folder per language: `<locale>/LC_MESSAGES/messages.po`,
and their template `messages.pot` (`opsportal languages update` extracts it).

English is the source language: its catalogue is the messages themselves. A
language is shipped by adding its catalogue here; this module finds them, and
imports nothing of opsportal's, so that the settings can check a locale too.
"""

from __future__ import annotations

from pathlib import Path

LOCALES_DIR = Path(__file__).parent
TEMPLATE_PATH = LOCALES_DIR / "messages.pot"
SOURCE_LOCALE = "en"


def catalogue_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def _shipped() -> tuple[str, ...]:
    found = sorted(p.name for p in LOCALES_DIR.iterdir() if catalogue_path(p.name).is_file())
    return (SOURCE_LOCALE, *(locale for locale in found if locale != SOURCE_LOCALE))


# English first, then each catalogue's locale in the order of their codes.
SHIPPED_LOCALES = _shipped()
