"""Test catalogues: a few real German translations, installed for one test.

The shipped catalogues (src/opsportal/locales/) are written by the language
work; tests of what is composed in a recipient's language do not wait for them.
`install_catalogue` builds a babel catalogue from the messages given, compiles it
as `pybabel compile` would, and makes it the one `gettext` reads for that
language (the name it looks up is `opsportal.i18n.translations`).
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from opsportal import i18n

Messages = Mapping[str | tuple[str, str], str | tuple[str, str]]

GERMAN: Messages = {
    # Invitations
    "Hello %(name)s,": "Hallo %(name)s,",
    "An opsportal account has been made for you (%(email)s): training, "
    "certificates and your organisation's benchmarks.": "Für Sie wurde ein opsportal-Konto "
    "angelegt (%(email)s): Schulungen, Zertifikate und die Benchmarks Ihrer Organisation.",
    "Set your password with this link. It works once, until %(expires)s:": "Legen Sie Ihr "
    "Passwort mit diesem Link fest. Er funktioniert einmal, bis %(expires)s:",
    "Then sign in with your email and that password. If you did not expect this "
    "email, ignore it: nothing happens until the link is used.": "Melden Sie sich danach mit "
    "Ihrer E-Mail-Adresse und diesem Passwort an. Wenn Sie diese E-Mail nicht erwartet haben, "
    "ignorieren Sie sie: Solange der Link nicht verwendet wird, geschieht nichts.",
    "Your opsportal account: set your password": "Ihr opsportal-Konto: Legen Sie Ihr Passwort fest",
    # Reminders
    "opsportal: %(title)s": "opsportal: %(title)s",
    "Overdue: %(track)s": "Überfällig: %(track)s",
    "Your training “%(track)s” was due on %(due)s and is not complete yet.": "Ihre Schulung "
    "„%(track)s“ war am %(due)s fällig und ist noch nicht abgeschlossen.",
    ("Due in %(num)d day: %(track)s", "Due in %(num)d days: %(track)s"): (
        "Fällig in %(num)d Tag: %(track)s",
        "Fällig in %(num)d Tagen: %(track)s",
    ),
    (
        "Your training “%(track)s” is due on %(due)s (in %(num)d day).",
        "Your training “%(track)s” is due on %(due)s (in %(num)d days).",
    ): (
        "Ihre Schulung „%(track)s“ ist am %(due)s fällig (in %(num)d Tag).",
        "Ihre Schulung „%(track)s“ ist am %(due)s fällig (in %(num)d Tagen).",
    ),
    # Revocation
    "Certificate revoked: %(track)s": "Zertifikat widerrufen: %(track)s",
    "opsportal: your certificate %(number)s was revoked": "opsportal: Ihr Zertifikat "
    "%(number)s wurde widerrufen",
    # The Open Badges credential
    "Passed the quiz of every course of the %(track)s track, version %(version)s, "
    "with at least the required score.": "Das Quiz jedes Kurses des Pfads „%(track)s“, "
    "Version %(version)s, mit mindestens der geforderten Punktzahl bestanden.",
    # The certificate PDF
    "CERTIFICATE OF COMPLETION": "ABSCHLUSSZERTIFIKAT",
    "This certifies that": "Hiermit wird bestätigt, dass",
    "has completed the certification track": "den Zertifizierungspfad abgeschlossen hat",
    "Version %(version)s": "Version %(version)s",
    "Certificate number": "Zertifikatsnummer",
    "Issued": "Ausgestellt",
    "Valid until": "Gültig bis",
    "Scan or visit to verify:": "Zur Prüfung scannen oder aufrufen:",
    "Certificate %(number)s": "Zertifikat %(number)s",
}


def catalogue(locale: str, messages: Messages) -> Translations:
    """`messages` compiled into a catalogue for `locale`, as `pybabel compile` would."""
    source = Catalog(locale=locale)
    for message_id, string in messages.items():
        source.add(message_id, string)
    compiled = BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    return Translations(compiled)


def install_catalogue(
    monkeypatch: pytest.MonkeyPatch, locale: str, messages: Messages = GERMAN
) -> None:
    """Until the test ends, `locale`'s language reads `messages`; every other one is English."""
    installed = catalogue(locale, messages)
    language = i18n.language_of(locale)

    def translations(wanted: str) -> NullTranslations:
        return installed if i18n.language_of(wanted) == language else NullTranslations()

    monkeypatch.setattr(i18n, "translations", translations)
