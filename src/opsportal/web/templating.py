"""Jinja2 templates and the one `render` every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.web import formatting, i18n
from opsportal.web.i18n import N_
from opsportal.web.locales import language_choices
from opsportal.web.session import csrf_token, navigation_counts

PACKAGE_DIR = Path(__file__).parent.parent
STATIC_DIR = Path(__file__).parent / "static"
# The shared base templates, then each domain's own pages beside its code.
TEMPLATE_DIRS = [
    PACKAGE_DIR / "web" / "templates",
    *(
        PACKAGE_DIR / domain / "templates"
        for domain in (
            "auth",
            "benchmarks",
            "training",
            "users",
            "audit",
            "notifications",
        )
    ),
]

templates = Jinja2Templates(directory=TEMPLATE_DIRS)
templates.env.add_extension("jinja2.ext.i18n")
# Newstyle gettext: `{{ _("Hello %(name)s", name=user.name) }}` escapes its values
# and fills placeholders, so a template never formats a translated string itself
# (and a literal per cent sign is written `%%`).
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.template_gettext,
    i18n.template_ngettext,
    newstyle=True,
    pgettext=i18n.template_pgettext,
    npgettext=i18n.template_npgettext,
)
# `{% trans %}` blocks span lines: their whitespace is folded, here as at extraction (babel.cfg).
templates.env.policies["ext.i18n.trimmed"] = True
# Templates are package files: they change with a new release, which restarts the
# process. Checking each one's modification time on every render (Jinja's default)
# was an eighth of the scorecard page's time. Restart the server to see an edit.
templates.env.auto_reload = False


# Roles as people call them; the codes (`customer_admin`) are the API's.
ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.INTERNAL: N_("Internal staff"),
    Role.CUSTOMER: N_("Customer"),
    Role.CUSTOMER_ADMIN: N_("Customer administrator"),
}


def role_label(role: Role | str) -> str:
    """A role as people call it, in the current language."""
    return i18n.gettext(ROLE_LABELS[Role(role)])


templates.env.filters["date"] = formatting.format_date
templates.env.filters["datetime"] = formatting.format_datetime
templates.env.filters["number"] = formatting.format_number
templates.env.filters["percent"] = formatting.format_percent
templates.env.filters["role_label"] = role_label
# A text made in Python (a domain error's detail, `N_("...", x=...)`) in the current language.
templates.env.filters["translated"] = i18n.gettext
# Read at render time, in the request's locale: `<html lang dir>`, the language switcher.
templates.env.globals.update(
    current_locale=i18n.current_locale,
    language_tag=i18n.language_tag,
    text_direction=i18n.text_direction,
    language_choices=language_choices,
)


def page_count(total: int, per_page: int) -> int:
    """How many pages the pager macro shows for `total` rows: at least one, even when empty."""
    return max(1, -(-total // per_page))


def render(
    request: Request,
    template: str,
    *,
    user: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.update(user=user, csrf_token=csrf_token(request), path=request.url.path)
    for name, count in navigation_counts(request).items():
        context.setdefault(name, count)
    return templates.TemplateResponse(request, template, context, status_code=status_code)
