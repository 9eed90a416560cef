"""The SCIM 2.0 service at /scim/v2: its own small application, mounted by the main one.

Its own, so that every answer here, an unknown path or a wrong method
included, is a SCIM message (`application/scim+json`, errors as
`urn:ietf:params:scim:api:messages:2.0:Error` with the status as a string and a
`scimType`), not one of the portal's problem documents or HTML pages. It shares
the main application's state (settings, database sessions) and sits behind its
middleware (body limit, admission, security headers).

Every route needs a SCIM token (`Authorization: Bearer scim_...`), checked
before a request body is read; the token decides the organisation.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.deps import SessionDep, SettingsDep, identity_session
from opsportal.users.scim import resources, service, tokens
from opsportal.users.scim.problems import (
    ScimResponse,
    install_scim_error_handlers,
)
from opsportal.users.scim.resources import ScimUser
from opsportal.users.scim.tokens import ScimClient

logger = logging.getLogger(__name__)

PREFIX = "/scim/v2"


def base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_base_url + PREFIX


# --- who is asking ------------------------------------------------------------------------


def scim_client(request: Request, session: SessionDep, background: BackgroundTasks) -> ScimClient:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingToken()
    with identity_session(request, session) as db:
        client = tokens.authenticate(db, token=token.strip())
    if client.last_used_is_stale:
        background.add_task(_record_use, request.app.state.session_factory, client.token_id)
    return client


class MissingToken(SCIMException):
    status = 401
    _default_detail = "Send a SCIM token as `Authorization: Bearer <token>`."


def _record_use(session_factory: SessionFactory, token_id: int) -> None:
    try:
        with session_scope(session_factory) as session:
            tokens.record_use(session, token_id=token_id)
    except Exception:  # the next request tries again; the answer has gone already
        logger.warning("could not record the use of SCIM token %s", token_id, exc_info=True)


ClientDep = Annotated[ScimClient, Depends(scim_client)]


async def json_body(request: Request, client: ClientDep) -> dict[str, Any]:
    """The request's JSON object, read only once the token is known to be valid."""
    raw = await request.body()
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidSyntaxException(detail="The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The request body must be a JSON object.")
    return payload


BodyDep = Annotated[dict[str, Any], Depends(json_body)]


# --- reading requests ---------------------------------------------------------------------


def _validated(model: Any, payload: dict[str, Any], context: Context) -> Any:
    try:
        return model.model_validate(payload, scim_ctx=context)
    except ValidationError as exc:
        errors = Error.from_validation_errors(exc.errors())
        first = errors[0] if errors else Error(status=400, detail=str(exc))
        raise SCIMException.from_error(first) from None


def _int_parameter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidValueException(detail=f"{name} must be an integer.") from None
    if abs(value) > 2**31:
        raise InvalidValueException(detail=f"{name} is out of range.")
    return value


def _search_from_query(request: Request) -> SearchRequest[ScimUser]:
    query = request.query_params
    payload: dict[str, Any] = {
        "filter": query.get("filter"),
        "startIndex": _int_parameter(request, "startIndex"),
        "count": _int_parameter(request, "count"),
        "attributes": query.get("attributes"),
        "excludedAttributes": query.get("excludedAttributes"),
    }
    return _search(payload)


def _search(payload: dict[str, Any]) -> SearchRequest[ScimUser]:
    payload = {key: value for key, value in payload.items() if value is not None}
    if payload.get("filter") == "":
        payload.pop("filter")
    for key in ("sortBy", "sortOrder"):
        payload.pop(key, None)  # sorting is not supported (ServiceProviderConfig says so)
    searched: SearchRequest[ScimUser] = _validated(
        SearchRequest[ScimUser], payload, Context.SEARCH_REQUEST
    )
    return searched


def _response_parameters(request: Request) -> ResponseParameters[ScimUser]:
    payload = {
        key: request.query_params[key]
        for key in ("attributes", "excludedAttributes")
        if request.query_params.get(key)
    }
    parameters: ResponseParameters[ScimUser] = _validated(
        ResponseParameters[ScimUser], payload, Context.RESOURCE_QUERY_REQUEST
    )
    return parameters


# --- answers --------------------------------------------------------------------------------


def _resource_response(
    resource: ScimUser,
    context: Context,
    parameters: ResponseParameters[ScimUser] | None = None,
    status_code: int = 200,
) -> Response:
    body = resource.model_dump(scim_ctx=context, response_parameters=parameters)
    headers = (
        {"Location": resource.meta.location} if resource.meta and resource.meta.location else {}
    )
    return ScimResponse(body, status_code=status_code, headers=headers)


def _list_response(model: Any, items: list[Any], total: int, start: int, **dump: Any) -> Response:
    listed = ListResponse[model](
        total_results=total, start_index=start, items_per_page=len(items), resources=items
    )
    return ScimResponse(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, **dump))


def _with_active(payload: dict[str, Any], active: bool) -> dict[str, Any]:
    """`active` is required by the schema; a request that leaves it out means `active`."""
    if not any(key.lower() == "active" for key in payload):
        payload = {**payload, "active": active}
    return payload


