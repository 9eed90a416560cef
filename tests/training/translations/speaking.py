"""Requests in a language: the portal speaks a request's Accept-Language to a user who has
chosen no language of their own (web/locales.py)."""

from __future__ import annotations


def speaking(locale: str) -> dict[str, str]:
    return {"Accept-Language": locale}
