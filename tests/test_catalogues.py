"""The message catalogues, as CI checks them (issue 27: no untranslated message in a shipped
catalogue, `msgfmt -c` clean).

- The committed template (`locales/messages.pot`) is what extracting the tree gives now:
  a message added, changed or removed without `opsportal languages update` fails here.
- Every shipped catalogue translates every message of the template, none of them a
  fuzzy guess, with the same placeholders (and the same HTML tags) as the English.
- GNU `msgfmt -c --check-format` (Debian's `gettext`) finds nothing in any catalogue.

Until the translations arrive the last two fail, saying what is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import write_po

from opsportal.locales import SHIPPED_LOCALES, SOURCE_LOCALE, TEMPLATE_PATH, catalogue_path
from opsportal.locales.catalogues import (
    fresh_template,
    is_translated,
    key_of,
    message_keys,
    read_catalogue,
)

TRANSLATED = [locale for locale in SHIPPED_LOCALES if locale != SOURCE_LOCALE]
# A literal per cent sign (`%%`) is matched first, so "27 %% der" is not read as "% d".
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
SHOWN = 10


def _listed(items: list[str]) -> str:
    more = f"\n  … and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "\n  " + "\n  ".join(items[:SHOWN]) + more


def _forms(text: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if text is None:
        return []
    return list(text) if isinstance(text, list | tuple) else [text]


def test_the_five_languages_are_shipped() -> None:
    assert set(SHIPPED_LOCALES) == {"en", "de", "fr", "es", "ar"}
    for locale in TRANSLATED:
        assert catalogue_path(locale).is_file()


@pytest.mark.slow
def test_the_template_is_what_the_tree_marks_now() -> None:
    committed = message_keys(read_catalogue(TEMPLATE_PATH))
    fresh = message_keys(fresh_template())
    added = sorted(repr(key[1]) for key in fresh - committed)
    gone = sorted(repr(key[1]) for key in committed - fresh)
    assert not added and not gone, (
        "locales/messages.pot is out of date; run `opsportal languages update`."
        + (f"\nmarked but not in it:{_listed(added)}" if added else "")
        + (f"\nin it but no longer marked:{_listed(gone)}" if gone else "")
    )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(locale: str) -> None:
    template = read_catalogue(TEMPLATE_PATH)
    catalogue = read_catalogue(catalogue_path(locale), locale)
    found = {key_of(message): message for message in catalogue if message.id}
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        translated = found.get(key_of(message))
        if translated is None or not is_translated(translated):
            (fuzzy if translated is not None and translated.fuzzy else missing).append(
                repr(message.id)
            )
    assert not missing and not fuzzy, (
        f"{locale}: {len(missing)} of {len(message_keys(template))} messages untranslated, "
        f"{len(fuzzy)} fuzzy (the English changed since: check them, then drop the flag)"
        + (f"\nuntranslated:{_listed(missing)}" if missing else "")
        + (f"\nfuzzy:{_listed(fuzzy)}" if fuzzy else "")
    )


def _placeholder_problems(message: Message) -> list[str]:
    sources = _forms(message.id)
    wanted = {p for source in sources for p in PLACEHOLDER.findall(source)} - {"%%"}
    tags = sorted(TAG.findall(sources[0])) if sources else []
    problems = []
    for index, text in enumerate(_forms(message.string)):
        if not text:
            continue
        used = set(PLACEHOLDER.findall(text)) - {"%%"}
        # A plural form may leave the count out ("one" in Arabic: "مستخدم واحد").
        unknown = used - wanted
        lost = wanted - used - {"%(num)s", "%(num)d"} if len(sources) > 1 else wanted - used
        if unknown or lost:
            problems.append(f"{message.id!r} [{index}]: placeholders {sorted(used)}")
        if sorted(TAG.findall(text)) != tags:
            problems.append(f"{message.id!r} [{index}]: HTML tags {sorted(TAG.findall(text))}")
    return problems


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders_and_tags(locale: str) -> None:
    catalogue = read_catalogue(catalogue_path(locale), locale)
    problems = [
        f"{message.id!r}: {error}" for message, errors in catalogue.check() for error in errors
    ]
    for message in catalogue:
        if message.id:
            problems.extend(_placeholder_problems(message))
    assert not problems, f"{locale}:{_listed(problems)}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_msgfmt_finds_nothing(locale: str) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt not found: install Debian's gettext (.ci/run does)")
    done = subprocess.run(
        [msgfmt, "-c", "--check-format", "-o", "/dev/null", str(catalogue_path(locale))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr.strip(), f"{locale}:\n{done.stderr}"


class TestTheLanguagesCommand:
    def test_it_counts_translated_fuzzy_missing_and_obsolete(self) -> None:
        from babel.messages.catalog import Catalog

        from opsportal.locales.catalogues import measure

        template = Catalog()
        for text in ("Save", "Cancel", "Delete", "Undo"):
            template.add(text)
        template.add(("%(num)s user", "%(num)s users"))
        german = Catalog(locale="de")
        german.add("Save", "Speichern")
        german.add("Cancel", "Abbrechen", flags=["fuzzy"])
        german.add("Delete", "")
        german.add(("%(num)s user", "%(num)s users"), ("%(num)s Benutzer", ""))  # one form short
        german.add("Gone", "Weg")
        found = measure("de", german, template)
        assert (found.total, found.translated, found.fuzzy, found.untranslated) == (5, 1, 1, 3)
        assert found.obsolete == 1
        assert found.share == pytest.approx(0.2)

    def test_it_prints_each_shipped_language(self) -> None:
        from typer.testing import CliRunner

        from opsportal.cli import app

        result = CliRunner().invoke(app, ["languages"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].split() == [
            "locale", "language", "translated", "of", "fuzzy", "missing", "obsolete"
        ]  # fmt: skip
        rows = {line.split()[0]: line for line in lines[1:]}
        assert set(rows) == set(SHIPPED_LOCALES)
        assert "English (source)" in rows["en"] and "100.0%" in rows["en"]
        for locale, name in (("de", "Deutsch"), ("ar", "العربية"), ("fr", "Français")):
            assert name in rows[locale]
            assert re.search(r"\d+\.\d%", rows[locale])

    @pytest.mark.slow
    def test_update_extracts_the_template_and_brings_each_catalogue_up_to_date(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from typer.testing import CliRunner

        from opsportal.cli import app
        from opsportal.locales import catalogues

        # A copy of the catalogues, one of them a message short and one with a stale one.
        for locale in TRANSLATED:
            target = tmp_path / locale / "LC_MESSAGES" / "messages.po"
            target.parent.mkdir(parents=True)
            shutil.copy(catalogue_path(locale), target)
        german = read_catalogue(tmp_path / "de" / "LC_MESSAGES" / "messages.po", "de")
        german.delete("Log in")
        german.add("A message nobody marks any more", "Eine alte Nachricht")
        with (tmp_path / "de" / "LC_MESSAGES" / "messages.po").open("wb") as file:
            write_po(file, german)
        monkeypatch.setattr(catalogues, "TEMPLATE_PATH", tmp_path / "messages.pot")
        monkeypatch.setattr(
            catalogues,
            "catalogue_path",
            lambda locale: tmp_path / locale / "LC_MESSAGES" / "messages.po",
        )

        result = CliRunner().invoke(app, ["languages", "update"])
        assert result.exit_code == 0, result.output
        template = read_catalogue(tmp_path / "messages.pot")
        assert message_keys(template) == message_keys(read_catalogue(TEMPLATE_PATH))
        updated = read_catalogue(tmp_path / "de" / "LC_MESSAGES" / "messages.po", "de")
        assert message_keys(updated) == message_keys(template)
        assert "A message nobody marks any more" in updated.obsolete
        assert updated.num_plurals == 2
        arabic = read_catalogue(tmp_path / "ar" / "LC_MESSAGES" / "messages.po", "ar")
        assert arabic.num_plurals == 6
