"""Which language a request speaks, the user's own `locale` in the API, and the switcher.

In order: the signed-in user's `locale`, else the switcher's cookie, else
Accept-Language negotiated against the shipped locales, else
OPSPORTAL_DEFAULT_LOCALE. The catalogues are empty until the translations
arrive, so what a page *says* is checked in the pseudo-locale (`en-XA`, every
message accented: on in the tests), and which language it speaks by `<html lang dir>`.
"""

from __future__ import annotations

import inspect
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from opsportal import errors
from opsportal.config import Settings
from opsportal.i18n import (
    N_,
    PSEUDO_LOCALE,
    SHIPPED_LOCALES,
    Message,
    configure,
    gettext,
    ngettext,
    using_locale,
)
from opsportal.locales.pseudo import pseudo
from opsportal.models import Role, User
from opsportal.notifications.pages import notification_list
from opsportal.web import locales
from opsportal.web.errors import PAGE_ERROR_TEXTS
from opsportal.web.problems import _STATUS_SLUGS
from tests.factories import bearer, create_organization, create_user
from tests.pages import csrf_from, log_in

PASSWORD = "correct horse battery"


def html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found, "no <html> tag"
    return found.group()


@pytest.fixture(autouse=True)
def _deployment_defaults() -> None:
    """As the tests' app sets it (`wiring.install`): English, the pseudo-locale offered."""
    configure(default_locale="en", pseudo=True)


class TestNegotiation:
    def test_the_five_languages_are_shipped(self) -> None:
        assert set(SHIPPED_LOCALES) == {"en", "de", "fr", "es", "ar"}
        assert SHIPPED_LOCALES[0] == "en"

    def test_tags_come_most_wanted_first(self) -> None:
        header = "fr;q=0.4, de-DE, en;q=0.8, *;q=0.1, es;q=0"
        assert locales.preferred_tags(header) == ["de_DE", "en", "fr"]

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("de-DE", "de"),
            ("de-DE,de;q=0.9,en;q=0.8", "de"),
            ("ar-EG,ar;q=0.9", "ar"),
            ("pt-BR,pt;q=0.9,es;q=0.5", "es"),
            ("en-GB", "en"),
            ("FR-ca", "fr"),
            ("zh-CN, ja", None),
            ("", None),
            (";;;,,q=", None),
            ("de;q=abc, fr", "fr"),
        ],
    )
    def test_accept_language_finds_a_shipped_locale(
        self, header: str, expected: str | None
    ) -> None:
        assert locales.negotiate(header, SHIPPED_LOCALES) == expected

    def test_a_cookie_wins_over_the_header_and_an_unknown_one_is_ignored(self) -> None:
        assert locales.chosen_locale(cookie="es", accept_language="de-DE") == "es"
        assert locales.chosen_locale(cookie="xx", accept_language="de-DE") == "de"
        assert locales.chosen_locale(cookie=None, accept_language="zh") == "en"

    def test_the_deployment_default_is_the_last_resort(self) -> None:
        configure(default_locale="fr", pseudo=False)
        assert locales.chosen_locale(cookie=None, accept_language="zh, ja") == "fr"
        assert locales.chosen_locale(cookie=None, accept_language=None) == "fr"
        # Without the pseudo-locale on, asking for it is asking for English.
        assert locales.chosen_locale(cookie="en_XA", accept_language="en-XA") == "en"

    def test_outside_a_request_the_deployment_default_is_spoken(self) -> None:
        configure(default_locale="de", pseudo=False)
        assert gettext("Log in") == "Anmelden"
        with using_locale(None):
            from opsportal.i18n import current_locale

            assert current_locale() == "de"
        with using_locale("ar"):
            assert current_locale() == "ar"
        with using_locale("xx"):
            assert current_locale() == "de"


class TestTheSetting:
    def test_defaults_to_english(self) -> None:
        assert Settings(_env_file=None).default_locale == "en"  # type: ignore[call-arg]

    def test_a_shipped_locale_is_taken(self) -> None:
        assert Settings(default_locale="ar").default_locale == "ar"

    def test_anything_else_is_refused_at_start_up(self) -> None:
        with pytest.raises(ValidationError, match="not one of the shipped locales: en, ar"):
            Settings(default_locale="xx")
        with pytest.raises(ValidationError):
            Settings(default_locale="de-DE")

    def test_the_default_locale_speaks_to_a_browser_asking_for_none_we_ship(
        self, settings: Settings, session_factory: object
    ) -> None:
        from opsportal.app import create_app

        german = settings.model_copy(update={"default_locale": "de"})
        app = create_app(german, session_factory=session_factory)  # type: ignore[arg-type]
        with TestClient(app) as client:
            page = client.get("/login", headers={"Accept-Language": "ja"})
            assert 'lang="de"' in html_tag(page.text)
            page = client.get("/login", headers={"Accept-Language": "es"})
            assert 'lang="es"' in html_tag(page.text)


