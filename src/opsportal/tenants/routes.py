"""Every tenants route, as one router for the app."""

from opsportal.tenants.endpoints import router

__all__ = ["router"]
