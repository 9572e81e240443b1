"""Write toolset: create, change and delete saved searches and KV store data.

Registered only when the operator sets SPLUNK_MCP_ENABLE_WRITE_TOOLS, listed only to tokens with
scope splunk:write, and each tool checks that scope again itself. Stored SPL passes the same policy
as SPL run now: the scheduler would run it later, out of this server's sight.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastmcp.dependencies import Depends
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.claims import SCOPE_WRITE
from server.deps import SplunkCall, splunk_call
from server.guard import enforce_spl
from server.splunk.client import SplunkClient, entity_path
from server.splunk.errors import SplunkNotFound
from server.splunk.values import truthy
from server.tools.kvstore import (
    NAME_PATTERN,
    AppName,
    CollectionName,
    CollectionSummary,
    MongoQuery,
    collection_summary,
    kv_path,
    parse_query,
)
from server.toolsets import DESTRUCTIVE, WRITE, WRITE_IDEMPOTENT

# An update by _key replaces the whole stored document: destructive, and a keyless insert is not idempotent.
OVERWRITE = {**DESTRUCTIVE, "idempotentHint": False}

BATCH_DOCUMENTS_MAX = 1000  # splunkd's default max_documents_per_batch_save
BATCH_BYTES_MAX = 1_000_000
DELETE_COUNT_MAX = 10_000

SavedSearchName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^\S(?:[^\x00-\x1f]*\S)?$",
        description="Saved search name, exactly as listed by list_saved_searches.",
    ),
]
Spl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20_000,
        description="The SPL to store, e.g. `index=web status>=500 | stats count by host`.",
    ),
]
Description = Annotated[str, Field(max_length=2000, description="What the saved search is for.")]
TimeModifier = Annotated[
    str, Field(min_length=1, max_length=64, description="-24h, -7d@d, now, epoch or ISO 8601.")
]
Cron = Annotated[
    str,
    Field(
        max_length=100,
        pattern=r"^\S+( \S+){4}$",
        description="Five-field cron schedule, e.g. `*/15 * * * *` (every 15 minutes).",
    ),
]
ActionName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_]+$")]
ActionParams = Annotated[
    dict[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_.]+$")],
        Annotated[str, Field(max_length=2000)],
    ],
    Field(
        max_length=50,
        description="Action settings as `<action>.<param>`, e.g. {'email.to': 'oncall@example.com'}.",
    ),
]
FieldType = Literal["string", "number", "bool", "time", "array", "cidr"]
KVKey = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$", description="A document's _key.")
]


def require_write(splunk: SplunkCall, name: str) -> None:
    """Defence in depth: the middleware hides and refuses write tools too, but no tool relies on one layer."""
    if not splunk.can_write:
        raise ToolError(f"'{name}' needs a token with scope {SCOPE_WRITE}; this token is read-only.")


# --- saved searches ----------------------------------------------------------------------------------


class SavedSearchWritten(BaseModel):
    name: str
    app: str | None
    owner: str | None
    search: str
    description: str | None
    earliest_time: str | None
    latest_time: str | None
    cron_schedule: str | None
    is_scheduled: bool
    actions: list[str] = Field(description="Alert actions that run when it triggers.")


class Deleted(BaseModel):
    name: str
    deleted: bool


def _saved_search_path(name: str) -> str:
    return entity_path("saved/searches", name)  # relative: the token's namespace decides


def _saved_search(name: str, entry: dict[str, Any]) -> SavedSearchWritten:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    return SavedSearchWritten(
        name=str(entry.get("name", name)),
        app=acl.get("app"),
        owner=acl.get("owner"),
        search=str(content.get("search", "")),
        description=content.get("description") or None,
        earliest_time=content.get("dispatch.earliest_time") or None,
        latest_time=content.get("dispatch.latest_time") or None,
        cron_schedule=content.get("cron_schedule") or None,
        is_scheduled=truthy(content.get("is_scheduled", False)),
        actions=[a.strip() for a in str(content.get("actions") or "").split(",") if a.strip()],
    )


def _first_entry(document: Any) -> dict[str, Any] | None:
    entries = document.get("entry", []) if isinstance(document, dict) else []
    return entries[0] if entries else None


def _action_params(
    splunk: SplunkCall, actions: list[str] | None, params: dict[str, str] | None
) -> dict[str, str]:
    """Splunk's `actions` and `action.*` arguments, refused unless the operator allows alert actions."""
    if not actions and not params:
        return {}
    if not splunk.runtime.settings.allow_alert_actions:
        raise ToolError(
            "Alert actions (email, webhook, scripts…) are off on this server "
            "(SPLUNK_MCP_ALLOW_ALERT_ACTIONS). Save the search without alert_actions."
        )
    actions = actions or []
    unknown = sorted({key.split(".", 1)[0] for key in params or {}} - set(actions))
    if unknown:
        raise ToolError(f"alert_action_params name actions not in alert_actions: {', '.join(unknown)}.")
    out = {"actions": ",".join(actions)}
    out.update({f"action.{action}": "1" for action in actions})
    out.update({f"action.{key}": value for key, value in (params or {}).items()})
    return out