# --- the application ------------------------------------------------------------------------


def create_scim_app() -> FastAPI:
    """The SCIM service; mount it at /scim/v2 and give it the main application's state."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_scim_error_handlers(app)
    _discovery_routes(app)
    _user_routes(app)
    return app


def _discovery_routes(app: FastAPI) -> None:
    @app.get("/ServiceProviderConfig")
    def service_provider_config(request: Request, client: ClientDep) -> Response:
        config = resources.service_provider_config(base_url(request))
        return ScimResponse(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))

    @app.get("/ResourceTypes")
    def resource_types(request: Request, client: ClientDep) -> Response:
        found = resources.resource_types(base_url(request))
        return _list_response(ResourceType, found, len(found), 1)

    @app.get("/ResourceTypes/{type_id}")
    def resource_type(type_id: str, request: Request, client: ClientDep) -> Response:
        for found in resources.resource_types(base_url(request)):
            if found.id == type_id:
                return ScimResponse(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"No resource type {type_id[:100]}.")

    @app.get("/Schemas")
    def schemas(request: Request, client: ClientDep) -> Response:
        found = resources.schemas(base_url(request))
        return _list_response(Schema, found, len(found), 1)

    @app.get("/Schemas/{schema_id}")
    def schema(schema_id: str, request: Request, client: ClientDep) -> Response:
        for found in resources.schemas(base_url(request)):
            if found.id == schema_id:
                return ScimResponse(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"No schema {schema_id[:200]}.")

    @app.post("/.search")
    def search_everything(client: ClientDep) -> Response:
        raise NotImplementedException(
            detail="Search /Users/.search instead: Users are all there is."
        )


def _user_routes(app: FastAPI) -> None:
    @app.get("/Users")
    def list_users(request: Request, session: SessionDep, client: ClientDep) -> Response:
        search = _search_from_query(request)
        return _listed(session, request, client, search)

    @app.post("/Users/.search")
    def search_users(
        request: Request, session: SessionDep, client: ClientDep, body: BodyDep
    ) -> Response:
        return _listed(session, request, client, _search(body))

    @app.post("/Users")
    def create_user(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        client: ClientDep,
        body: BodyDep,
    ) -> Response:
        payload = _with_active(resources.keep_known(body), True)
        resource = _validated(ScimUser, payload, Context.RESOURCE_CREATION_REQUEST)
        user = service.create_user(session, client=client, resource=resource, settings=settings)
        created = resources.to_resource(user, base_url=base_url(request))
        return _resource_response(created, Context.RESOURCE_CREATION_RESPONSE, status_code=201)

    @app.get("/Users/{user_id}")
    def get_user(
        user_id: str, request: Request, session: SessionDep, client: ClientDep
    ) -> Response:
        parameters = _response_parameters(request)
        user = service.get_user(session, client=client, user_id=user_id)
        found = resources.to_resource(user, base_url=base_url(request))
        return _resource_response(found, Context.RESOURCE_QUERY_RESPONSE, parameters)

    @app.put("/Users/{user_id}")
    def replace_user(
        user_id: str,
        request: Request,
        session: SessionDep,
        client: ClientDep,
        body: BodyDep,
        settings: SettingsDep,
    ) -> Response:
        current = service.get_user(session, client=client, user_id=user_id)
        payload = _with_active(resources.keep_known(body), current.is_active)
        resource = _validated(ScimUser, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
        user = service.replace_user(
            session, client=client, user_id=user_id, resource=resource, settings=settings
        )
        replaced = resources.to_resource(user, base_url=base_url(request))
        return _resource_response(replaced, Context.RESOURCE_REPLACEMENT_RESPONSE)

    @app.patch("/Users/{user_id}")
    def patch_user(
        user_id: str,
        request: Request,
        session: SessionDep,
        client: ClientDep,
        body: BodyDep,
        settings: SettingsDep,
    ) -> Response:
        service.get_user(session, client=client, user_id=user_id)  # 404 before 400
        patch = _validated(
            PatchOp[ScimUser], resources.keep_known_operations(body), Context.RESOURCE_PATCH_REQUEST
        )
        user = service.patch_user(
            session,
            client=client,
            user_id=user_id,
            patch=patch,
            base_url=base_url(request),
            settings=settings,
        )
        patched = resources.to_resource(user, base_url=base_url(request))
        return _resource_response(patched, Context.RESOURCE_PATCH_RESPONSE)

    @app.delete("/Users/{user_id}")
    def delete_user(user_id: str, session: SessionDep, client: ClientDep) -> Response:
        service.delete_user(session, client=client, user_id=user_id)
        return Response(status_code=204)


def _listed(
    session: SessionDep, request: Request, client: ScimClient, search: SearchRequest[ScimUser]
) -> Response:
    found, total = service.list_users(
        session, client=client, search=search, base_url=base_url(request)
    )
    return _list_response(
        ScimUser, found, total, search.start_index or 1, response_parameters=search
    )
