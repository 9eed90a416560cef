"""Marking a message for translation where it is defined: `N_("...")`, or with values
`N_("User %(id)s not found.", id=user_id)`.

Imports nothing, so that any module (a service, the domain errors, the address
checks) can mark its messages without depending on the web layer. The texts
stay English wherever they go as they are (the API's problem documents, logs,
tests); a page translates them with `opsportal.web.i18n.gettext`.
"""

from __future__ import annotations

from collections.abc import Mapping


class Message(str):
    """A message with its placeholders filled in English, that remembers its msgid and values.

    It is the English text wherever a plain string goes; `gettext` translates it.
    """

    msgid: str
    variables: Mapping[str, object]

    def __new__(cls, msgid: str, variables: Mapping[str, object]) -> Message:
        made = super().__new__(cls, msgid % variables if variables else msgid)
        made.msgid = msgid
        made.variables = variables
        return made

    @classmethod
    def of(cls, text: str) -> Message:
        """`text` as a message of its own (a value put inside another message), so that
        translating the outer one translates it too."""
        return text if isinstance(text, Message) else cls(text, {})


def gettext_noop(message: str, **variables: object) -> str:
    """Marks a message for extraction where it is defined; translate it where it is shown.

    With values, a `Message`: the English text filled in, which `gettext` translates.
    """
    return Message(message, variables) if variables else message


N_ = gettext_noop
