"""Discovery toolset: what data is there (indexes, sourcetypes, hosts, sources, fields)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastmcp.dependencies import Depends
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.guard import enforce_spl
from server.pages import Count, Offset, PageInfo, page_info
from server.splunk.values import as_float, as_int, iso_time, truthy
from server.toolsets import READ_ONLY


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


def index_summary(entry: dict) -> IndexSummary:
    content = entry.get("content", {})
    return IndexSummary(
        name=str(entry.get("name", "")),
        datatype=str(content.get("datatype", "event")),
        total_event_count=as_int(content.get("totalEventCount", 0)),
        current_size_mb=as_float(content.get("currentDBSizeMB", 0)),
        earliest_time=content.get("minTime") or None,
        latest_time=content.get("maxTime") or None,
        disabled=truthy(content.get("disabled", False)),
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


IndexName = Annotated[
    str,
    Field(
        min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", description="An index name."
    ),
]
IndexPattern = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9_*][A-Za-z0-9_.*-]*$",
        description="Index name or wildcard pattern (e.g. web, app_*, *).",
    ),
]
Earliest = Annotated[str, Field(max_length=64, description="Window start: -24h, -7d@d, epoch or ISO 8601.")]
Latest = Annotated[str, Field(max_length=64, description="Window end (default now).")]


class IndexDetail(IndexSummary):
    max_size_mb: float | None = Field(description="Size cap (maxTotalDataSizeMB).")
    retention_seconds: int | None = Field(
        description="Data older than this is frozen (frozenTimePeriodInSecs)."
    )
    home_path: str | None = None


@tool(title="Index details", tags={"discovery"}, annotations=READ_ONLY)
async def get_index(name: IndexName, splunk: SplunkCall = Depends(splunk_call)) -> IndexDetail:
    """One index's counts, size, time span, size cap and retention. Use list_indexes to find names."""
    entry = await splunk.run(splunk.client.get_entity, "data/indexes", name)
    content = entry.get("content", {})
    summary = index_summary(entry)
    return IndexDetail(
        **summary.model_dump(),
        max_size_mb=as_float(content["maxTotalDataSizeMB"]) if "maxTotalDataSizeMB" in content else None,
        retention_seconds=as_int(content["frozenTimePeriodInSecs"])
        if "frozenTimePeriodInSecs" in content
        else None,
        home_path=content.get("homePath"),
    )


class MetadataItem(BaseModel):
    value: str = Field(description="The sourcetype, host or source.")
    total_count: int = Field(description="Events in the window.")
    first_time: str | None = Field(description="Earliest event (ISO 8601).")
    last_time: str | None = Field(description="Latest event (ISO 8601).")


class MetadataList(BaseModel):
    index: str
    kind: str = Field(description="sourcetypes, hosts or sources.")
    items: list[MetadataItem]
    page: PageInfo


async def _metadata(
    splunk: SplunkCall,
    kind: str,
    field_name: str,
    index: str,
    earliest: str,
    latest: str,
    count: int,
    offset: int,
) -> MetadataList:
    # The index argument is pattern-checked above; the SPL still passes the policy like any other.
    spl = await enforce_spl(splunk, f"| metadata type={kind} index={index} | sort - totalCount")
    result = await splunk.run(
        splunk.client.oneshot, spl, earliest=earliest, latest=latest, count=count + 1, offset=offset
    )
    rows = result.rows[:count]
    items = [
        MetadataItem(
            value=str(row.get(field_name, "")),
            total_count=as_int(row.get("totalCount", 0)),
            first_time=iso_time(row.get("firstTime")),
            last_time=iso_time(row.get("lastTime")),
        )
        for row in rows
    ]
    more = len(result.rows) > count
    return MetadataList(
        index=index,
        kind=kind,
        items=items,
        page=page_info(
            total=None if more else offset + len(items), offset=offset, returned=len(items), more=more
        ),
    )


