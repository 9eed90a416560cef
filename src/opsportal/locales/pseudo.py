"""The pseudo-locale: every message of the catalogue template accented and bracketed.

"Save" becomes "[Šàṽé]": still readable, plainly not English, and its brackets
show where each message starts and ends (a sentence pieced together from
fragments shows as several). Text that stays plain English on a page in this
locale was never marked for translation. Only the template's (`messages.pot`)
messages are transformed, so a string looked up at run time that is not in it
stays English too and is found the same way.

Placeholders (`%(name)s`, `%d`, `%%`), HTML tags and character references are
kept as they are, so every page still renders and fills in its values.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

_LETTERS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# What must come through unchanged: printf placeholders, HTML tags, character references.
_KEEP = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|<[^>]*>|&#?\w+;")


def pseudo(message: str) -> str:
    """`message` accented and bracketed, its placeholders, tags and references kept."""
    if not message:
        return message
    parts: list[str] = []
    position = 0
    for kept in _KEEP.finditer(message):
        parts.append(message[position : kept.start()].translate(_LETTERS))
        parts.append(kept.group())
        position = kept.end()
    parts.append(message[position:].translate(_LETTERS))
    return "[" + "".join(parts) + "]"


def pseudo_translations(template: Path) -> Translations:
    """A catalogue translating every message of `template` (the .pot) into the pseudo-locale."""
    catalogue = Catalog(locale="en")
    if template.is_file():
        with template.open("rb") as pot:
            source = read_po(pot)
        for message in source:
            if not message.id:
                continue
            if isinstance(message.id, tuple | list):
                catalogue.add(
                    tuple(message.id),
                    tuple(pseudo(text) for text in message.id),
                    context=message.context,
                )
            else:
                catalogue.add(message.id, pseudo(message.id), context=message.context)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)
