"""Who is asking: the one type every domain, the audit trail and the pages share about the caller.

Its own module, importing only the models and the errors, so that the audit trail
and notifications can name the caller without importing `auth` and its services.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.errors import NotFound
from opsportal.models import Role, User


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user's id, role and (for customers) organisation."""

    user_id: int
    email: str
    name: str
    role: Role
    organization_id: int | None
    # The language they chose (a locale code), or None: their browser's, else the default.
    locale: str | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.email, user.name, user.role, user.organization_id, user.locale)

    @property
    def is_staff(self) -> bool:
        """Admins and internal users; customer roles (`customer`, `customer_admin`) are not."""
        return self.role.is_staff

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_customer_admin(self) -> bool:
        return self.role is Role.CUSTOMER_ADMIN

    @property
    def oversees_training(self) -> bool:
        """Staff for every organisation; a customer_admin for its own: compliance, assignments."""
        return self.is_staff or self.is_customer_admin

    @property
    def manages_users(self) -> bool:
        """Admins manage every user; a customer_admin its own organisation's customer users."""
        return self.role in (Role.ADMIN, Role.CUSTOMER_ADMIN)

    def can_see_organization(self, organization_id: int) -> bool:
        return self.is_staff or self.organization_id == organization_id

    def require_organization(self, organization_id: int) -> None:
        """Customers outside their tenant get a 404, never a confirmation that it exists."""
        if not self.can_see_organization(organization_id):
            raise NotFound(f"Organization {organization_id} not found.")
