"""ORM models; importing this package registers every table on Base.metadata."""

from opsportal.models.base import Base
from opsportal.models.identity import ApiToken, Organization, OrganizationStatus, Role, User

__all__ = ["ApiToken", "Base", "Organization", "OrganizationStatus", "Role", "User"]
