"""KV store toolset: which collections an app has, and MongoDB-style queries of their documents.

Paths are absolute `/servicesNS/nobody/<app>/storage/...`: splunklib's `service.kvstore` would pin
the shared service's namespace owner to "nobody" for every later call of the same service.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastmcp.dependencies import Depends
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.pages import Count, Offset, PageInfo, page_info, shape_rows
from server.toolsets import READ_ONLY

QUERY_CHARS_MAX = 10_000

# Names need no URL encoding: letters, digits and _ . - (what Splunk allows for apps and collections).
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
CollectionName = Annotated[
    str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN, description="A KV store collection.")
]
AppName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        pattern=NAME_PATTERN,
        description="The app (namespace) that holds the collection (default search).",
    ),
]
MongoQuery = Annotated[
    dict[str, Any] | str | None,
    Field(
        description=(
            'MongoDB-style filter as a JSON object, e.g. {"owner": "secops"} or '
            '{"criticality": {"$in": ["high", "critical"]}}. Operators: $eq $ne $gt $gte $lt $lte $in '
            "$nin $regex $exists $and $or. A JSON string holding an object is accepted too."
        )
    ),
]


class CollectionSummary(BaseModel):
    name: str
    app: str
    fields: dict[str, str] = Field(description="Declared field types (field.<name>), if any.")
    accelerated_fields: dict[str, Any] = Field(description="Indexes: name -> {field: 1|-1}.")


class CollectionList(BaseModel):
    collections: list[CollectionSummary]
    page: PageInfo


class KVQueryResult(BaseModel):
    collection: str
    app: str
    documents: list[dict[str, Any]]
    page: PageInfo
    truncated: bool = Field(description="True when more documents match, or the byte cap hit.")
    values_truncated: bool = Field(
        description="True when long values were shortened (marked '…[truncated N chars]')."
    )
    note: str | None = Field(default=None, description="What to do next, when there is something to do.")


def kv_path(app: str, *parts: str) -> str:
    """`/servicesNS/nobody/<app>/storage/collections/<parts>`; every part is pattern-checked first."""
    return "/".join(("/servicesNS/nobody", app, "storage/collections", *parts))


def parse_query(query: dict[str, Any] | str | None) -> dict[str, Any]:
    """The filter as a dict: parsed if it came as text, refused unless it is a small JSON object."""
    if query is None:
        return {}
    if isinstance(query, str):
        if not query.strip():
            return {}
        try:
            query = json.loads(query)
        except ValueError as exc:
            raise ToolError(f"`query` is not valid JSON ({exc}). Pass a JSON object.") from None
        if not isinstance(query, dict):
            raise ToolError('`query` must be a JSON object such as {"host": "web-01"}.')
    if len(json.dumps(query)) > QUERY_CHARS_MAX:
        raise ToolError(f"`query` is longer than {QUERY_CHARS_MAX} characters. Use a shorter filter.")
    return query


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def collection_summary(entry: dict[str, Any]) -> CollectionSummary:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    return CollectionSummary(
        name=str(entry.get("name", "")),
        app=str(acl.get("app") or content.get("eai:appName") or ""),
        fields={k[len("field.") :]: str(v) for k, v in content.items() if k.startswith("field.")},
        accelerated_fields={
            k[len("accelerated_fields.") :]: _decoded(v)
            for k, v in content.items()
            if k.startswith("accelerated_fields.")
        },
    )


@tool(title="List KV store collections", tags={"kvstore"}, annotations=READ_ONLY)
async def list_kvstore_collections(
    app: AppName = "search",
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> CollectionList:
    """KV store collections of an app (default search), with their field types and accelerations.

    Then query_kvstore reads a collection's documents. Paged: `count` (default 100) from `offset`.
    """
    page = await splunk.run(splunk.client.list_entities, kv_path(app, "config"), count=count, offset=offset)
    collections = [collection_summary(entry) for entry in page.entries]
    return CollectionList(
        collections=collections, page=page_info(total=page.total, offset=offset, returned=len(collections))
    )


@tool(title="Query a KV store collection", tags={"kvstore"}, annotations=READ_ONLY)
async def query_kvstore(
    collection: CollectionName,
    app: AppName = "search",
    query: MongoQuery = None,
    fields: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]]
        | None,
        Field(max_length=100, description="Only these fields (plus _key). Default: all."),
    ] = None,
    sort: Annotated[
        str | None,
        Field(
            max_length=500,
            pattern=r"^[A-Za-z0-9_.-]+(:-?1)?(,[A-Za-z0-9_.-]+(:-?1)?)*$",
            description="Sort as Splunk takes it: `field:1` ascending, `field:-1` descending, comma-separated.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        Field(ge=1, le=50_000, description="Documents per page (server default 100; server cap applies)."),
    ] = None,
    skip: Annotated[
        int, Field(ge=0, le=10_000_000, description="Documents to skip; pass the previous next_offset.")
    ] = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> KVQueryResult:
    """Documents of a KV store collection that match a MongoDB-style query, one page at a time.

    Default: every document, 100 a page (server cap applies); follow `page.next_offset` (as `skip`)
    while `page.has_more`. Narrow with `query`, `fields` and `sort` rather than paging everything.
    Find collections with list_kvstore_collections.
    """
    settings = splunk.runtime.settings
    size = min(limit or settings.row_limit_default, settings.row_limit_max)
    params: dict[str, Any] = {"limit": size + 1, "skip": skip}  # one more tells whether more exist
    filter_ = parse_query(query)
    if filter_:
        params["query"] = json.dumps(filter_)
    if fields:
        params["fields"] = ",".join(dict.fromkeys([*fields, "_key"]))
    if sort:
        params["sort"] = sort
    found = await splunk.run(splunk.client.get_json, kv_path(app, "data", collection), **params)
    documents = [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []
    rows, values_cut, rows_cut = shape_rows(
        documents[:size], field_chars=settings.field_chars_max, byte_budget=settings.result_bytes_max
    )
    more = rows_cut or len(documents) > size
    page = page_info(total=None if more else skip + len(rows), offset=skip, returned=len(rows), more=more)
    note = f"More documents: call query_kvstore again with skip={page.next_offset}." if more else None
    return KVQueryResult(
        collection=collection,
        app=app,
        documents=rows,
        page=page,
        truncated=more,
        values_truncated=values_cut,
        note=note,
    )


TOOLS = (list_kvstore_collections, query_kvstore)
