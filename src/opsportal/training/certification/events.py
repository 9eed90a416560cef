"""What happens to certificates, for whoever listens: issued, revoked.

Certification knows no listener. `opsportal.wiring` registers them at start-up
(the xAPI statements, say); each runs inside the certificate's own transaction.
Registering again replaces.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from opsportal.models import Certificate

CertificateHook = Callable[[Session, Certificate], None]

_issued: dict[str, CertificateHook] = {}
_revoked: dict[str, CertificateHook] = {}


def on_certificate_issued(name: str, hook: CertificateHook) -> None:
    _issued[name] = hook


def on_certificate_revoked(name: str, hook: CertificateHook) -> None:
    _revoked[name] = hook


def certificate_issued(session: Session, certificate: Certificate) -> None:
    for hook in list(_issued.values()):
        hook(session, certificate)


def certificate_revoked(session: Session, certificate: Certificate) -> None:
    for hook in list(_revoked.values()):
        hook(session, certificate)
