"""Hard-coded text, found in the pseudo-locale: every translated message there is accented and
bracketed ("[Šàṽé]"), so English left on a page was never marked for translation.

People like the demo's (an admin, a customer_admin and a customer of one
organisation, with tokens, notifications and audit entries) sign in in a browser
asking for `en-XA`, and visit the pages in `PAGES`. The test fails listing every
text a person would read (text nodes, the title, and the accessible names and
hints in aria-label, title, placeholder and alt) that still holds a plain English
word: three ASCII letters or more, outside any bracketed message, that is not
data this test made (names, emails, organisation names, token labels) or the
brand. Elements marked `translate="no"` (names of languages, protocols) and
code (`<code>`, `<kbd>`, `<samp>`) are not text to translate.

`PAGES` lists the pages whose text is wrapped so far. A page whose strings
another part of the work wraps joins the list when they are; a section of a
listed page that belongs to such a part is named in its `skip` until then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page

from opsportal.audit import record
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.locales.pseudo import pseudo
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.users import password_links
from tests.browser_fixtures import NewContext
from tests.factories import create_organization, create_user
from tests.factories.notifications import create_notification

pytest_plugins = ["tests.browser_fixtures"]

pytestmark = pytest.mark.browser

PASSWORD = "pseudo-locale-pass"
ORGANIZATION = "Northwind Traders"
ADMIN, MANAGER, LEARNER = "admin@northwind.test", "manager@northwind.test", "kim@northwind.test"
NAMES = {ADMIN: "Ada Admin", MANAGER: "Mona Manager", LEARNER: "Kim Learner"}
# Data this test makes, and the brand: never translated.
DATA = [
    ORGANIZATION,
    *NAMES.values(),
    *NAMES,
    "opsportal",
    "laptop-token",
    "cli",  # the factory's token label
    "Something happened.",  # the factory's notification text
    "new@northwind.test",
    "New Person",
    "Kim Renamed",
    "not-an-address",
    "colour",
    "ftp://nowhere",
    "Verdict dropped",
    "Your case resolution time moved below the median.",
    # Role codes as the audit trail records them (`customer`), not the labels shown.
    "customer_admin",
    "customer",
    "admin",
]
WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class Visit:
    """A page to read, as whom; what to do on it first (`act`: a form sent, say); and the
    sections of it that other work wraps (CSS selectors)."""

    path: str
    who: str | None
    act: Callable[[Page], None] | None = None
    skip: tuple[str, ...] = field(default=())


def wrong_password(page: Page) -> None:
    page.locator("#email").fill(LEARNER)
    page.locator("#password").fill("not the password")
    page.locator("main button[type=submit]").click()


def upload_roster(page: Page) -> None:
    roster = f"email,name,role\nnew@northwind.test,New Person,customer\n{LEARNER},Kim Renamed,\n"
    page.locator("#roster-file").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}]
    )
    page.locator("main button[type=submit]").click()


def upload_bad_roster(page: Page) -> None:
    roster = "email,name,colour\nnot-an-address,,blue\n"
    page.locator("#roster-file").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}]
    )
    page.locator("main button[type=submit]").click()


def issue_token(page: Page) -> None:
    page.locator("#token-label").fill("laptop-token")
    page.locator("#token-days").fill("30")
    page.locator("form[action$='/tokens'] button").click()


def reset_password(page: Page) -> None:
    page.locator("form[action$='/password-link'] button").click()


def bad_issuer(page: Page) -> None:
    page.locator("input[name=protocol][value=oidc]").check()
    page.locator("#issuer").fill("ftp://nowhere")
    page.locator("#client_id").fill("client")
    page.locator("button[name=action][value=save]").click()


TEXTS = """
() => {
  const skipped = (element, skip) =>
    element.closest('script, style, template, code, kbd, samp, [translate="no"], [hidden]') ||
    skip.some((selector) => element.closest(selector));
  return (skip) => {
    const found = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text && !skipped(node.parentElement, skip)) found.push(text);
    }
    const named = ['aria-label', 'title', 'placeholder', 'alt'];
    for (const element of document.body.querySelectorAll(named.map((n) => `[${n}]`).join())) {
      if (skipped(element, skip)) continue;
      for (const name of named) {
        const value = element.getAttribute(name);
        if (value && value.trim()) found.push(value.trim());
      }
    }
    return found;
  };
}
"""


def english_left(text: str) -> list[str]:
    """The plain English words of `text` once bracketed messages and known data are taken out."""
    rest = text
    while True:
        inner = re.sub(r"\[[^\[\]]*\]", " ", rest)
        if inner == rest:
            break
        rest = inner
    for data in sorted(DATA, key=len, reverse=True):
        rest = rest.replace(data, " ")
    rest = re.sub(r"https?://\S+|/\S*", " ", rest)  # addresses and paths are not words
    return WORD.findall(rest)


def read(page: Page, visit: Visit) -> list[str]:
    texts: list[str] = page.evaluate(f"({TEXTS})()({list(visit.skip)!r})")
    return [text for text in texts if english_left(text)]


@pytest.fixture
def northwind(committed_session_factory: SessionFactory, settings: Settings) -> dict[str, str]:
    """The demo's people in one organisation, with what their pages list; paths by name."""
    with session_scope(committed_session_factory) as session:
        organization = create_organization(session, name=ORGANIZATION)
        admin, _ = create_user(
            session, role=Role.ADMIN, email=ADMIN, name=NAMES[ADMIN], password=PASSWORD
        )
        manager, _ = create_user(
            session,
            role=Role.CUSTOMER_ADMIN,
            organization=organization,
            email=MANAGER,
            name=NAMES[MANAGER],
            password=PASSWORD,
        )
        learner, _ = create_user(
            session,
            role=Role.CUSTOMER,
            organization=organization,
            email=LEARNER,
            name=NAMES[LEARNER],
            password=PASSWORD,
        )
        acting = Principal.of(admin)
        record(
            session,
            actor=acting,
            action="user.update",
            target_type="user",
            target_id=learner.id,
            detail={"name": {"from": "Kim", "to": NAMES[LEARNER]}, "isActive": True},
        )
        record(
            session,
            actor=None,
            action="token.issue",
            target_type="token",
            target_id=1,
            detail={"userId": learner.id, "label": "laptop-token"},
        )
        create_notification(
            session,
            user=learner,
            title="Verdict dropped",
            body="Your case resolution time moved below the median.",
        )
        create_notification(session, user=learner, title="Verdict dropped", read=True)
        link, _ = password_links.issue_password_link(
            session,
            principal=acting,
            user_id=learner.id,
            settings=settings,
        )
        return {
            "organization": str(organization.id),
            "learner": str(learner.id),
            "link": link.split("://", 1)[1].split("/", 1)[1],
        }


