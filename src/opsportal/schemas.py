"""The base every API schema shares: camelCase on the wire, built from ORM objects.

And the bounded input types every route uses, so that no input reaches the
database in a form it refuses (a 500): ids, limits and offsets within an
integer column's range; text without NUL characters.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def refuse_nul(value: T) -> T:
    """PostgreSQL can neither store nor compare text with NUL characters: refuse them."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    return value


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
    )


class InputModel(ApiModel):
    """Request bodies: unknown fields are an error, so typos do not pass silently; no NULs."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        return refuse_nul(value)


ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int


# Every integer id, limit and offset in a path or query: bounded so that a huge
# number is a 422, not a database overflow error. A route keeps its own default
# (`limit: Limit = 50`); one that needs a query alias or a shorter maximum adds
# it: `Annotated[IdQuery | None, Query(alias="organizationId")] = None`.
MAX_ID = 2**31 - 1
MAX_LIMIT = 500
MAX_OFFSET = MAX_ID

# Free text in a query string (a search term, a filter): add the length with
# `Annotated[QueryText | None, Query(max_length=200)] = None`.
QueryText = Annotated[str, AfterValidator(refuse_nul)]
