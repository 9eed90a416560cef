"""The algorithms a SAML answer's signatures may use: SHA-256 or stronger.

pysaml2 verifies the signatures themselves (with xmlsec1) but also accepts SHA-1;
this check, read off the answer's XML before that, refuses anything weaker.
"""

from __future__ import annotations

from opsportal.auth.sso.errors import SignInFailed
from opsportal.messages import N_

STRONG_SIGNATURES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
}
STRONG_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
}


def check_signature_algorithms(xml: str) -> None:
    """Every signature in the answer uses SHA-256 or stronger (pysaml2 also accepts SHA-1)."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(xml)
    except Exception as exc:
        raise SignInFailed(N_("The SAML response is not well-formed XML.")) from exc
    ds = "{http://www.w3.org/2000/09/xmldsig#}"
    methods = [e.get("Algorithm") for e in root.iter(f"{ds}SignatureMethod")]
    digests = [e.get("Algorithm") for e in root.iter(f"{ds}DigestMethod")]
    if not methods or any(m not in STRONG_SIGNATURES for m in methods):
        raise SignInFailed(
            N_(
                "The SAML response is not signed with SHA-256 or stronger "
                "(signature methods: %(methods)s).",
                methods=", ".join(str(m) for m in methods) or "none",
            )
        )
    if any(d not in STRONG_DIGESTS for d in digests):
        raise SignInFailed(N_("The SAML response's signature digests are weaker than SHA-256."))
