"""What a sign-in through an identity provider can end in, with its status."""

from __future__ import annotations

from opsportal.errors import DomainError
from opsportal.messages import N_


class SignInFailed(DomainError):
    """400: the provider's answer is not one to trust (signature, audience, times, nonce, state)."""

    status_code = 400
    title = N_("Sign-in failed")
    slug = "sign-in-failed"


class SignInRefused(DomainError):
    """403: a valid answer, for someone this provider does not vouch for, or who may not sign in."""

    status_code = 403
    title = N_("Sign-in refused")
    slug = "sign-in-refused"


class IdentityProviderUnavailable(DomainError):
    """502: the identity provider could not be reached, or answered nonsense; nothing changed."""

    status_code = 502
    title = N_("Identity provider unavailable")
    slug = "identity-provider-unavailable"