@tool(title="List sourcetypes", tags={"discovery"}, annotations=READ_ONLY)
async def list_sourcetypes(
    index: IndexPattern,
    earliest_time: Earliest = "-24h",
    latest_time: Latest = "now",
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> MetadataList:
    """Sourcetypes in an index over a window, busiest first, with event counts and first/last times.

    Cheap (uses `| metadata`). Default window -24h. Then get_field_summary learns a sourcetype's fields.
    """
    return await _metadata(
        splunk, "sourcetypes", "sourcetype", index, earliest_time, latest_time, count, offset
    )


@tool(title="List hosts", tags={"discovery"}, annotations=READ_ONLY)
async def list_hosts(
    index: IndexPattern,
    earliest_time: Earliest = "-24h",
    latest_time: Latest = "now",
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> MetadataList:
    """Hosts sending to an index over a window, busiest first, with event counts and first/last times."""
    return await _metadata(splunk, "hosts", "host", index, earliest_time, latest_time, count, offset)


@tool(title="List sources", tags={"discovery"}, annotations=READ_ONLY)
async def list_sources(
    index: IndexPattern,
    earliest_time: Earliest = "-24h",
    latest_time: Latest = "now",
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> MetadataList:
    """Sources (files, inputs) of an index over a window, busiest first, with counts and times."""
    return await _metadata(splunk, "sources", "source", index, earliest_time, latest_time, count, offset)


class FieldSummary(BaseModel):
    field: str
    count: int = Field(description="Events (of the sample) that have the field.")
    distinct_count: int
    is_numeric: bool
    top_values: list[dict[str, Any]] = Field(description="Most common values with their counts.")


class FieldSummaryResult(BaseModel):
    index: str
    sourcetype: str | None
    sampled_events: int = Field(description="How many recent events the summary was computed from.")
    fields: list[FieldSummary]


def _top_values(raw: object) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    if not isinstance(raw, list):
        return []
    return [{"value": v.get("value"), "count": as_int(v.get("count", 0))} for v in raw if isinstance(v, dict)]


@tool(title="Field summary", tags={"discovery"}, annotations=READ_ONLY)
async def get_field_summary(
    index: IndexName,
    sourcetype: Annotated[
        str | None,
        Field(max_length=120, pattern=r"^[A-Za-z0-9_:.*-]+$", description="Narrow to one sourcetype."),
    ] = None,
    earliest_time: Earliest = "-24h",
    latest_time: Latest = "now",
    sample: Annotated[
        int, Field(ge=10, le=10_000, description="Recent events to sample (default 1000).")
    ] = 1000,
    top: Annotated[int, Field(ge=1, le=20, description="Top values per field (default 5).")] = 5,
    splunk: SplunkCall = Depends(splunk_call),
) -> FieldSummaryResult:
    """Fields of an index (or sourcetype) with counts, distinct counts and top values, from a sample.

    Use it before writing SPL so field names and values are right. Samples the most recent
    `sample` events (default 1000) of the window (default -24h): cheap, but rare fields may be missed.
    """
    scope = f"index={index}" + (f" sourcetype={sourcetype}" if sourcetype else "")
    spl = await enforce_spl(splunk, f"search {scope} | head {sample} | fieldsummary maxvals={top}")
    result = await splunk.run(
        splunk.client.oneshot, spl, earliest=earliest_time, latest=latest_time, count=0, offset=0
    )
    fields = [
        FieldSummary(
            field=str(row.get("field", "")),
            count=as_int(row.get("count", 0)),
            distinct_count=as_int(row.get("distinct_count", 0)),
            is_numeric=as_int(row.get("numeric_count", 0)) > 0
            and as_int(row.get("numeric_count", 0)) == as_int(row.get("count", 0)),
            top_values=_top_values(row.get("values")),
        )
        for row in result.rows
    ]
    sampled = max((f.count for f in fields), default=0)
    return FieldSummaryResult(index=index, sourcetype=sourcetype, sampled_events=sampled, fields=fields)


TOOLS = (list_indexes, get_index, list_sourcetypes, list_hosts, list_sources, get_field_summary)