@tool(title="Create a saved search", tags={"write"}, annotations=WRITE)
async def create_saved_search(
    name: SavedSearchName,
    search: Spl,
    description: Description | None = None,
    earliest_time: TimeModifier = "-24h",
    latest_time: TimeModifier = "now",
    cron_schedule: Cron | None = None,
    is_scheduled: bool = False,
    alert_actions: list[ActionName] | None = None,
    alert_action_params: ActionParams | None = None,
    splunk: SplunkCall = Depends(splunk_call),
) -> SavedSearchWritten:
    """Save SPL as a saved search (report), optionally scheduled by cron.

    The SPL must pass the same policy as run_search (no delete, collect, outputlookup…): the
    scheduler would run it later. Window default -24h..now. Scheduling needs `cron_schedule`.
    Alert actions are refused unless the operator allows them. Fails if the name exists: use
    update_saved_search to change one.
    """
    require_write(splunk, "create_saved_search")
    spl = await enforce_spl(splunk, search)
    if is_scheduled and not cron_schedule:
        raise ToolError("is_scheduled needs a cron_schedule, e.g. '*/15 * * * *'.")
    params: dict[str, Any] = {
        "name": name,
        "search": spl,
        "dispatch.earliest_time": earliest_time,
        "dispatch.latest_time": latest_time,
        "is_scheduled": "1" if is_scheduled else "0",
        **_action_params(splunk, alert_actions, alert_action_params),
    }
    if description is not None:
        params["description"] = description
    if cron_schedule is not None:
        params["cron_schedule"] = cron_schedule
    document = await splunk.run(splunk.client.post_json, "saved/searches", **params)
    entry = _first_entry(document)
    if entry is None:
        entry = await splunk.run(splunk.client.get_entity, "saved/searches", name)
    return _saved_search(name, entry)


