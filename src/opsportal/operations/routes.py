"""The operations routes, as one router for the app."""

from opsportal.operations.endpoints import router

__all__ = ["router"]
