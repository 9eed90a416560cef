"""User management: admins manage every user, a customer_admin its own organisation's."""
