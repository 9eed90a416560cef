"""Single sign-on: staff through the company's OpenID Connect provider, and each customer
organisation through its own OpenID Connect or SAML 2.0 identity provider."""
