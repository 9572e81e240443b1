"""Discovery toolset: what data is there (indexes, sourcetypes, hosts, sources, fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastmcp.dependencies import Depends
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.pages import PageInfo, page_info
from server.toolsets import READ_ONLY

Count = Annotated[int, Field(ge=1, le=1000, description="Items per page (max 1000).")]
Offset = Annotated[
    int, Field(ge=0, le=1_000_000, description="Items to skip; pass the previous next_offset.")
]


class IndexSummary(BaseModel):
    name: str
    datatype: str = Field(description="event or metric.")
    total_event_count: int
    current_size_mb: float
    earliest_time: str | None = Field(description="Time of the oldest event (ISO 8601), if any.")
    latest_time: str | None = Field(description="Time of the newest event (ISO 8601), if any.")
    disabled: bool


class IndexList(BaseModel):
    indexes: list[IndexSummary]
    page: PageInfo


def _int(value: object) -> int:
    try:
        return int(float(str(value)))
    except ValueError:
        return 0


def _float(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "t", "yes")


def index_summary(entry: dict) -> IndexSummary:
    content = entry.get("content", {})
    return IndexSummary(
        name=str(entry.get("name", "")),
        datatype=str(content.get("datatype", "event")),
        total_event_count=_int(content.get("totalEventCount", 0)),
        current_size_mb=_float(content.get("currentDBSizeMB", 0)),
        earliest_time=content.get("minTime") or None,
        latest_time=content.get("maxTime") or None,
        disabled=_truthy(content.get("disabled", False)),
    )


@tool(title="List indexes", tags={"discovery"}, annotations=READ_ONLY)
async def list_indexes(
    datatype: Literal["all", "event", "metric"] = "all",
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> IndexList:
    """Indexes this token's Splunk user can see, with event counts, size and time span.

    Start here before searching: it tells which index holds data and for which period. Paged:
    `count` (default 100, max 1000) from `offset`; follow `page.next_offset` while `page.has_more`.
    """
    page = await splunk.run(
        splunk.client.list_entities, "data/indexes", count=count, offset=offset, datatype=datatype
    )
    indexes = [index_summary(entry) for entry in page.entries]
    return IndexList(indexes=indexes, page=page_info(total=page.total, offset=offset, returned=len(indexes)))


TOOLS = (list_indexes,)
