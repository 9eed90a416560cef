"""The language switcher's form, on every page: a signed-in user's choice is their profile's
`locale`; anyone's is also kept in a cookie, for the pages that know no user (and signed out).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from opsportal.deps import SessionDep, SettingsDep
from opsportal.errors import InvalidInput
from opsportal.users import service
from opsportal.web import i18n
from opsportal.web.i18n import N_
from opsportal.web.locales import LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE
from opsportal.web.session import CheckedForm, MaybePageUser, safe_next

router = APIRouter(include_in_schema=False)

LANGUAGE_PATH = "/language"


@router.post(LANGUAGE_PATH)
def choose_language(
    session: SessionDep, settings: SettingsDep, user: MaybePageUser, form: CheckedForm
) -> RedirectResponse:
    """Speak the chosen language from now on, and go back to the page it was chosen on."""
    locale = form.get("locale")
    if not isinstance(locale, str) or not i18n.is_available(locale):
        raise InvalidInput(N_("Choose one of the languages offered."), field="locale")
    if user is not None and locale in i18n.SHIPPED_LOCALES:
        service.set_own_locale(session, principal=user, locale=locale)
    next_path = form.get("next")
    answer = RedirectResponse(
        safe_next(next_path if isinstance(next_path, str) else None), status_code=303
    )
    answer.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=LOCALE_COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        secure=settings.session_cookie_secure,
        httponly=True,
    )
    return answer
