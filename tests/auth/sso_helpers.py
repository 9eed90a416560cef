"""What the login page answers for an email that signs in elsewhere: a page that moves on."""

from __future__ import annotations

import html
import re

import httpx


def continue_url(answer: httpx.Response) -> str:
    """The sign-in URL the login page sends this email to (its refresh and its link agree)."""
    assert answer.status_code == 200, answer.text
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', answer.text)
    link = re.search(r'<a href="([^"]+)">Continue to sign in</a>', answer.text)
    assert refresh and link, "not the single sign-on page"
    assert refresh.group(1) == link.group(1)
    return html.unescape(link.group(1))