@tool(title="Update a saved search", tags={"write"}, annotations=WRITE_IDEMPOTENT)
async def update_saved_search(
    name: SavedSearchName,
    search: Spl | None = None,
    description: Description | None = None,
    earliest_time: TimeModifier | None = None,
    latest_time: TimeModifier | None = None,
    cron_schedule: Cron | None = None,
    is_scheduled: bool | None = None,
    alert_actions: list[ActionName] | None = None,
    alert_action_params: ActionParams | None = None,
    splunk: SplunkCall = Depends(splunk_call),
) -> SavedSearchWritten:
    """Change only the given fields of a saved search; the others stay as they are.

    The SPL it will run (the new `search`, or the stored one) must pass the policy: a saved search
    whose SPL is refused can only get a new `search`, be unscheduled (is_scheduled=false) or be
    deleted. Scheduling needs a cron schedule (given or stored). Turning on the schedule of a search that has alert actions,
    or setting alert actions, is refused unless the operator allows alert actions.
    """
    require_write(splunk, "update_saved_search")
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "description": description,
            "dispatch.earliest_time": earliest_time,
            "dispatch.latest_time": latest_time,
            "cron_schedule": cron_schedule,
        }.items()
        if value is not None
    }
    changes.update(_action_params(splunk, alert_actions, alert_action_params))
    if is_scheduled is not None:
        changes["is_scheduled"] = "1" if is_scheduled else "0"
    if not changes and search is None:
        raise ToolError("Nothing to change: pass at least one field to update.")
    current = _saved_search(name, await splunk.run(splunk.client.get_entity, "saved/searches", name))
    if search is not None:
        changes["search"] = await enforce_spl(splunk, search)
    elif is_scheduled is not False:
        # The stored SPL stays as it is, but this server does not tend (or schedule) SPL its policy refuses.
        await enforce_spl(splunk, current.search)
    if is_scheduled and not (cron_schedule or current.cron_schedule):
        raise ToolError("is_scheduled needs a cron_schedule, e.g. '*/15 * * * *'.")
    if is_scheduled and current.actions and not splunk.runtime.settings.allow_alert_actions:
        raise ToolError(
            f"'{name}' has alert actions ({', '.join(current.actions)}); scheduling it would start them, "
            "and alert actions are off on this server (SPLUNK_MCP_ALLOW_ALERT_ACTIONS)."
        )
    document = await splunk.run(splunk.client.post_json, _saved_search_path(name), **changes)
    entry = _first_entry(document)
    if entry is None:
        entry = await splunk.run(splunk.client.get_entity, "saved/searches", name)
    return _saved_search(name, entry)


@tool(title="Delete a saved search", tags={"write"}, annotations=DESTRUCTIVE)
async def delete_saved_search(name: SavedSearchName, splunk: SplunkCall = Depends(splunk_call)) -> Deleted:
    """Delete a saved search (and its schedule and alert actions). It cannot be undone."""
    require_write(splunk, "delete_saved_search")
    await splunk.run(splunk.client.delete, _saved_search_path(name))
    return Deleted(name=name, deleted=True)


# --- KV store ----------------------------------------------------------------------------------------


@tool(title="Create a KV store collection", tags={"write"}, annotations=WRITE)
async def create_kvstore_collection(
    name: CollectionName,
    app: AppName = "search",
    fields: Annotated[
        dict[Annotated[str, Field(max_length=100, pattern=NAME_PATTERN)], FieldType] | None,
        Field(max_length=200, description="Field types, e.g. {'host': 'string', 'count': 'number'}."),
    ] = None,
    splunk: SplunkCall = Depends(splunk_call),
) -> CollectionSummary:
    """Create an empty KV store collection in an app (default search), with optional field types.

    Fails if it exists. Then kvstore_upsert writes documents and query_kvstore reads them.
    """
    require_write(splunk, "create_kvstore_collection")
    params = {f"field.{field}": kind for field, kind in (fields or {}).items()}
    document = await splunk.run(splunk.client.post_json, kv_path(app, "config"), name=name, **params)
    entry = _first_entry(document)
    if entry is None:
        entry = await splunk.run(splunk.client.get_entity, kv_path(app, "config"), name)
    return collection_summary(entry)


class KVWritten(BaseModel):
    collection: str
    app: str
    operation: Literal["insert", "update", "batch_save"] = Field(
        description="insert (new document), update (replaced by _key) or batch_save (each upserted)."
    )
    keys: list[str] = Field(description="The _key of each document written, in order.")


def _upsert_one(
    client: SplunkClient, app: str, collection: str, document: dict[str, Any]
) -> tuple[Literal["insert", "update"], str]:
    """(operation, _key): update by _key when it exists, insert otherwise (blocking)."""
    data = kv_path(app, "data", collection)
    key = document.get("_key")
    if key is not None:
        try:
            answer = client.post_body(entity_path(data, str(key)), document)
            return "update", str((answer or {}).get("_key", key))
        except SplunkNotFound:
            client.get_json(data, limit=1)  # a missing collection stays a not-found error
    answer = client.post_body(data, document)
    return "insert", str((answer or {}).get("_key", key or ""))


