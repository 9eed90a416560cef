"""The values settings are made of, parsed: size bands, thresholds, SMTP, proxies, URLs.

Plain Python with no domain behind it, so that `config` imports no domain and
`import opsportal.config` stays cheap; the domains import these types from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Literal
from urllib.parse import unquote, urlsplit


def parse_networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated IP addresses or networks ("10.0.0.0/8, 127.0.0.1"); empty: none."""
    networks = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or network like 10.0.0.0/8") from None
    return tuple(networks)


def parse_proxies(value: str) -> tuple[str, ...]:
    """Trusted proxies like "10.0.0.1, 10.1.0.0/16" as ("10.0.0.1", "10.1.0.0/16"); "*" is any."""
    proxies = tuple(part.strip() for part in value.split(",") if part.strip())
    if "*" in proxies and len(proxies) > 1:
        raise ValueError("* (any proxy) stands alone; name no addresses beside it")
    for proxy in proxies:
        if proxy == "*":
            continue
        try:
            if "/" in proxy:
                ip_network(proxy)
            else:
                ip_address(proxy)
        except ValueError:
            raise ValueError(
                f"{proxy!r} is not an IP address or network; list the proxies' addresses, "
                "comma-separated, or * for any"
            ) from None
    return proxies


def parse_reminder_days(value: str) -> tuple[int, ...]:
    """Thresholds like "60,30,7" as (60, 30, 7): distinct days, 1 to 3650, largest first."""
    try:
        days = {int(part) for part in value.split(",") if part.strip()}
    except ValueError:
        raise ValueError("must be whole days separated by commas, e.g. 60,30,7") from None
    if not days or any(day < 1 or day > 3650 for day in days):
        raise ValueError("must name at least one threshold, each between 1 and 3650 days")
    return tuple(sorted(days, reverse=True))


@dataclass(frozen=True)
class SizeBand:
    label: str  # "101-500", "2001+"
    minimum: int
    maximum: int | None  # None: open-ended

    def contains(self, employees: int) -> bool:
        return employees >= self.minimum and (self.maximum is None or employees <= self.maximum)


def parse_size_bands(spec: str) -> tuple[SizeBand, ...]:
    """Parse "1-100,101-500,501-2000,2001+" into ordered, non-overlapping bands."""
    bands: list[SizeBand] = []
    for raw in spec.split(","):
        part = raw.strip()
        try:
            if part.endswith("+"):
                band = SizeBand(part, int(part[:-1]), None)
            else:
                low, high = part.split("-")
                band = SizeBand(part, int(low), int(high))
        except ValueError as exc:
            raise ValueError(f"size band {part!r} is not like 101-500 or 2001+") from exc
        if band.maximum is not None and band.maximum < band.minimum:
            raise ValueError(f"size band {part!r} ends before it starts")
        if bands:
            previous = bands[-1]
            if previous.maximum is None or band.minimum <= previous.maximum:
                raise ValueError(f"size band {part!r} overlaps {previous.label!r}")
        bands.append(band)
    if not bands:
        raise ValueError("at least one size band is needed")
    return tuple(bands)


Security = Literal["plain", "tls", "starttls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtps": ("tls", 465),
    "smtp+starttls": ("starttls", 587),
}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None = None

    def __repr__(self) -> str:  # never the password
        return f"SmtpServer({self.security}://{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://host:port`, `smtps://…` (TLS) or `smtp+starttls://…`, with optional `user:pw@`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"the SMTP URL must start with {', '.join(s + '://' for s in _SCHEMES)}")
    if not parts.hostname:
        raise ValueError("the SMTP URL names no host, e.g. smtp://mail.internal:25")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the SMTP URL's port is not a number from 1 to 65535") from exc
    security, default_port = _SCHEMES[scheme]
    return SmtpServer(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(value: str) -> str:
    """An email domain in lower case ("Example.COM" → "example.com"); ValueError if it is none."""
    domain = value.strip().lower().rstrip(".")
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_DOMAIN_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValueError(f"{value.strip()!r} is not an email domain like example.com")
    return domain


def parse_domains(value: str) -> frozenset[str]:
    """Comma-separated email domains, e.g. "example.com, example.org"."""
    return frozenset(normalise_domain(part) for part in value.split(",") if part.strip())


def email_domain(email: str) -> str | None:
    """The domain of an email address, lower case; None if it has none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.lower().rstrip(".") or None if at else None


def check_public_base_url(url: str) -> str:
    """Where people reach the portal: http(s)://host[:port][/path], without the trailing /."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise ValueError(f"{url!r} has a port that is not a number from 1 to 65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an address like https://ops.example.com")
    if parts.username is not None or parts.query or parts.fragment:
        raise ValueError(f"{url!r}: the public address has no user, query or fragment")
    return url.rstrip("/")


def check_issuer_url(url: str) -> str:
    """An identity provider's issuer: https, or http on this machine's loopback only."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ValueError(f"{url!r} is not an https URL (http only for localhost)")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r}: an issuer has no query or fragment")
    return url


def check_locale(locale: str) -> str:
    """A locale the portal ships a catalogue for (`en`, `de`, ...), else a ValueError."""
    from opsportal.locales import SHIPPED_LOCALES

    if locale not in SHIPPED_LOCALES:
        shipped = ", ".join(SHIPPED_LOCALES)
        raise ValueError(f"{locale!r} is not one of the shipped locales: {shipped}")
    return locale
