"""The SCIM User opsportal serves (RFC 7643), how a user row maps to it, and the discovery
documents that describe it: ServiceProviderConfig, ResourceTypes and Schemas.

The published User schema holds only what opsportal keeps: `userName` (the
email, the sign-in name), `name` (formatted, givenName, familyName),
`displayName`, `emails`, `active` and `externalId`. Attributes outside it
(addresses, phone numbers, the enterprise extension, ...) are ignored when a
directory sends them, so a default Okta or Entra ID mapping works without
opsportal storing more personal data than it uses. `active` is required: a
directory says whether a person may sign in, it cannot leave that unsaid.

A person's name in opsportal (on pages and certificates) comes from what the
directory sent: `displayName`, else `name.formatted`, else `givenName familyName`,
else the email's local part.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    Context,
    ETag,
    Filter,
    Meta,
    Patch,
    Required,
    Resource,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

from opsportal.models import User as UserRow

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
# A list answers with at most this many users; a client asking for more gets this many.
MAX_RESULTS = 200
# What one user's stored SCIM attributes may weigh, as JSON.
MAX_STORED_BYTES = 16 * 1024


class Name(ComplexAttribute):
    """The components of the user's name."""

    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None


class Email(ComplexAttribute):
    """An email address of the user (the one opsportal writes to is `userName`)."""

    value: str | None = None
    type: str | None = None
    primary: bool | None = None


class ScimUser(Resource[Any]):
    """User Account"""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    emails: list[Email] | None = None
    active: Annotated[bool | None, Required.true] = None


# Lower-cased, as SCIM attribute names are case-insensitive.
KNOWN_ATTRIBUTES = frozenset(
    {"schemas", "id", "externalid", "meta", "username", "name", "displayname", "emails", "active"}
)
_FIRST_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_$-]*")


def _known(attribute_path: str) -> str | None:
    """The attribute path without the User schema's URN, or None if it names nothing we keep."""
    path = attribute_path.strip()
    if path.lower().startswith("urn:"):
        prefix = USER_SCHEMA.lower() + ":"
        if not path.lower().startswith(prefix):
            return None  # an extension's attribute (enterprise, vendor): not kept
        path = path[len(prefix) :]
    match = _FIRST_NAME.match(path)
    if match is None or match.group(0).lower() not in KNOWN_ATTRIBUTES:
        return None
    return path


def keep_known(payload: dict[str, Any]) -> dict[str, Any]:
    """A resource payload without the attributes and schemas opsportal does not keep."""
    kept: dict[str, Any] = {}
    for key, value in payload.items():
        if key.lower() == "schemas" and isinstance(value, list):
            kept[key] = [
                s for s in value if not isinstance(s, str) or s.lower() == USER_SCHEMA.lower()
            ]
        elif key.lower() == USER_SCHEMA.lower() and isinstance(value, dict):
            kept.update(keep_known(value))  # attributes qualified by the core schema's URN
        elif _known(key) is not None:
            kept[key] = value
    return kept


def keep_known_operations(payload: dict[str, Any]) -> dict[str, Any]:
    """A PatchOp payload without the operations on attributes opsportal does not keep."""
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    kept: list[Any] = []
    for operation in operations:
        if not isinstance(operation, dict):
            kept.append(operation)
            continue
        path = operation.get("path")
        if isinstance(path, str) and path.strip():
            if _known(path) is not None:
                kept.append(operation)
        elif isinstance(operation.get("value"), dict):
            value = keep_known(operation["value"])
            value.pop("schemas", None)
            if value:
                kept.append({**operation, "value": value})
        else:
            kept.append(operation)  # malformed: left for validation to refuse
    return {**payload, "Operations": kept}


def location(base_url: str, user_id: int) -> str:
    return f"{base_url}/Users/{user_id}"


def to_resource(user: UserRow, *, base_url: str) -> ScimUser:
    """The user as its directory sees it."""
    stored = user.scim_attributes
    if stored is None:
        # Never written through SCIM (made in the pages, the API or a roster import).
        stored = {"displayName": user.name}
    resource = ScimUser.model_validate(
        {
            "schemas": [USER_SCHEMA],
            "id": str(user.id),
            "externalId": user.external_id,
            "userName": user.email,
            "active": user.is_active,
            **stored,
        },
        scim_ctx=None,
    )
    resource.meta = Meta(
        resource_type="User",
        created=user.created_at,
        location=location(base_url, user.id),
    )
    return resource


def stored_attributes(resource: ScimUser) -> dict[str, Any]:
    """What to keep of a resource beyond the columns: name, displayName, emails, as sent."""
    dumped = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return {key: dumped[key] for key in ("name", "displayName", "emails") if key in dumped}


def stored_size(attributes: dict[str, Any]) -> int:
    return len(json.dumps(attributes, separators=(",", ":")).encode())


def person_name(resource: ScimUser, *, email: str) -> str:
    """The name opsportal shows (and prints on certificates) for a directory's user."""
    name = resource.name
    candidates = [
        resource.display_name,
        name.formatted if name else None,
        " ".join(part for part in (name.given_name, name.family_name) if part) if name else None,
    ]
    for candidate in candidates:
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return email.split("@")[0]


# --- discovery ---------------------------------------------------------------------------


def _meta(resource_type: str, location: str, created: datetime | None = None) -> Meta:
    return Meta(resource_type=resource_type, location=location, created=created)


def user_schema(base_url: str) -> Schema:
    schema = ScimUser.to_schema()
    schema.name = "User"
    schema.description = "User Account"
    schema.meta = _meta("Schema", f"{base_url}/Schemas/{USER_SCHEMA}")
    return schema


def schemas(base_url: str) -> list[Schema]:
    """Every schema served: User, and the three that describe the discovery documents."""
    found = [user_schema(base_url)]
    for model in (ServiceProviderConfig, ResourceType, Schema):
        schema = model.to_schema()
        schema.meta = _meta("Schema", f"{base_url}/Schemas/{schema.id}")
        found.append(schema)
    return found


def resource_types(base_url: str) -> list[ResourceType]:
    user = ResourceType.from_resource(ScimUser)
    user.description = "User Account"
    user.meta = _meta("ResourceType", f"{base_url}/ResourceTypes/User")
    return [user]


def service_provider_config(base_url: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="SCIM token",
                description="A bearer token issued for one organisation in opsportal "
                "(POST /api/v1/organizations/{id}/scim-tokens, or its SCIM provisioning page).",
                primary=True,
            )
        ],
        meta=_meta("ServiceProviderConfig", f"{base_url}/ServiceProviderConfig"),
    )
