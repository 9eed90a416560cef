"""Certification: issuing, revoking and verifying certificates, and their PDF."""
