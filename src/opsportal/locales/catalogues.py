"""The message catalogues as a whole: extracting the template, updating each language's
catalogue from it, and how much of each is translated.

The template (`locales/messages.pot`) is extracted from the source tree, so
extracting and updating need a checkout (with `babel.cfg` at its root); reading
a catalogue's coverage does not.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from opsportal import __version__
from opsportal.locales import (
    LOCALES_DIR,
    SHIPPED_LOCALES,
    SOURCE_LOCALE,
    TEMPLATE_PATH,
    catalogue_path,
)

PROJECT_ROOT = LOCALES_DIR.parent.parent.parent
BABEL_CONFIG = PROJECT_ROOT / "babel.cfg"
# As babel.cfg's comment says; `N_` marks a message where it is defined, not shown.
EXTRACT_OPTIONS = ("-k", "N_", "-k", "gettext_noop", "--no-location", "--sort-output")

# (context, msgid): a plural message's msgid is its singular and plural.
MessageKey = tuple[str | None, str | tuple[str, ...]]


def key_of(message: Message) -> MessageKey:
    ident = message.id
    return (message.context, tuple(ident) if isinstance(ident, list | tuple) else ident)


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def message_keys(catalogue: Catalog) -> set[MessageKey]:
    return {key_of(message) for message in catalogue if message.id}


def is_translated(message: Message) -> bool:
    """Every form has a translation (a plural message in Arabic has six), and none is a guess."""
    strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
    return not message.fuzzy and bool(strings) and all(strings)


@dataclass(frozen=True)
class Coverage:
    """How much of the template a language's catalogue translates."""

    locale: str
    total: int
    translated: int
    # Translated once, but the English changed since (`pybabel update` marks them fuzzy):
    # outdated, and not shown until someone checks them.
    fuzzy: int
    # In the catalogue but no longer in the template: left over from removed messages.
    obsolete: int

    @property
    def untranslated(self) -> int:
        return self.total - self.translated - self.fuzzy

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(locale: str, template: Catalog | None = None) -> Coverage:
    """How much of the template (the committed one unless given) `locale`'s catalogue translates."""
    template = template if template is not None else read_catalogue(TEMPLATE_PATH)
    if locale == SOURCE_LOCALE:
        wanted = len(message_keys(template))
        return Coverage(locale, wanted, wanted, 0, 0)
    return measure(locale, read_catalogue(catalogue_path(locale), locale), template)


def measure(locale: str, catalogue: Catalog, template: Catalog) -> Coverage:
    wanted = message_keys(template)
    found = {key_of(message): message for message in catalogue if message.id}
    translated = sum(1 for key in wanted if key in found and is_translated(found[key]))
    fuzzy = sum(1 for key in wanted if key in found and found[key].fuzzy)
    obsolete = len(set(found) - wanted) + len(catalogue.obsolete)
    return Coverage(locale, len(wanted), translated, fuzzy, obsolete)


def coverages() -> list[Coverage]:
    template = read_catalogue(TEMPLATE_PATH)
    return [coverage(locale, template) for locale in SHIPPED_LOCALES]


def _pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *arguments])  # type: ignore[no-untyped-call]


def extract(output: Path) -> Catalog:
    """Extract every marked message of the source tree into `output` (a .pot), and read it."""
    if not BABEL_CONFIG.is_file():
        raise FileNotFoundError(
            f"{BABEL_CONFIG} not found: extracting needs a source checkout of opsportal"
        )
    _pybabel(
        "extract",
        "-F",
        str(BABEL_CONFIG),
        *EXTRACT_OPTIONS,
        "--project",
        "opsportal",
        "--version",
        __version__,
        "-o",
        str(output),
        str(PROJECT_ROOT / "src"),
    )
    return read_catalogue(output)


def fresh_template() -> Catalog:
    """What extracting now would put in the template (the committed one is left alone)."""
    with tempfile.TemporaryDirectory() as directory:
        return extract(Path(directory) / "messages.pot")


def update() -> list[str]:
    """Extract the template again, then bring every language's catalogue up to date with it
    (new messages untranslated, changed ones fuzzy); returns the locales updated."""
    extract(TEMPLATE_PATH)
    updated = [locale for locale in SHIPPED_LOCALES if locale != SOURCE_LOCALE]
    for locale in updated:
        _pybabel(
            "update",
            "-i",
            str(TEMPLATE_PATH),
            "-o",
            str(catalogue_path(locale)),
            "-l",
            locale,
        )
    return updated
