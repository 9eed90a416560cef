"""The base every API schema shares: camelCase on the wire, built from ORM objects."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
    )


class InputModel(ApiModel):
    """Request bodies: unknown fields are an error, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int


# Every integer id in a path or query: bounded so that a huge number is a 422,
# not a database overflow error.
MAX_ID = 2**31 - 1
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]
