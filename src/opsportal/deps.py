"""Request dependencies shared by every domain: the app's settings and session factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from opsportal.config import Settings
from opsportal.db import SessionFactory


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def app_session_factory(request: Request) -> SessionFactory:
    """For work that commits in its own transactions (benchmark runs)."""
    factory: SessionFactory = request.app.state.session_factory
    return factory


SettingsDep = Annotated[Settings, Depends(app_settings)]
SessionFactoryDep = Annotated[SessionFactory, Depends(app_session_factory)]
