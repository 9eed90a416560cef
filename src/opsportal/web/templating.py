"""Jinja2 templates and the one `render` every page uses."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.web import i18n
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
# and fills placeholders, so a template never formats a translated string itself.
# Jinja fills the placeholders itself (`num` too), so its ngettext must hand back the
# translated text unfilled (`unfilled_ngettext`): `i18n.ngettext` fills `num` only and
# would fail on any other placeholder (and turn a `%%` into a lone `%` before Jinja
# formats it again).
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext,
    i18n.unfilled_ngettext,
    newstyle=True,
    pgettext=i18n.pgettext,
)
# Templates are package files: they change with a new release, which restarts the
# process. Checking each one's modification time on every render (Jinja's default)
# was an eighth of the scorecard page's time. Restart the server to see an edit.
templates.env.auto_reload = False


def _format_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _format_number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


# Roles as people call them; the codes (`customer_admin`) are the API's.
ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.INTERNAL: "Internal staff",
    Role.CUSTOMER: "Customer",
    Role.CUSTOMER_ADMIN: "Customer administrator",
}


def _role_label(role: Role | str) -> str:
    return ROLE_LABELS[Role(role)]


templates.env.filters["date"] = _format_date
templates.env.filters["role_label"] = _role_label
templates.env.filters["number"] = _format_number


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
