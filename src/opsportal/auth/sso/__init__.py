"""Single sign-on: staff through the company's OpenID Connect provider, and each customer
organisation through its own OpenID Connect or SAML 2.0 identity provider."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pysaml2 names a cipher mode that cryptography has moved; SAML here never encrypts with it.
warnings.filterwarnings(
    "ignore", message="CFB has been moved", category=CryptographyDeprecationWarning
)
