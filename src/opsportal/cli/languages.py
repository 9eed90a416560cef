"""`opsportal languages`: how much of the interface each shipped language translates, and
`opsportal languages update`: extract the messages again and update every catalogue."""

from __future__ import annotations

import typer

from opsportal.cli.base import app, fail, say

languages_app = typer.Typer(
    help="The interface's languages: each catalogue's share of messages translated.",
    invoke_without_command=True,
)
app.add_typer(languages_app, name="languages")


@languages_app.callback(invoke_without_command=True)
def languages(context: typer.Context) -> None:
    """Per shipped language: the share of the interface's messages it translates, and those
    that are fuzzy (the English changed since: outdated), untranslated or obsolete."""
    if context.invoked_subcommand is not None:
        return
    from opsportal.locales.catalogues import coverages
    from opsportal.web.i18n import SOURCE_LOCALE, language_name

    header = f"{'locale':<7} {'language':<18} {'translated':>10} {'of':>6} {'fuzzy':>6}"
    typer.echo(f"{header} {'missing':>8} {'obsolete':>9}")
    for found in coverages():
        name = language_name(found.locale) + (" (source)" if found.locale == SOURCE_LOCALE else "")
        typer.echo(
            f"{found.locale:<7} {name:<18} {found.share:>10.1%} {found.total:>6} "
            f"{found.fuzzy:>6} {found.untranslated:>8} {found.obsolete:>9}"
        )


@languages_app.command("update")
def update() -> None:
    """Extract every marked message into locales/messages.pot again, then bring each
    language's catalogue up to date with it (pybabel update: new messages untranslated,
    changed ones fuzzy). Needs a source checkout."""
    from opsportal.locales.catalogues import update
    from opsportal.web.i18n import TEMPLATE_PATH

    try:
        updated = update()
    except FileNotFoundError as exc:
        fail(str(exc))
    say(f"extracted {TEMPLATE_PATH}; updated {', '.join(updated) or 'no catalogue'}")
