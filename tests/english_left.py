"""English left on a translated page, found with the shipped catalogue itself.

Every message of a language's catalogue whose translation differs from the
English is a text that, shown in English on a page in that language, was left
untranslated. Its English is cut at its placeholders (and at any markup it
holds) into fragments, and a fragment is kept when a reader would recognise it
as English: at least 12 characters, or at least two words. A kept fragment that
a translation of the same catalogue keeps (a name kept in English, say "Open
Badges 3.0" or "Web Content Accessibility Guidelines") is read past where that
translation shows it, and looked for everywhere else.

`english_on(texts, catalogue)` lists the fragments found, as whole words, in
what a reader sees of a page (`read_page`: `document.body.innerText`, the
`<title>`, and the accessible names and hints in aria-label, title, alt and
placeholder). Data (names, numbers) is never a fragment of the catalogue, so it
is naturally allowed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.messages.pofile import read_po

from opsportal.locales import catalogue_path

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Where a message is cut: its placeholders (%(name)s, %(num)d, %s, %%) and its markup.
CUT = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|<[^>]*>|&\w+;|\n")
WORD = re.compile(r"[^\W\d_]+")
# What a fragment may start or end with that is not part of its words.
EDGES = " \t:;,.·—–-…()[]←→“”\"'/|"
MIN_CHARACTERS = 12
MIN_WORDS = 2


def _forms(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def fragments_of(text: str) -> list[str]:
    """`text` cut at its placeholders and markup, the pieces a reader would recognise."""
    found = []
    for piece in CUT.split(text):
        fragment = " ".join(piece.split()).strip(EDGES)
        words = WORD.findall(fragment)
        if words and (len(fragment) >= MIN_CHARACTERS or len(words) >= MIN_WORDS):
            found.append(fragment)
    return found


def _pattern(fragment: str) -> re.Pattern[str]:
    # As whole words: "Log in" is not found in "Log-ins" nor "Blog in".
    return re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Catalogue:
    """A language's English fragments, and the pieces of its translations that keep one of
    them (a name kept in English inside a translated sentence), to be read past first."""

    fragments: tuple[str, ...]
    kept: tuple[str, ...]


@functools.cache
def catalogue_english(locale: str) -> Catalogue:
    """The English fragments of every message `locale`'s catalogue translates differently
    (none for English, the source language, which has no catalogue)."""
    if not catalogue_path(locale).is_file():
        return Catalogue((), ())
    with catalogue_path(locale).open("rb") as po:
        catalogue = read_po(po, locale=locale)
    pieces: set[str] = set()
    english: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        strings = [s for s in _forms(message.string) if s]
        for string in strings:
            pieces.update(" ".join(p.split()) for p in CUT.split(string) if p.strip())
        for ident in _forms(message.id):
            if ident not in strings:
                english.update(fragments_of(ident))
    fragments = sorted(english, key=len, reverse=True)
    patterns = [_pattern(fragment) for fragment in fragments]
    kept = {piece for piece in pieces if any(p.search(piece) for p in patterns)}
    return Catalogue(tuple(fragments), tuple(sorted(kept, key=len, reverse=True)))


def english_fragments(locale: str) -> tuple[str, ...]:
    return catalogue_english(locale).fragments


def english_on(texts: Iterable[str], catalogue: Catalogue) -> list[str]:
    """Each of the catalogue's fragments found in `texts` (whitespace and case aside) once the
    translations that keep English are read past, with where it was found."""
    text = " \n ".join(" ".join(t.split()) for t in texts if t)
    for piece in catalogue.kept:
        text = text.replace(piece, " ¦ ")
    found = []
    for fragment in catalogue.fragments:
        match = _pattern(fragment).search(text)
        if match:
            around = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
            found.append(f"{fragment!r} in …{around}…")
    return found


# What a reader sees and hears of a page: its rendered text, its title, and the names and
# hints that assistive technology reads out or the pointer shows.
READ_PAGE = """() => {
  const found = [document.body.innerText, document.title];
  const named = ['aria-label', 'title', 'alt', 'placeholder'];
  for (const element of document.querySelectorAll(named.map((n) => `[${n}]`).join())) {
    for (const name of named) {
      const value = element.getAttribute(name);
      if (value && value.trim()) found.push(value.trim());
    }
  }
  return found;
}"""


def read_page(page: Page) -> list[str]:
    texts: list[str] = page.evaluate(READ_PAGE)
    return texts


def english_left(page: Page, locale: str) -> list[str]:
    """The catalogue's English fragments a reader finds on `page`, which speaks `locale`."""
    return english_on(read_page(page), catalogue_english(locale))
