"""Messages a service words once, that the API sends in English and a page translates.

A service's error (a taken slug, a quiz rule broken) reaches two readers: the JSON API,
whose messages stay English because machine clients match them, and a page, which speaks
its reader's language. A `Translatable` is the English text itself, so the API, logs and
tests see exactly the string they saw before, and it keeps its msgid and values, so a page
shows it with `shown()` in the current locale. Mark the msgid with `N_` where the message is
written, so extraction finds it: `Translatable(N_("A track with slug %(slug)s exists."), ...)`.
"""

from __future__ import annotations

from opsportal.web import i18n


class Translatable(str):
    """English text (a `str`) that remembers how to say itself in the current locale."""

    msgid: str
    plural: str | None
    n: int | None
    values: dict[str, object]

    def __new__(cls, msgid: str, /, **values: object) -> Translatable:
        english = super().__new__(cls, msgid % values if values else msgid)
        english.msgid, english.plural, english.n, english.values = msgid, None, None, values
        return english

    @classmethod
    def ngettext(cls, singular: str, plural: str, count: int, /, **values: object) -> Translatable:
        """The English singular or plural for `count` (`%(num)d`); translated with ngettext.
        Named so that extraction (`pybabel extract`) finds it as a plural message."""
        english = cls(singular if count == 1 else plural, num=count, **values)
        english.msgid, english.plural, english.n = singular, plural, count
        english.values = values  # `num` is the count's, given again by `translated`
        return english

    def translated(self) -> str:
        if self.plural is not None and self.n is not None:
            return i18n.ngettext(self.msgid, self.plural, self.n, **self.values)
        return i18n.gettext(self.msgid, **self.values)


def shown(message: object) -> str:
    """A message as a page shows it: translated when it is a `Translatable`, else as it is."""
    return message.translated() if isinstance(message, Translatable) else str(message)
