"""User management pages (admins; customer_admins for their organisation); the public
page where a one-time link sets a password is in password_pages.py.

A new API token or password link is shown once, in the answer to the form post
that made it (never kept in the session cookie, which is signed, not secret).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import Conflict, InvalidInput
from opsportal.models import Role
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.schemas import QueryText
from opsportal.training.assessment import extra_time
from opsportal.users import page_texts, password_links, service
from opsportal.users.schemas import UserCreate, UserUpdate
from opsportal.web.form_errors import first_problem
from opsportal.web.formatting import format_datetime
from opsportal.web.i18n import N_, _
from opsportal.web.locales import shipped_language_choices
from opsportal.web.session import CheckedForm, PageUserManager
from opsportal.web.templating import page_count, render, role_label

router = APIRouter(include_in_schema=False)

USERS_PER_PAGE = 50
FLASH_KEY = "flash"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _roles_for(user: Principal) -> list[Role]:
    return list(Role) if user.is_admin else [Role.CUSTOMER, Role.CUSTOMER_ADMIN]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional_id(form: FormData, name: str) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise InvalidInput(N_("%(field)s must be a number.", field=name), field="organizationId")
    return int(raw)


def _first_error(exc: ValidationError) -> InvalidInput:
    return InvalidInput(first_problem(exc))


# --- the list, and creating users ------------------------------------------------


def _list_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    *,
    q: str,
    page: int,
    role: Role | None = None,
    organization: int | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    users, total = service.list_users(
        session,
        principal=user,
        search=q or None,
        organization_id=organization,
        role=role,
        limit=USERS_PER_PAGE,
        offset=(page - 1) * USERS_PER_PAGE,
    )
    filters = {"q": q, "role": role.value if role else "", "organization": organization or ""}
    names = service.organization_names(session, users)
    choices = service.organization_choices(session, principal=user)
    return render(
        request,
        "users/list.html",
        user=user,
        users=users,
        organization_names=names,
        organizations=choices,
        role_filter=role,
        organization_filter=organization,
        listed=page_texts.users_listed(
            total,
            query=q,
            role=role_label(role) if role else None,
            organization=dict(choices).get(organization, _("that organization"))
            if organization
            else None,
            own=not user.is_admin,
        ),
        shipped_languages=shipped_language_choices(),
        filter_query=urlencode({name: value for name, value in filters.items() if value}),
        # Listed to a customer_admin, not linked: another customer_admin is not its to manage.
        manageable=lambda managed: service.can_manage(user, managed),
        total=total,
        q=q,
        page=page,
        pages=page_count(total, USERS_PER_PAGE),
        roles=_roles_for(user),
        form=form or {"role": Role.CUSTOMER.value},
        error=_(error) if error else None,
        message=request.session.pop(FLASH_KEY, None),
        status_code=status_code,
    )


@router.get("/admin/users")
def user_list(
    request: Request,
    session: SessionDep,
    user: PageUserManager,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
    role: Annotated[str, Query(max_length=20)] = "",
    organization: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    # The filter form sends an empty value for "all".
    if role and role not in {r.value for r in Role}:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(N_("role must be one of %(roles)s.", roles=roles), field="role")
    if organization and not organization.isdigit():
        raise InvalidInput(N_("organization must be an organization's id."), field="organization")
    return _list_page(
        request,
        session,
        user,
        q=q or "",
        page=page,
        role=Role(role) if role else None,
        organization=int(organization) if organization else None,
    )


@router.post("/admin/users")
def create_user(
    request: Request,
    session: SessionDep,
    user: PageUserManager,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    values = {
        "email": _text(form, "email"),
        "name": _text(form, "name"),
        "role": _text(form, "role"),
        "organization_id": _text(form, "organization_id"),
        "locale": _text(form, "locale"),
    }
    password = form.get("password")
    try:
        data = UserCreate.model_validate(
            {
                "email": values["email"],
                "name": values["name"],
                "role": values["role"],
                "organizationId": _optional_id(form, "organization_id"),
                "password": password if isinstance(password, str) and password else None,
                "locale": values["locale"] or None,
            }
        )
        created = service.create_user(session, principal=user, data=data, settings=settings)
    except ValidationError as exc:
        return _list_page(
            request, session, user, q="", page=1, form=values,
            error=_first_error(exc).detail, status_code=422,
        )  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        return _list_page(
            request, session, user, q="", page=1, form=values, error=exc.detail,
            status_code=exc.status_code,
        )  # fmt: skip
    if not created.email_confirmed:
        request.session[FLASH_KEY] = _(
            "An invitation was emailed to %(email)s; they can sign in once they have accepted it.",
            email=created.email,
        )
        return _see_other(f"/admin/users/{created.id}")
    if created.password_hash is not None:
        request.session[FLASH_KEY] = _(
            "%(email)s can log in with the password given.", email=created.email
        )
        return _see_other(f"/admin/users/{created.id}")
    # Without a password, the new user was emailed an invitation to set one.
    request.session[FLASH_KEY] = _("Invitation sent to %(email)s.", email=created.email)
    return _see_other(f"/admin/users/{created.id}")


# --- one user ------------------------------------------------------------------------


def _detail_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    user_id: int,
    *,
    new_token: dict[str, Any] | None = None,
    password_link: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    managed = service.get_user(session, principal=user, user_id=user_id)
    return render(
        request,
        "users/detail.html",
        user=user,
        managed=managed,
        tokens=service.list_tokens(session, principal=user, user_id=user_id),
        now=utcnow(),
        roles=_roles_for(user),
        new_token=new_token,
        password_link=password_link,
        error=_(error) if error else None,
        shipped_languages=shipped_language_choices(),
        message=request.session.pop(FLASH_KEY, None),
        status_code=status_code,
        # Extra time on timed quizzes (training's), drawn in its own section.
        extra_time=extra_time.page_view(session, principal=user, user=managed),
    )


@router.get("/admin/users/{user_id}")
def user_detail(
    request: Request, user_id: ResourceId, session: SessionDep, user: PageUserManager
) -> Response:
    return _detail_page(request, session, user, user_id)


def _update(
    request: Request,
    session: SessionDep,
    user: Principal,
    user_id: int,
    data: dict[str, Any],
    done: str,
) -> Response:
    try:
        service.update_user(
            session, principal=user, user_id=user_id, data=UserUpdate.model_validate(data)
        )
    except ValidationError as exc:
        return _detail_page(
            request, session, user, user_id, error=_first_error(exc).detail, status_code=422
        )
    except (InvalidInput, Conflict) as exc:
        return _detail_page(
            request, session, user, user_id, error=exc.detail, status_code=exc.status_code
        )
    request.session[FLASH_KEY] = done
    return _see_other(f"/admin/users/{user_id}")


@router.post("/admin/users/{user_id}")
def update_user(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    data: dict[str, Any] = {"name": _text(form, "name"), "role": _text(form, "role") or None}
    if "locale" in form:  # a form from before the field, or a script's post: left as it is
        data["locale"] = _text(form, "locale") or None
    if user.is_admin:
        try:
            data["organizationId"] = _optional_id(form, "organization_id")
        except InvalidInput as exc:
            return _detail_page(request, session, user, user_id, error=exc.detail, status_code=422)
    return _update(request, session, user, user_id, data, _("Saved."))


@router.post("/admin/users/{user_id}/active")
def set_active(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    active = _text(form, "active") == "1"
    done = (
        _("Reactivated.") if active else _("Deactivated: the user's sessions and tokens stopped.")
    )
    return _update(request, session, user, user_id, {"isActive": active}, done)


@router.post("/admin/users/{user_id}/tokens")
def issue_token(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    days = _text(form, "expires_in_days")
    try:
        if days and (not days.isdigit() or not 1 <= int(days[:5]) <= 3650):
            raise InvalidInput(N_("Expires in days: a whole number from 1 to 3650, or empty."))
        label = _text(form, "label")[:100] or "web"
        row, token = service.issue_token(
            session,
            principal=user,
            user_id=user_id,
            label=label,
            expires_in_days=int(days) if days else None,
        )
    except (InvalidInput, Conflict) as exc:
        return _detail_page(
            request, session, user, user_id, error=exc.detail, status_code=exc.status_code
        )
    new_token = {"token": token, "label": row.label, "expires_at": row.expires_at}
    return _detail_page(request, session, user, user_id, new_token=new_token)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    token = service.revoke_token(session, principal=user, token_id=token_id)
    request.session[FLASH_KEY] = _("Token “%(label)s” revoked.", label=token.label)
    return _see_other(f"/admin/users/{token.user_id}")


@router.post("/admin/users/{user_id}/password-link")
def password_link(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    try:
        url, expires_at = password_links.issue_password_link(
            session, principal=user, user_id=user_id, settings=settings
        )
    except Conflict as exc:
        return _detail_page(request, session, user, user_id, error=exc.detail, status_code=409)
    link = {"url": url, "expires_at": expires_at, "invitation": False}
    return _detail_page(request, session, user, user_id, password_link=link)


@router.post("/admin/users/{user_id}/invitation")
def send_invitation(
    request: Request,
    user_id: ResourceId,
    session: SessionDep,
    user: PageUserManager,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    try:
        expires_at = service.send_invitation(
            session, principal=user, user_id=user_id, settings=settings
        )
    except Conflict as exc:
        return _detail_page(request, session, user, user_id, error=exc.detail, status_code=409)
    managed = service.get_user(session, principal=user, user_id=user_id)
    request.session[FLASH_KEY] = _(
        "Invitation sent to %(email)s; its link works until %(moment)s.",
        email=managed.email,
        moment=format_datetime(expires_at),
    )
    return _see_other(f"/admin/users/{user_id}")
