"""What training plugs into the smaller domains when the app or the command line starts.

- `metrics/` gets the `training_completion_rate` source, refreshed by each benchmark run;
- `auth/` runs `assign_required_tracks` for every user it creates (API, pages, CLI, demo).

Registering again (another app in the same process, a test) replaces the hooks.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from opsportal.auth.service import on_user_created
from opsportal.config import Settings
from opsportal.metrics.computed import register_source
from opsportal.models import User
from opsportal.principal import Principal
from opsportal.training.compliance.assignments import assign_required_tracks
from opsportal.training.compliance.metric import METRIC, completion_rates

REQUIRED_TRACKS_HOOK = "training.required_tracks"


def install(settings: Settings) -> None:
    register_source(METRIC, completion_rates)
    due_days = settings.training_due_days

    def required_tracks(session: Session, user: User, actor: Principal | None) -> None:
        assign_required_tracks(session, user, actor, due_days=due_days)

    on_user_created(REQUIRED_TRACKS_HOOK, required_tracks)
