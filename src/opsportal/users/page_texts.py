"""Sentences of the user pages that depend on what is shown, each a whole sentence to translate.

A translator sees "%(num)s users with the role %(role)s in %(organization)s",
never "users" + " with the role …" + " in …": word order and grammar differ
between languages, so every combination is a message of its own.
"""

from __future__ import annotations

from opsportal.web.formatting import format_number
from opsportal.web.i18n import ngettext


def users_listed(
    total: int, *, query: str, role: str | None, organization: str | None, own: bool
) -> str:
    """ "12 users matching “ada” with the role Customer in Acme", in the page's language.

    `organization`: the one filtered by; else `own` says the list is the viewer's own
    organisation's (a customer_admin's).
    """
    values = {
        "num": format_number(total),
        "query": query,
        "role": role,
        "organization": organization,
    }
    if organization:
        return _in_organization(total, query=bool(query), role=bool(role), values=values)
    if own:
        return _in_own_organization(total, query=bool(query), role=bool(role), values=values)
    if query and role:
        return ngettext(
            "%(num)s user matching “%(query)s” with the role %(role)s",
            "%(num)s users matching “%(query)s” with the role %(role)s",
            total,
            **values,
        )
    if query:
        return ngettext(
            "%(num)s user matching “%(query)s”",
            "%(num)s users matching “%(query)s”",
            total,
            **values,
        )
    if role:
        return ngettext(
            "%(num)s user with the role %(role)s",
            "%(num)s users with the role %(role)s",
            total,
            **values,
        )
    return ngettext("%(num)s user", "%(num)s users", total, **values)


def _in_organization(total: int, *, query: bool, role: bool, values: dict[str, str | None]) -> str:
    if query and role:
        return ngettext(
            "%(num)s user matching “%(query)s” with the role %(role)s in %(organization)s",
            "%(num)s users matching “%(query)s” with the role %(role)s in %(organization)s",
            total,
            **values,
        )
    if query:
        return ngettext(
            "%(num)s user matching “%(query)s” in %(organization)s",
            "%(num)s users matching “%(query)s” in %(organization)s",
            total,
            **values,
        )
    if role:
        return ngettext(
            "%(num)s user with the role %(role)s in %(organization)s",
            "%(num)s users with the role %(role)s in %(organization)s",
            total,
            **values,
        )
    return ngettext(
        "%(num)s user in %(organization)s", "%(num)s users in %(organization)s", total, **values
    )


def _in_own_organization(
    total: int, *, query: bool, role: bool, values: dict[str, str | None]
) -> str:
    if query and role:
        return ngettext(
            "%(num)s user matching “%(query)s” with the role %(role)s in your organization",
            "%(num)s users matching “%(query)s” with the role %(role)s in your organization",
            total,
            **values,
        )
    if query:
        return ngettext(
            "%(num)s user matching “%(query)s” in your organization",
            "%(num)s users matching “%(query)s” in your organization",
            total,
            **values,
        )
    if role:
        return ngettext(
            "%(num)s user with the role %(role)s in your organization",
            "%(num)s users with the role %(role)s in your organization",
            total,
            **values,
        )
    return ngettext(
        "%(num)s user in your organization", "%(num)s users in your organization", total, **values
    )