def pages(ids: dict[str, str]) -> list[Visit]:
    """The pages whose text is wrapped; extend it as the other pages are."""
    organization, learner = ids["organization"], ids["learner"]
    return [
        Visit("/login", None),
        Visit("/login", None, act=wrong_password),
        Visit("/accessibility", None),
        Visit("/" + ids["link"], None),
        Visit("/set-password/not-a-valid-link", None),
        Visit("/no-such-page", None),
        Visit("/logout", LEARNER),
        Visit("/notifications", LEARNER),
        Visit("/accessibility", LEARNER),
        Visit("/admin/users", MANAGER),
        Visit(f"/admin/users/{learner}", MANAGER, skip=("#extra-time",)),
        Visit("/admin/users/import", MANAGER),
        Visit("/admin/users/import", MANAGER, act=upload_roster),
        Visit("/admin/users/import", MANAGER, act=upload_bad_roster),
        Visit("/admin/scim", MANAGER),
        Visit(f"/admin/organizations/{organization}/sso", MANAGER),
        Visit("/admin/users", ADMIN),
        Visit(f"/admin/users?q=kim&role=customer&organization={organization}", ADMIN),
        Visit(f"/admin/users/{learner}", ADMIN, skip=("#extra-time",)),
        Visit(f"/admin/users/{learner}", ADMIN, act=issue_token, skip=("#extra-time",)),
        Visit(f"/admin/users/{learner}", ADMIN, act=reset_password, skip=("#extra-time",)),
        Visit(f"/admin/organizations/{organization}/sso", ADMIN, act=bad_issuer),
        Visit(f"/admin/scim?organizationId={organization}", ADMIN),
        Visit("/admin/sso", ADMIN),
        Visit("/admin/audit", ADMIN),
        Visit("/admin/audit?action=no.such.action", ADMIN),
        Visit("/admin/users/999999", ADMIN),
    ]


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_no_plain_english_on_the_wrapped_pages_in_the_pseudo_locale(
    new_context: NewContext, northwind: dict[str, str]
) -> None:
    found: list[str] = []
    contexts: dict[str | None, Page] = {}
    for visit in pages(northwind):
        page = contexts.get(visit.who)
        if page is None:
            page = contexts[visit.who] = new_context(locale="en-XA").new_page()
            if visit.who is not None:
                sign_in(page, visit.who)
        page.goto(visit.path)
        if visit.act is not None:
            visit.act(page)
            page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en-XA", visit.path
        found.extend(
            f"{visit.path} ({visit.who or 'signed out'}): {text!r}" for text in read(page, visit)
        )
    assert not found, "plain English on pages in the pseudo-locale:\n  " + "\n  ".join(found)


def test_the_check_finds_an_unmarked_word() -> None:
    """The check itself: what it lets through, and what it does not."""
    assert english_left(pseudo("Log in")) == []
    assert english_left(f"{pseudo('Signed in as %(name)s') % {'name': 'Ada Admin'}}") == []
    assert english_left(f"{ORGANIZATION} · {datetime.now(UTC):%Y-%m-%d}") == []
    assert english_left(f"{pseudo('Users')} Save") == ["Save"]
    assert english_left("Log in") == ["Log"]
