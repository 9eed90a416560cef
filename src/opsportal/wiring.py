"""What the domains plug into each other when the app or the command line starts: one call.

- training hands `metrics/` the `training_completion_rate` source, refreshed by
  each benchmark run, and has `auth/` assign the required tracks to every user it
  creates (API, pages, CLI, demo);
- training's attempts and certificates queue their xAPI statements (when an LRS is set);
- notifications give every signed-in page its unread count;
- passwords are hashed at the configured cost;
- the pages fall back to the deployment's language (and offer the pseudo-locale when asked).

The domains stay unaware of each other: each offers a hook, and this module is
the one place that connects them. Installing again (another app in the same
process, a test) replaces the hooks.
"""

from __future__ import annotations

from opsportal.auth.secrets import use_password_hash_cost
from opsportal.config import Settings
from opsportal.notifications.service import unread_count
from opsportal.training.compliance import wiring as training
from opsportal.training.content.xapi import wiring as xapi
from opsportal.web import i18n
from opsportal.web.session import add_navigation_count


def install(settings: Settings) -> None:
    training.install(settings)
    xapi.install(settings)
    add_navigation_count("unread_notifications", unread_count)
    use_password_hash_cost(
        time_cost=settings.password_hash_time_cost, memory_kib=settings.password_hash_memory_kib
    )
    i18n.configure(default_locale=settings.default_locale, pseudo=settings.pseudo_locale)
