"""The single sign-on set-up pages: admins for every organisation, a customer_admin for its own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from opsportal.auth.sso import configuration, service
from opsportal.auth.sso.endpoints import sealing_secret
from opsportal.auth.sso.schemas import SsoUpdate
from opsportal.config import Settings
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import DomainError, InvalidInput, NotFound
from opsportal.models import SsoProtocol
from opsportal.principal import Principal
from opsportal.schemas import QueryText
from opsportal.tenants import service as tenants
from opsportal.web.form_errors import first_problem
from opsportal.web.i18n import _
from opsportal.web.session import CheckedForm, PageUserManager
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/sso", status_code=303)
def sso_organizations(
    request: Request,
    session: SessionDep,
    user: PageUserManager,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> Response:
    """Admins find the organisation to configure; a customer_admin goes to its own."""
    if not user.is_admin:
        assert user.organization_id is not None
        return RedirectResponse(f"/admin/organizations/{user.organization_id}/sso", status_code=303)
    found, total = tenants.list_organizations(
        session, principal=user, search=q or None, limit=50, offset=0
    )
    return render(
        request, "sso/organizations.html", user=user, organizations=found, total=total, q=q or ""
    )


def _settings_page(
    request: Request,
    session: Any,
    user: Principal,
    settings: Settings,
    organization_id: int,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    sso = configuration.find_sso(session, principal=user, organization_id=organization_id)
    organization = tenants.get_organization(
        session, principal=user, organization_id=organization_id
    )
    view = configuration.view(session, sso=sso, base_url=settings.public_base_url) if sso else None
    domains = configuration.domains(session, principal=user, organization_id=organization_id)
    if form is None:
        form = {
            "protocol": view.protocol.value if view else "",
            "jit": view.jit_provisioning if view else False,
            "issuer": view.oidc.issuer if view and view.oidc else "",
            "client_id": view.oidc.client_id if view and view.oidc else "",
            "metadata": view.saml.idp_metadata_xml if view and view.saml else "",
            "domains": ", ".join(domains),
        }
    sp = service.saml_service_provider(settings.public_base_url, organization_id)
    return render(
        request,
        "sso/settings.html",
        user=user,
        organization=organization,
        view=view,
        domains=domains,
        form=form,
        error=_(error) if error else None,
        message=message,
        redirect_uri=service.organization_redirect_uri(settings.public_base_url, organization_id),
        sp=sp,
        status_code=status_code,
    )


@router.get("/admin/organizations/{organization_id}/sso", status_code=303)
def sso_settings(
    organization_id: ResourceId,
    request: Request,
    session: SessionDep,
    user: PageUserManager,
    settings: SettingsDep,
) -> Response:
    return _settings_page(
        request,
        session,
        user,
        settings,
        organization_id,
        message=request.session.pop("sso_flash", None),
    )


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/admin/organizations/{organization_id}/sso", status_code=303)
def save_sso_settings(
    organization_id: ResourceId,
    request: Request,
    session: SessionDep,
    user: PageUserManager,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    # Before the request's session writes: reading a generated key takes a unit of work.
    secret_key = sealing_secret(request, settings)
    domains_text = _form_text(form, "domains")
    values: dict[str, Any] = {
        "protocol": _form_text(form, "protocol"),
        "jit": form.get("jit") == "on",
        "issuer": _form_text(form, "issuer"),
        "client_id": _form_text(form, "client_id"),
        "metadata": _form_text(form, "metadata"),
        "domains": domains_text,
    }
    if _form_text(form, "action") == "delete":
        configuration.delete_sso(session, principal=user, organization_id=organization_id)
        request.session["sso_flash"] = _("Single sign-on removed: people sign in with a password.")
        return RedirectResponse(f"/admin/organizations/{organization_id}/sso", status_code=303)
    body: dict[str, Any] = {"protocol": values["protocol"], "jitProvisioning": values["jit"]}
    if values["protocol"] == SsoProtocol.OIDC.value:
        secret = form.get("client_secret")
        body["oidc"] = {
            "issuer": values["issuer"],
            "clientId": values["client_id"],
            **({"clientSecret": secret} if isinstance(secret, str) and secret else {}),
        }
    elif values["protocol"] == SsoProtocol.SAML.value:
        body["saml"] = {"idpMetadataXml": values["metadata"]}
    if user.is_admin:
        body["domains"] = [d for d in domains_text.replace("\n", ",").split(",") if d.strip()]
    try:
        data = SsoUpdate.model_validate(body)
        configuration.put_sso(
            session,
            principal=user,
            organization_id=organization_id,
            data=data,
            secret_key=secret_key,
            allow_http_issuer=settings.environment != "production",
        )
    except ValueError as exc:  # pydantic's ValidationError is one
        session.rollback()
        return _settings_page(
            request,
            session,
            user,
            settings,
            organization_id,
            form=values,
            error=_first_problem(exc),
            status_code=422,
        )
    except (InvalidInput, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        return _settings_page(
            request,
            session,
            user,
            settings,
            organization_id,
            form=values,
            error=exc.detail,
            status_code=exc.status_code,
        )
    request.session["sso_flash"] = _("Single sign-on saved.")
    return RedirectResponse(f"/admin/organizations/{organization_id}/sso", status_code=303)


def _first_problem(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        return first_problem(exc)
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