class TestPages:
    def test_accept_language_de_de_picks_german(self, client: TestClient) -> None:
        page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        assert html_tag(page.text) == '<html lang="de" dir="ltr">'

    def test_arabic_is_right_to_left(self, client: TestClient) -> None:
        page = client.get("/login", headers={"Accept-Language": "ar"})
        assert html_tag(page.text) == '<html lang="ar" dir="rtl">'

    def test_without_a_header_english(self, client: TestClient) -> None:
        assert html_tag(client.get("/login").text) == '<html lang="en" dir="ltr">'

    def test_the_pseudo_locale_accents_every_message(self, client: TestClient) -> None:
        page = client.get("/login", headers={"Accept-Language": "en-XA"}).text
        assert html_tag(page) == '<html lang="en-XA" dir="ltr">'
        assert f">{pseudo('Log in')}</h1>" in page
        assert f">{pseudo('Email')}</label>" in page
        assert ">Log in<" not in page

    def test_the_users_own_locale_wins_in_a_handler_run_in_a_worker_thread(
        self, client: TestClient, session: Session
    ) -> None:
        # The notifications page is a plain `def`: it runs in the thread pool, which sees
        # the locale only if it was set in the request's own context before the call.
        assert not inspect.iscoroutinefunction(notification_list)
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        user.locale = "ar"
        session.flush()
        log_in(client, user.email)
        client.cookies.set(locales.LOCALE_COOKIE, "es")
        page = client.get("/notifications", headers={"Accept-Language": "de"})
        assert html_tag(page.text) == '<html lang="ar" dir="rtl">'

    def test_the_users_locale_costs_no_query_of_its_own(
        self, client: TestClient, session: Session, connection: Connection
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        log_in(client, user.email)
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        def queries_for_a_page() -> int:
            statements.clear()
            event.listen(connection, "before_cursor_execute", count)
            try:
                assert client.get("/notifications").status_code == 200
            finally:
                event.remove(connection, "before_cursor_execute", count)
            return len(statements)

        in_english = queries_for_a_page()
        user.locale = "ar"
        session.flush()
        in_arabic = queries_for_a_page()
        assert in_english > 0
        assert in_arabic == in_english, statements

    def test_in_the_pseudo_locale_a_page_says_it_from_the_user_setting(
        self, client: TestClient, session: Session
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        user.locale = PSEUDO_LOCALE  # only the switcher's cookie may hold it; the test may
        session.flush()
        log_in(client, user.email)
        page = client.get("/notifications").text
        assert f"<h1>{pseudo('Notifications')}</h1>" in page

    def test_an_error_page_speaks_the_users_language(
        self, client: TestClient, session: Session
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        user.locale = "ar"
        session.flush()
        log_in(client, user.email)
        page = client.get("/no-such-page")
        assert page.status_code == 404
        assert html_tag(page.text) == '<html lang="ar" dir="rtl">'

    def test_an_error_page_translates_the_domains_message_the_api_keeps_english(
        self, client: TestClient, session: Session
    ) -> None:
        admin, token = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        page = client.get("/admin/users/999999", headers={"Accept-Language": "en-XA"})
        assert page.status_code == 404
        assert pseudo("User %(id)s not found.") % {"id": 999999} in page.text
        assert pseudo("Not found") in page.text
        api = client.get(
            "/api/v1/users/999999", headers={**bearer(token), "Accept-Language": "en-XA"}
        )
        assert api.json()["detail"] == "User 999999 not found."
        assert api.json()["title"] == "Not found"

    def test_a_form_error_is_translated_with_its_values(
        self, client: TestClient, session: Session
    ) -> None:
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        log_in(client, admin.email)
        form = client.get("/admin/users", headers={"Accept-Language": "en-XA"}).text
        answer = client.post(
            "/admin/users",
            data={
                "email": "new@example.test",
                "name": "New",
                "role": "customer",
                "organization_id": "987654",
                "csrf_token": csrf_from(form),
            },
            headers={"Accept-Language": "en-XA"},
        )
        assert answer.status_code == 422
        expected = pseudo("Organization %(id)s does not exist.") % {"id": 987654}
        assert expected in answer.text


class TestTheSwitcher:
    def test_every_page_offers_each_language_named_in_its_own(self, client: TestClient) -> None:
        page = client.get("/login").text
        switcher = page.split('<form class="language"', 1)[1].split("</form>", 1)[0]
        assert 'action="/language"' in page and 'name="csrf_token"' in switcher
        for code, tag, name in (
            ("en", "en", "English"),
            ("de", "de", "Deutsch"),
            ("fr", "fr", "Français"),
            ("es", "es", "Español"),
            ("ar", "ar", "العربية"),
        ):
            assert f'<option value="{code}" lang="{tag}"' in switcher
            assert f">{name}</option>" in switcher
        assert '<option value="en" lang="en" selected>' in switcher

    def test_a_visitor_s_choice_is_a_cookie(self, client: TestClient) -> None:
        token = csrf_from(client.get("/login").text)
        answer = client.post(
            "/language",
            data={"locale": "ar", "next": "/accessibility", "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/accessibility"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{locales.LOCALE_COOKIE}=ar;")
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        page = client.get("/accessibility", headers={"Accept-Language": "de"})
        assert html_tag(page.text) == '<html lang="ar" dir="rtl">'

    def test_a_signed_in_users_choice_is_their_profiles(
        self, client: TestClient, session: Session
    ) -> None:
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        log_in(client, user.email)
        form = client.get("/notifications").text
        answer = client.post(
            "/language",
            data={"locale": "de", "next": "/notifications", "csrf_token": csrf_from(form)},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        session.expire_all()
        assert session.get(User, user.id).locale == "de"  # type: ignore[union-attr]
        assert client.get("/api/v1/me", headers=bearer(token)).json()["locale"] == "de"
        # On another browser (no cookie), signed in, the profile speaks.
        client.cookies.delete(locales.LOCALE_COOKIE)
        page = client.get("/notifications", headers={"Accept-Language": "fr"})
        assert html_tag(page.text) == '<html lang="de" dir="ltr">'

    def test_an_unknown_language_is_refused_and_changes_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        log_in(client, user.email)
        token = csrf_from(client.get("/notifications").text)
        answer = client.post(
            "/language", data={"locale": "xx", "csrf_token": token}, follow_redirects=False
        )
        assert answer.status_code == 422
        assert (
            "set-cookie" not in answer.headers
            or locales.LOCALE_COOKIE not in (answer.headers["set-cookie"])
        )
        session.expire_all()
        assert session.get(User, user.id).locale is None  # type: ignore[union-attr]

    def test_without_the_forms_token_nothing_changes(self, client: TestClient) -> None:
        client.get("/login")
        answer = client.post("/language", data={"locale": "de"}, follow_redirects=False)
        assert answer.status_code == 403
        assert locales.LOCALE_COOKIE not in answer.headers.get("set-cookie", "")

    def test_it_goes_back_only_to_a_page_of_ours(self, client: TestClient) -> None:
        token = csrf_from(client.get("/login").text)
        answer = client.post(
            "/language",
            data={"locale": "fr", "next": "//evil.example/x", "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"


class TestTheApi:
    def test_me_carries_the_locale(self, client: TestClient, session: Session) -> None:
        user, token = create_user(session, role=Role.CUSTOMER)
        assert client.get("/api/v1/me", headers=bearer(token)).json()["locale"] is None
        user.locale = "ar"
        session.flush()
        assert client.get("/api/v1/me", headers=bearer(token)).json()["locale"] == "ar"

    def test_an_admin_sets_and_clears_a_users_locale(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        user, token = create_user(session, role=Role.CUSTOMER)
        path = f"/api/v1/users/{user.id}"
        answer = client.patch(path, json={"locale": "es"}, headers=admin_headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["locale"] == "es"
        assert client.get("/api/v1/me", headers=bearer(token)).json()["locale"] == "es"
        assert client.get(path, headers=admin_headers).json()["locale"] == "es"
        cleared = client.patch(path, json={"locale": None}, headers=admin_headers)
        assert cleared.json()["locale"] is None
        # Another field's change leaves the locale alone.
        client.patch(path, json={"locale": "fr"}, headers=admin_headers)
        renamed = client.patch(path, json={"name": "Renamed"}, headers=admin_headers)
        assert renamed.json()["locale"] == "fr"

    @pytest.mark.parametrize("locale", ["xx", "de-DE", "DE", "en_XA", "", 5])
    def test_an_unknown_locale_is_a_422_that_changes_nothing(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        locale: object,
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER)
        path = f"/api/v1/users/{user.id}"
        answer = client.patch(
            path, json={"locale": locale, "name": "Changed"}, headers=admin_headers
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in answer.json()["errors"]] == ["locale"]
        after = client.get(path, headers=admin_headers).json()
        assert after["locale"] is None and after["name"] == user.name

    def test_a_locale_is_given_when_creating_a_user(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        organization = create_organization(session)
        body = {
            "email": "neu@example.test",
            "name": "Neu",
            "role": "customer",
            "organizationId": organization.id,
            "password": PASSWORD,
            "locale": "de",
        }
        created = client.post("/api/v1/users", json=body, headers=admin_headers)
        assert created.status_code == 201, created.text
        assert created.json()["locale"] == "de"
        refused = client.post(
            "/api/v1/users",
            json={**body, "email": "x@example.test", "locale": "xx"},
            headers=admin_headers,
        )
        assert refused.status_code == 422

    def test_who_may_change_whose_locale_is_as_for_any_other_field(
        self, client: TestClient, session: Session
    ) -> None:
        organization = create_organization(session)
        customer, customer_token = create_user(
            session, role=Role.CUSTOMER, organization=organization
        )
        manager, manager_token = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=organization
        )
        stranger, _ = create_user(session, role=Role.CUSTOMER)
        # A customer changes nothing through the API, its own locale neither (the pages'
        # switcher is its way): 403, as for its name.
        own = client.patch(
            f"/api/v1/users/{customer.id}", json={"locale": "de"}, headers=bearer(customer_token)
        )
        assert own.status_code == 403
        # A customer_admin: its organisation's customers, and nobody else's (404).
        theirs = client.patch(
            f"/api/v1/users/{customer.id}", json={"locale": "de"}, headers=bearer(manager_token)
        )
        assert theirs.status_code == 200 and theirs.json()["locale"] == "de"
        elsewhere = client.patch(
            f"/api/v1/users/{stranger.id}", json={"locale": "de"}, headers=bearer(manager_token)
        )
        assert elsewhere.status_code == 404
        session.expire_all()
        assert session.get(User, stranger.id).locale is None  # type: ignore[union-attr]

    def test_a_change_of_locale_by_an_admin_is_audited(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        from sqlalchemy import select

        from opsportal.models import AuditEntry

        user, _ = create_user(session, role=Role.CUSTOMER)
        client.patch(f"/api/v1/users/{user.id}", json={"locale": "ar"}, headers=admin_headers)
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "user.update", AuditEntry.target_id == user.id
            )
        ).one()
        assert entry.detail == {"locale": {"from": None, "to": "ar"}}


class TestMessages:
    def test_a_marked_message_is_english_text_until_a_page_translates_it(self) -> None:
        message = N_("User %(id)s not found.", id=7)
        assert isinstance(message, Message)
        assert message == "User 7 not found." and str(message) == "User 7 not found."
        with using_locale(PSEUDO_LOCALE):
            assert gettext(message) == pseudo("User %(id)s not found.") % {"id": 7}

    def test_a_message_inside_a_message_is_translated_too(self) -> None:
        inner = "Not an email address: expected one address such as name@example.com."
        outer = N_("%(field)s: %(problem)s", field="email", problem=Message.of(inner))
        with using_locale(PSEUDO_LOCALE):
            assert gettext(outer) == pseudo("%(field)s: %(problem)s") % {
                "field": "email",
                "problem": pseudo(inner),
            }

    def test_plurals_fill_the_count(self) -> None:
        assert ngettext("%(num)s user", "%(num)s users", 1) == "1 user"
        assert ngettext("%(num)s user", "%(num)s users", 3) == "3 users"

    def test_text_not_in_the_catalogue_stays_as_it_is_even_in_the_pseudo_locale(self) -> None:
        with using_locale(PSEUDO_LOCALE):
            assert gettext("Organization 5 not found.") == "Organization 5 not found."

    def test_the_pseudo_form_keeps_placeholders_tags_and_references(self) -> None:
        text = 'Save %(name)s <a href="/x">now</a> &amp; 100%% of %d'
        made = pseudo(text)
        assert made.startswith("[") and made.endswith("]")
        for kept in ("%(name)s", '<a href="/x">', "</a>", "&amp;", "%%", "%d"):
            assert kept in made
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]*>|%\([^)]*\)s|&\w+;", "", made))

    def test_every_error_title_and_fixed_detail_a_page_shows_is_marked(self) -> None:
        titles = {
            cls.title
            for cls in vars(errors).values()
            if isinstance(cls, type) and issubclass(cls, errors.DomainError)
        }
        titles |= {title for _, title in _STATUS_SLUGS.values()}
        answers = {text for answer in errors.TROUBLE_ANSWERS.values() for text in answer[:2]}
        missing = (titles | answers) - set(PAGE_ERROR_TEXTS)
        assert not missing, f"not marked for the error pages: {missing}"
