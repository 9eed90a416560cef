"""A pseudo-locale that finds English left untranslated on a page.

`pseudo_locale(monkeypatch)` makes every message marked for translation (`_`,
`ngettext`, `pgettext`, in Python and in templates) come out wrapped in ⟦ ⟧, and
`leftover_english(html)` lists what a reader would see outside those marks that
still reads as English words: text nobody marked. A placeholder's value sits
inside its message's marks, so names and titles filled into a sentence are not
reported; data shown on its own (a course's title in a heading) is, unless the
caller lists it in `allowed`.

What is read: the text of the element `within` (an id; `main` by default, the
page's own content rather than the shared frame), the attributes people read
(title, aria-label, alt, placeholder, data-label, and data-* values that look
like words for a script to show rather than ids or JSON), and the strings of
JSON script elements (the words a page hands its scripts). Words in capitals
(PDF, UTC, CERT-…) are taken for codes and acronyms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from babel import Locale
from babel.support import NullTranslations

from opsportal import i18n

# Languages as English pages name them ("German"): CLDR's words (babel), not our messages.
LANGUAGE_NAMES = tuple(
    Locale.parse(locale).get_display_name("en") or locale for locale in i18n.SHIPPED_LOCALES
)

OPEN, CLOSE = "⟦", "⟧"
READ_ATTRIBUTES = frozenset({"title", "aria-label", "alt", "placeholder", "data-label"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")


class PseudoTranslations(NullTranslations):
    """Every message, marked: ⟦message⟧ (placeholders kept, so values still fill in)."""

    def gettext(self, message: str) -> str:
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"{OPEN}{msgid1 if n == 1 else msgid2}{CLOSE}"

    def pgettext(self, context: str, message: str) -> str:
        return f"{OPEN}{message}{CLOSE}"

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return f"{OPEN}{msgid1 if n == 1 else msgid2}{CLOSE}"


def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every locale's catalogue is the pseudo one for the rest of the test."""
    monkeypatch.setattr(i18n, "translations", lambda locale: PseudoTranslations())


class _Reader(HTMLParser):
    """The page's readable text as chunks: runs of text, attribute values, JSON strings."""

    def __init__(self, within: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.depth = 0 if within else 1  # > 0 while inside the element read
        self.skip: str | None = None  # inside <script> or <style>
        self.json_script = False
        self.chunks: list[str] = []
        self.text: list[str] = []

    def _inside(self) -> bool:
        return self.depth > 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.within and self.depth == 0 and values.get("id") == self.within:
            self.depth = 1
            return
        if self._inside() and tag not in VOID_ELEMENTS:
            self.depth += 1
        if not self._inside():
            return
        for name, value in attrs:
            if value and _readable_attribute(name, value):
                self.chunks.append(value)
        if tag in ("script", "style"):
            self.skip = tag
            self.json_script = tag == "script" and values.get("type") == "application/json"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._inside():
            for name, value in attrs:
                if value and _readable_attribute(name, value):
                    self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skip:
            self.skip = None
            self.json_script = False
        if self._inside() and tag not in VOID_ELEMENTS:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._inside():
            return
        if self.skip:
            if self.json_script:
                self.chunks.extend(_json_strings(json.loads(data)))
            return
        self.text.append(data)


def _readable_attribute(name: str, value: str) -> bool:
    if name in READ_ATTRIBUTES:
        return True
    # A script's words (data-copied="Copied"), not an id, a code or data (data-copy-target="x-link",
    # data-state='{"version": …}').
    if not name.startswith("data-") or value.lstrip()[:1] in ("{", "["):
        return False
    return value[:1].isupper() or " " in value.strip()


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _unmarked(text: str) -> list[str]:
    """The runs of `text` outside every ⟦ ⟧ (messages nest: a status word inside a sentence)."""
    runs, current, depth = [], [], 0
    for char in text:
        if char == OPEN:
            depth += 1
            runs.append("".join(current))
            current = []
        elif char == CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            current.append(char)
    runs.append("".join(current))
    return runs


def leftover_english(
    html: str, *, within: str | None = "main", allowed: Iterable[str] = ()
) -> list[str]:
    """The page's English outside the pseudo marks, one entry per run, `allowed` strings removed."""
    reader = _Reader(within)
    reader.feed(html)
    reader.close()
    chunks = ["".join(reader.text), *reader.chunks]
    known = sorted((a for a in allowed if a), key=len, reverse=True)
    found = []
    for chunk in chunks:
        for run in _unmarked(chunk):
            for piece in run.split("\n"):
                for value in known:
                    piece = piece.replace(value, " ")
                words = [w for w in ENGLISH_WORD.findall(piece) if len(w) > 1]
                if words:
                    found.append(" ".join(piece.split()))
    return found
