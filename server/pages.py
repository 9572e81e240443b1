"""Paging and size caps shared by every tool result: nothing is cut silently."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, Field

TRUNCATION_MARK = "…[truncated {} chars]"

# The paging arguments every list tool takes.
Count = Annotated[int, Field(ge=1, le=1000, description="Items per page (max 1000).")]
Offset = Annotated[
    int, Field(ge=0, le=1_000_000, description="Items to skip; pass the previous next_offset.")
]


class PageInfo(BaseModel):
    """Where this page sits in the whole; `next_offset` is what to pass as `offset` for the next page."""

    total: int | None = Field(description="Items in the whole collection or result, when Splunk knows it.")
    count: int = Field(description="Items in this page.")
    offset: int = Field(description="Offset of the first item of this page.")
    has_more: bool
    next_offset: int | None = Field(description="Offset of the next page, or null at the end.")


def page_info(*, total: int | None, offset: int, returned: int, more: bool | None = None) -> PageInfo:
    has_more = more if more is not None else (total is not None and offset + returned < total)
    return PageInfo(
        total=total,
        count=returned,
        offset=offset,
        has_more=has_more,
        next_offset=offset + returned if has_more else None,
    )


def cap_value(value: Any, limit: int) -> tuple[Any, bool]:
    """Cut a long string (or each string of a multivalue) to `limit` characters, with a marker."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value, False
        return value[:limit] + TRUNCATION_MARK.format(len(value) - limit), True
    if isinstance(value, list):
        capped = [cap_value(item, limit) for item in value]
        return [item for item, _ in capped], any(cut for _, cut in capped)
    return value, False


def shape_rows(
    rows: list[dict[str, Any]], *, field_chars: int, byte_budget: int
) -> tuple[list[dict[str, Any]], bool, bool]:
    """Cap long values and stop before the byte budget. Returns (rows, values_cut, rows_cut)."""
    shaped: list[dict[str, Any]] = []
    values_cut = False
    used = 0
    for row in rows:
        new_row = {}
        for key, value in row.items():
            new_row[key], cut = cap_value(value, field_chars)
            values_cut |= cut
        size = len(json.dumps(new_row, ensure_ascii=False, default=str)) + 1
        if shaped and used + size > byte_budget:
            return shaped, values_cut, True
        shaped.append(new_row)
        used += size
    return shaped, values_cut, False
