"""A person's data in the pages: "Download my data", and a user page's download and erasure."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.deps import ResourceId, SessionDep, SessionFactoryDep, SettingsDep
from opsportal.kit.downloads import attachment
from opsportal.privacy import erasure, export
from opsportal.privacy.endpoints import ZIP
from opsportal.web.i18n import _, ngettext
from opsportal.web.session import CheckedForm, PageAdmin, PageUser, PageUserManager

router = APIRouter(include_in_schema=False)

# The users pages show this once after a redirect (users/pages.py reads the same key).
FLASH_KEY = "flash"


@router.get("/me/export")
def download_my_data(
    session: SessionDep, user: PageUser, factory: SessionFactoryDep, settings: SettingsDep
) -> Response:
    filename, body = export.export_for(
        session, principal=user, user_id=user.user_id, factory=factory, settings=settings
    )
    return attachment(body, filename=filename, media_type=ZIP)


@router.get("/admin/users/{user_id}/export")
def download_user_data(
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    factory: SessionFactoryDep,
    settings: SettingsDep,
) -> Response:
    filename, body = export.export_for(
        session, principal=user, user_id=user_id, factory=factory, settings=settings
    )
    return attachment(body, filename=filename, media_type=ZIP)


@router.post("/admin/users/{user_id}/erase")
def erase_user(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageAdmin,
    form: CheckedForm,
) -> Response:
    if form.get("confirm") != "erase":
        request.session[FLASH_KEY] = _("Nothing was erased: tick the box to confirm.")
        return RedirectResponse(f"/admin/users/{user_id}#personal-data", status_code=303)
    done = erasure.erase_user(session, principal=user, user_id=user_id)
    request.session[FLASH_KEY] = ngettext(
        "Erased: name, email, answers and free text are gone (%(num)d row); certificates stay "
        "verifiable with the name withheld.",
        "Erased: name, email, answers and free text are gone (%(num)d rows); certificates stay "
        "verifiable with the name withheld.",
        sum(done.rows.values()),
    )
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)
