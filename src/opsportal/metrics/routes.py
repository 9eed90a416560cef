"""Every metrics route, as one router for the app."""

from opsportal.metrics.endpoints import router

__all__ = ["router"]