@tool(title="Insert or update KV store documents", tags={"write"}, annotations=OVERWRITE)
async def kvstore_upsert(
    collection: CollectionName,
    documents: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            max_length=BATCH_DOCUMENTS_MAX,
            description="JSON objects. With `_key`, the stored document of that key is replaced; without, a new one is added.",
        ),
    ],
    app: AppName = "search",
    splunk: SplunkCall = Depends(splunk_call),
) -> KVWritten:
    """Insert KV store documents, or replace those whose `_key` exists (whole documents, not fields).

    One document is an insert or an update; several go in one batch_save (max 1000 documents
    and 1 MB a call). Returns the `_key` of each document written.
    """
    require_write(splunk, "kvstore_upsert")
    size = len(json.dumps(documents, default=str))
    if size > BATCH_BYTES_MAX:
        raise ToolError(f"The documents are {size} bytes; the cap is {BATCH_BYTES_MAX}. Send fewer per call.")
    for document in documents:
        given = document.get("_key")
        if given is not None and (not isinstance(given, str) or not given or len(given) > 200):
            raise ToolError("`_key` must be a non-empty string (max 200 characters).")
    if len(documents) == 1:
        operation, key = await splunk.run(_upsert_one, splunk.client, app, collection, documents[0])
        return KVWritten(collection=collection, app=app, operation=operation, keys=[key])
    keys = await splunk.run(
        splunk.client.post_body, kv_path(app, "data", collection, "batch_save"), documents
    )
    return KVWritten(
        collection=collection, app=app, operation="batch_save", keys=[str(k) for k in keys or []]
    )


class KVDeleted(BaseModel):
    collection: str
    app: str
    deleted: int | None = Field(
        description="Documents that matched just before the delete; null when more than 10000."
    )
    note: str | None = None


def matches_everything(query: dict[str, Any]) -> bool:
    """True for filters that select every document: {}, {"$and": []}, {"$or": [{}, …]} and the like."""
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            if not all(isinstance(q, dict) and matches_everything(q) for q in value):
                return False
        elif key == "$or" and isinstance(value, list):
            if not any(isinstance(q, dict) and matches_everything(q) for q in value):
                return False
        else:
            return False
    return True


@tool(title="Delete KV store documents", tags={"write"}, annotations=DESTRUCTIVE)
async def kvstore_delete(
    collection: CollectionName,
    key: KVKey | None = None,
    query: MongoQuery = None,
    app: AppName = "search",
    splunk: SplunkCall = Depends(splunk_call),
) -> KVDeleted:
    """Delete one KV store document by `key`, or the documents a non-empty `query` matches.

    Give exactly one of them. An empty query (which would empty the collection) is refused.
    Check what a query selects with query_kvstore first. It cannot be undone.
    """
    require_write(splunk, "kvstore_delete")
    data = kv_path(app, "data", collection)
    if key is not None and query is not None:
        raise ToolError("Pass either `key` or `query`, not both.")
    if key is not None:
        await splunk.run(splunk.client.delete, entity_path(data, key))
        return KVDeleted(collection=collection, app=app, deleted=1)
    filter_ = parse_query(query)
    if matches_everything(filter_):
        raise ToolError(
            "Refused: an empty query selects every document, so this would empty the whole collection. "
            'Pass a `key`, or a `query` that names the documents to delete, e.g. {"owner": "old-team"}.'
        )
    found = await splunk.run(
        splunk.client.get_json, data, query=json.dumps(filter_), fields="_key", limit=DELETE_COUNT_MAX + 1
    )
    matched = len(found) if isinstance(found, list) else 0
    if matched == 0:
        return KVDeleted(
            collection=collection, app=app, deleted=0, note="No document matched; nothing was deleted."
        )
    await splunk.run(splunk.client.delete, data, query=json.dumps(filter_))
    return KVDeleted(collection=collection, app=app, deleted=matched if matched <= DELETE_COUNT_MAX else None)


TOOLS = (
    create_saved_search,
    update_saved_search,
    delete_saved_search,
    create_kvstore_collection,
    kvstore_upsert,
    kvstore_delete,
)
