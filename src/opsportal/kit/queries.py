"""Query pieces the repositories share."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression

Row = TypeVar("Row", bound=tuple[Any, ...])


def where_given(
    query: Select[Row], *filters: tuple[SQLColumnExpression[Any], object]
) -> Select[Row]:
    """`query` narrowed to `column == value` for each filter whose value is given (None: any)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query
