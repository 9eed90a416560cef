"""SCIM 2.0 (RFC 7643/7644) provisioning at /scim/v2: an organisation's directory
(Okta, Entra ID) creates, updates, deactivates and deletes its users with a SCIM token."""
