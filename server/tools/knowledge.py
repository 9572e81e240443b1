"""Knowledge toolset: saved searches, macros, eventtypes, data models, lookups, dashboards, configs.

Everything here reads; the one tool that runs SPL (run_saved_search, read_lookup) passes the SPL
policy first, with saved searches and macros expanded through the caller's own Splunk.
"""

from __future__ import annotations

import html
import json
import re
import time
from typing import Annotated, Any, Literal

from fastmcp.dependencies import Depends
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from pydantic import BaseModel, Field
from splunklib.binding import UrlEncoded

from server.deps import SplunkCall, splunk_call
from server.guard import enforce_spl
from server.pages import Count, Offset, PageInfo, cap_value, page_info, shape_rows
from server.splunk.client import EntityPage, entity_path
from server.splunk.values import as_int, as_list, text, truthy
from server.timewindow import TimeWindowError, check_window
from server.tools.search import SearchResult, first_page
from server.toolsets import READ_ONLY

# --- argument types ------------------------------------------------------------------------------

ObjectName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The object's name exactly as Splunk lists it (spaces and punctuation allowed).",
    ),
]
Filter = Annotated[
    str | None,
    Field(
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="Splunk's `search=` filter: a substring, or key=value with * wildcards (e.g. name=web*).",
    ),
]
LookupName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
        description="A lookup file (http_status.csv) or lookup definition (assets) name.",
    ),
]
ConfFile = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+(\.conf)?$",
        description="A .conf file name without the extension, e.g. props, transforms, macros, limits.",
    ),
]

# --- shared helpers (alerts.py uses them too) ----------------------------------------------------

MASK = "********"
SECRET_KEY = re.compile(
    r"password|passwd|pass4symmkey|passphrase|secret|token|credential|private[_-]?key|api[_-]?key"
    r"|access[_-]?key|sslkey|(^|[._])key$",
    re.IGNORECASE,
)
# Whole files that exist to hold credentials: refused rather than masked key by key.
SECRET_CONF_FILES = {
    "passwords": "stored credentials",
    "authentication": "LDAP bind passwords and SAML/auth secrets",
    "server": "pass4SymmKey and TLS key passwords",
    "outputs": "forwarding tokens and TLS key passwords",
    "inputs": "HEC tokens and TLS key passwords",
}


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key))


def masked(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings with every secret-looking value replaced by MASK (empty values stay empty)."""
    return {k: (MASK if is_secret_key(k) and v not in (None, "") else v) for k, v in settings.items()}


class Acl(BaseModel):
    app: str | None = None
    owner: str | None = None
    sharing: str | None = None
    read: list[str] = Field(default_factory=list, description="Roles that may read it (* = everyone).")
    write: list[str] = Field(default_factory=list, description="Roles that may change it.")


def acl_of(entry: dict[str, Any]) -> Acl:
    acl = entry.get("acl") or {}
    perms = acl.get("perms") or {}
    return Acl(
        app=acl.get("app"),
        owner=acl.get("owner"),
        sharing=acl.get("sharing"),
        read=as_list(perms.get("read")),
        write=as_list(perms.get("write")),
    )


def link(entry: dict[str, Any], rel: str, fallback: str) -> str:
    """The entity's own link (splunkd names the right namespace for it), else the fallback path."""
    href = (entry.get("links") or {}).get(rel)
    if (
        isinstance(href, str)
        and href.startswith(("/services/", "/servicesNS/"))
        and href.endswith(f"/{rel}")
        and "/../" not in href
    ):
        return UrlEncoded(href, skip_encode=True)
    return fallback


async def list_page(
    splunk: SplunkCall, path: str, *, count: int, offset: int, search: str | None = None
) -> EntityPage:
    params = {"search": search} if search else {}
    return await splunk.run(splunk.client.list_entities, path, count=count, offset=offset, **params)


async def get_one(splunk: SplunkCall, collection: str, name: str, kind: str, hint: str) -> dict[str, Any]:
    page = await splunk.run(splunk.client.list_entities, entity_path(collection, name), count=1)
    if not page.entries:
        raise ToolError(f"No {kind} named {name!r} is visible to this user. {hint}")
    return page.entries[0]


# --- saved searches -------------------------------------------------------------------------------


class SavedSearchSummary(BaseModel):
    name: str
    search: str = Field(description="The SPL (long SPL is cut, marked '…[truncated N chars]').")
    description: str | None = None
    is_scheduled: bool
    cron_schedule: str | None = None
    alert_type: str | None = Field(description="always (a report) or the alert condition type.")
    disabled: bool
    app: str | None = None
    owner: str | None = None


class SavedSearchList(BaseModel):
    saved_searches: list[SavedSearchSummary]
    page: PageInfo


def saved_search_summary(entry: dict[str, Any], field_chars: int) -> SavedSearchSummary:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    search, _ = cap_value(str(content.get("search", "")), field_chars)
    return SavedSearchSummary(
        name=str(entry.get("name", "")),
        search=search,
        description=text(content.get("description")),
        is_scheduled=truthy(content.get("is_scheduled")),
        cron_schedule=text(content.get("cron_schedule")),
        alert_type=text(content.get("alert_type")),
        disabled=truthy(content.get("disabled")),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


@tool(title="List saved searches", tags={"knowledge"}, annotations=READ_ONLY)
async def list_saved_searches(
    search: Filter = None,
    count: Count = 50,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> SavedSearchList:
    """Saved searches (reports and alerts) this user can see: name, SPL, schedule, alert type, app, owner.

    Paged: `count` (default 50) from `offset`; follow `page.next_offset`. `search` filters on
    Splunk's side (e.g. `web`, `name=Failed*`). Then get_saved_search for one in full, or
    run_saved_search to run it. For alerts only, list_alerts is shorter.
    """
    page = await list_page(splunk, "saved/searches", count=count, offset=offset, search=search)
    field_chars = splunk.runtime.settings.field_chars_max
    items = [saved_search_summary(entry, field_chars) for entry in page.entries]
    return SavedSearchList(
        saved_searches=items, page=page_info(total=page.total, offset=offset, returned=len(items))
    )


class AlertSettings(BaseModel):
    alert_type: str | None = Field(description="always, number of events, number of results, custom…")
    comparator: str | None = None
    threshold: str | None = None
    condition: str | None = None
    severity: int | None = Field(
        default=None, description="1 debug, 2 info, 3 warn, 4 error, 5 severe, 6 fatal."
    )
    digest_mode: bool | None = None
    suppress: bool | None = None
    suppress_period: str | None = None
    track: bool | None = None
    expires: str | None = None


class AlertAction(BaseModel):
    name: str = Field(description="email, webhook, script, or a custom alert action.")
    params: dict[str, Any] = Field(description="The action's settings; secret-looking values are masked.")


class SavedSearchDetail(BaseModel):
    name: str
    search: str
    description: str | None = None
    disabled: bool
    is_scheduled: bool
    cron_schedule: str | None = None
    next_scheduled_time: str | None = None
    earliest_time: str | None = Field(description="dispatch.earliest_time: the default window start.")
    latest_time: str | None = Field(description="dispatch.latest_time.")
    dispatch: dict[str, Any] = Field(description="Every other dispatch.* setting.")
    alert: AlertSettings
    actions: list[AlertAction]
    triggered_alert_count: int | None = None
    acl: Acl


def alert_settings(content: dict[str, Any]) -> AlertSettings:
    severity = content.get("alert.severity")
    return AlertSettings(
        alert_type=text(content.get("alert_type")),
        comparator=text(content.get("alert_comparator")),
        threshold=text(content.get("alert_threshold")),
        condition=text(content.get("alert_condition")),
        severity=as_int(severity) if severity not in (None, "") else None,
        digest_mode=truthy(content["alert.digest_mode"]) if "alert.digest_mode" in content else None,
        suppress=truthy(content["alert.suppress"]) if "alert.suppress" in content else None,
        suppress_period=text(content.get("alert.suppress.period")),
        track=truthy(content["alert.track"]) if "alert.track" in content else None,
        expires=text(content.get("alert.expires")),
    )


def alert_actions(content: dict[str, Any]) -> list[AlertAction]:
    """The enabled actions (`actions=email,webhook`), each with its `action.<name>.*` settings."""
    actions = []
    for name in as_list(content.get("actions")):
        prefix = f"action.{name}."
        params = {k[len(prefix) :]: v for k, v in content.items() if k.startswith(prefix)}
        actions.append(AlertAction(name=name, params=masked(params)))
    return actions


@tool(title="Saved search details", tags={"knowledge"}, annotations=READ_ONLY)
async def get_saved_search(name: ObjectName, splunk: SplunkCall = Depends(splunk_call)) -> SavedSearchDetail:
    """One saved search in full: SPL, dispatch window, schedule, alert condition, actions and ACL.

    Secret-looking action settings (passwords, tokens) are masked. Find names with list_saved_searches.
    """
    entry = await get_one(
        splunk, "saved/searches", name, "saved search", "Find names with list_saved_searches."
    )
    content = entry.get("content", {})
    dispatch = {
        k[len("dispatch.") :]: v
        for k, v in content.items()
        if k.startswith("dispatch.") and k not in ("dispatch.earliest_time", "dispatch.latest_time")
    }
    return SavedSearchDetail(
        name=str(entry.get("name", name)),
        search=str(content.get("search", "")),
        description=text(content.get("description")),
        disabled=truthy(content.get("disabled")),
        is_scheduled=truthy(content.get("is_scheduled")),
        cron_schedule=text(content.get("cron_schedule")),
        next_scheduled_time=text(content.get("next_scheduled_time")),
        earliest_time=text(content.get("dispatch.earliest_time")),
        latest_time=text(content.get("dispatch.latest_time")),
        dispatch=masked(dispatch),
        alert=alert_settings(content),
        actions=alert_actions(content),
        triggered_alert_count=as_int(content["triggered_alert_count"])
        if "triggered_alert_count" in content
        else None,
        acl=acl_of(entry),
    )


def spl_string(value: str) -> str:
    """`value` as a double-quoted SPL string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


TimeOverride = Annotated[
    str | None,
    Field(max_length=64, description="Override the saved search's window: -24h, -7d@d, epoch or ISO 8601."),
]


@tool(title="Run a saved search", tags={"knowledge"}, annotations=READ_ONLY)
async def run_saved_search(
    name: ObjectName,
    earliest_time: TimeOverride = None,
    latest_time: TimeOverride = None,
    count: Annotated[
        int | None, Field(ge=1, le=10_000, description="Rows per page (server default 100, cap applies).")
    ] = None,
    wait_seconds: Annotated[
        float | None, Field(ge=0, le=300, description="How long to wait for the job (server cap applies).")
    ] = None,
    splunk: SplunkCall = Depends(splunk_call),
) -> SearchResult:
    """Run a saved search (report or alert) by name and return the first page of its rows.

    Its SPL, with the macros and saved searches inside it, passes the same policy as run_search
    first: a saved search that deletes or writes (delete, outputlookup, collect…) is refused and
    nothing is dispatched. Alert actions (email, webhook…) are NOT triggered unless the server
    operator enabled SPLUNK_MCP_ALLOW_ALERT_ACTIONS. The saved search's own time window applies
    unless earliest_time/latest_time override it. Waits like run_search; a longer job comes back
    as a sid to poll with get_search_job and page with get_search_results.
    """
    settings = splunk.runtime.settings
    entry = await get_one(
        splunk, "saved/searches", name, "saved search", "Find names with list_saved_searches."
    )
    await enforce_spl(splunk, f"| savedsearch {spl_string(name)}")
    content = entry.get("content", {})
    earliest = earliest_time or text(content.get("dispatch.earliest_time"))
    latest = latest_time or text(content.get("dispatch.latest_time"))
    try:
        check_window(
            str(content.get("search", "")),
            earliest or "0",  # a saved search without a window searches all time
            latest or "now",
            settings.max_search_window_seconds,
            time.time(),
        )
    except TimeWindowError as exc:
        raise ToolError(f"{exc} (Saved search {name!r}: pass earliest_time/latest_time.)") from None
    params: dict[str, Any] = {
        "trigger_actions": "1" if settings.allow_alert_actions else "0",
        "dispatch.ttl": str(settings.search_job_ttl_seconds),
    }
    if earliest_time:
        params["dispatch.earliest_time"] = earliest_time
    if latest_time:
        params["dispatch.latest_time"] = latest_time
    path = link(entry, "dispatch", entity_path("saved/searches", name, "dispatch"))
    document = await splunk.run(splunk.client.post_json, path, **params) or {}
    sid = str(document.get("sid", "")) if isinstance(document, dict) else ""
    if not sid:
        raise ToolError(f"Splunk dispatched no job for saved search {name!r}. Retry later.")
    return await first_page(
        splunk,
        sid,
        wait_seconds=wait_seconds,
        count=count,
        earliest=earliest,
        latest=latest,
        failure=f"Saved search {name!r} failed in Splunk",
        fix="Check its SPL with get_saved_search.",
    )


class SavedSearchRun(BaseModel):
    sid: str = Field(description="Job id: page its rows with get_search_results while the job lives.")
    dispatched_at: str | None = Field(description="When the job was dispatched (ISO 8601).")
    state: str = Field(description="DONE, RUNNING or FAILED (as far as the history says).")
    is_done: bool
    is_scheduled: bool = Field(description="True when the scheduler ran it, false for ad-hoc runs.")
    ttl_seconds: int | None = None


class SavedSearchHistory(BaseModel):
    name: str
    runs: list[SavedSearchRun]
    page: PageInfo


@tool(title="Saved search history", tags={"knowledge"}, annotations=READ_ONLY)
async def get_saved_search_history(
    name: ObjectName,
    count: Count = 20,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> SavedSearchHistory:
    """Past jobs of a saved search that Splunk still keeps: sid, dispatch time, state.

    Read a finished run's rows with get_search_results(sid) instead of running it again.
    Only jobs within their TTL are listed. Paged (`count` default 20).
    """
    path = entity_path("saved/searches", name, "history")
    page = await splunk.run(splunk.client.list_entities, path, count=count, offset=offset)
    runs = []
    for entry in page.entries:
        content = entry.get("content", {})
        done = truthy(content.get("isDone"))
        failed = truthy(content.get("isFailed"))
        state = str(content.get("dispatchState") or ("FAILED" if failed else "DONE" if done else "RUNNING"))
        runs.append(
            SavedSearchRun(
                sid=str(entry.get("name", "")),
                dispatched_at=entry.get("published"),
                state=state,
                is_done=done,
                is_scheduled=truthy(content.get("isScheduled")),
                ttl_seconds=as_int(content["ttl"]) if "ttl" in content else None,
            )
        )
    return SavedSearchHistory(
        name=name, runs=runs, page=page_info(total=page.total, offset=offset, returned=len(runs))
    )


# --- macros and eventtypes --------------------------------------------------------------------------


class Macro(BaseModel):
    name: str = Field(description="Stanza name; a macro with N arguments is named `name(N)`.")
    definition: str
    args: list[str] = Field(description="Argument names, in order.")
    iseval: bool = Field(description="True when the definition is an eval expression.")
    description: str | None = None
    validation: str | None = None
    errormsg: str | None = None
    disabled: bool
    app: str | None = None
    owner: str | None = None


class MacroList(BaseModel):
    macros: list[Macro]
    page: PageInfo


def macro_of(entry: dict[str, Any], field_chars: int | None = None) -> Macro:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    definition = str(content.get("definition", ""))
    if field_chars is not None:
        definition, _ = cap_value(definition, field_chars)
    return Macro(
        name=str(entry.get("name", "")),
        definition=definition,
        args=as_list(content.get("args")),
        iseval=truthy(content.get("iseval")),
        description=text(content.get("description")),
        validation=text(content.get("validation")),
        errormsg=text(content.get("errormsg")),
        disabled=truthy(content.get("disabled")),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


@tool(title="List macros", tags={"knowledge"}, annotations=READ_ONLY)
async def list_macros(
    search: Filter = None,
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> MacroList:
    """Search macros (macros.conf): name, definition, arguments, iseval, description.

    Use a macro in SPL as `` `name` `` or `` `name(arg)` ``. Paged (`count` default 100); `search`
    filters on Splunk's side. Long definitions are cut here; get_macro gives one in full.
    """
    page = await list_page(splunk, "configs/conf-macros", count=count, offset=offset, search=search)
    field_chars = splunk.runtime.settings.field_chars_max
    macros = [macro_of(entry, field_chars) for entry in page.entries]
    return MacroList(macros=macros, page=page_info(total=page.total, offset=offset, returned=len(macros)))


@tool(title="Macro details", tags={"knowledge"}, annotations=READ_ONLY)
async def get_macro(
    name: Annotated[
        ObjectName, Field(description="Macro stanza name; with arguments: name(N), e.g. by_host(1).")
    ],
    splunk: SplunkCall = Depends(splunk_call),
) -> Macro:
    """One search macro in full: definition, argument names, iseval, validation. Names from list_macros."""
    entry = await get_one(splunk, "configs/conf-macros", name, "macro", "Find names with list_macros.")
    return macro_of(entry)


class EventType(BaseModel):
    name: str
    search: str = Field(description="The search that defines it; use it in SPL as eventtype=<name>.")
    description: str | None = None
    tags: list[str]
    priority: int | None = None
    disabled: bool
    app: str | None = None


class EventTypeList(BaseModel):
    eventtypes: list[EventType]
    page: PageInfo


@tool(title="List eventtypes", tags={"knowledge"}, annotations=READ_ONLY)
async def list_eventtypes(
    search: Filter = None,
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> EventTypeList:
    """Eventtypes: named searches with tags; search them as `eventtype=<name>` or `tag=<tag>`.

    Paged (`count` default 100); `search` filters on Splunk's side.
    """
    page = await list_page(splunk, "saved/eventtypes", count=count, offset=offset, search=search)
    items = []
    for entry in page.entries:
        content = entry.get("content", {})
        items.append(
            EventType(
                name=str(entry.get("name", "")),
                search=str(content.get("search", "")),
                description=text(content.get("description")),
                tags=as_list(content.get("tags")),
                priority=as_int(content["priority"]) if text(content.get("priority")) else None,
                disabled=truthy(content.get("disabled")),
                app=(entry.get("acl") or {}).get("app"),
            )
        )
    return EventTypeList(
        eventtypes=items, page=page_info(total=page.total, offset=offset, returned=len(items))
    )


# --- data models ------------------------------------------------------------------------------------


class DataModelSummary(BaseModel):
    name: str
    display_name: str | None = None
    description: str | None = None
    objects: list[str] = Field(description="Dataset (object) names; query them with `| datamodel` or tstats.")
    accelerated: bool
    app: str | None = None
    owner: str | None = None


class DataModelList(BaseModel):
    data_models: list[DataModelSummary]
    page: PageInfo


def _json_object(raw: object) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(str(raw or ""))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def data_model_summary(entry: dict[str, Any], model: dict[str, Any]) -> DataModelSummary:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    objects = [str(o.get("objectName", "")) for o in model.get("objects", []) if isinstance(o, dict)]
    return DataModelSummary(
        name=str(entry.get("name", "")),
        display_name=text(content.get("displayName")) or text(model.get("displayName")),
        description=text(model.get("description")) or text(content.get("dataset.description")),
        objects=objects or [str(n) for n in model.get("objectNameList", [])],
        accelerated=truthy(_json_object(content.get("acceleration")).get("enabled")),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


@tool(title="List data models", tags={"knowledge"}, annotations=READ_ONLY)
async def list_data_models(
    count: Count = 50,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> DataModelList:
    """Data models with their datasets (objects) and whether they are accelerated.

    Accelerated models answer fast through `| tstats ... from datamodel=<name>`. get_data_model
    lists a model's fields and constraints. Paged (`count` default 50).
    """
    page = await list_page(splunk, "datamodel/model", count=count, offset=offset)
    models = [
        data_model_summary(entry, _json_object(entry.get("content", {}).get("description")))
        for entry in page.entries
    ]
    return DataModelList(
        data_models=models, page=page_info(total=page.total, offset=offset, returned=len(models))
    )


class DataModelField(BaseModel):
    name: str
    type: str | None = None
    required: bool = False
    multivalue: bool = False
    hidden: bool = False
    calculated: bool = Field(default=False, description="Produced by an eval/lookup/regex calculation.")


class DataModelObject(BaseModel):
    name: str
    parent: str | None = Field(description="BaseEvent, BaseSearch, BaseTransaction or another object.")
    constraints: list[str] = Field(description="Searches that select this object's events.")
    fields: list[DataModelField]


class DataModelDetail(DataModelSummary):
    acceleration: dict[str, Any] = Field(description="enabled, earliest_time, cron_schedule…")
    dataset_objects: list[DataModelObject]


def _model_field(raw: dict[str, Any], calculated: bool = False) -> DataModelField:
    return DataModelField(
        name=str(raw.get("fieldName", "")),
        type=text(raw.get("type")),
        required=truthy(raw.get("required")),
        multivalue=truthy(raw.get("multivalue")),
        hidden=truthy(raw.get("hidden")),
        calculated=calculated,
    )


def _model_object(raw: dict[str, Any]) -> DataModelObject:
    fields = [_model_field(f) for f in raw.get("fields", []) if isinstance(f, dict)]
    for calculation in raw.get("calculations", []):
        if isinstance(calculation, dict):
            fields += [
                _model_field(f, True) for f in calculation.get("outputFields", []) if isinstance(f, dict)
            ]
    return DataModelObject(
        name=str(raw.get("objectName", "")),
        parent=text(raw.get("parentName")),
        constraints=[str(c.get("search", "")) for c in raw.get("constraints", []) if isinstance(c, dict)],
        fields=fields,
    )


@tool(title="Data model details", tags={"knowledge"}, annotations=READ_ONLY)
async def get_data_model(name: ObjectName, splunk: SplunkCall = Depends(splunk_call)) -> DataModelDetail:
    """One data model: each dataset's parent, constraint searches and fields (with types).

    Use the field names in `| tstats count from datamodel=<name> by <object>.<field>`.
    """
    entry = await get_one(splunk, "datamodel/model", name, "data model", "Find names with list_data_models.")
    content = entry.get("content", {})
    model = _json_object(content.get("description"))
    summary = data_model_summary(entry, model)
    return DataModelDetail(
        **summary.model_dump(),
        acceleration=_json_object(content.get("acceleration")),
        dataset_objects=[_model_object(o) for o in model.get("objects", []) if isinstance(o, dict)],
    )


# --- lookups ------------------------------------------------------------------------------------------

LOOKUP_DEFINITIONS = "data/transforms/lookups"
LOOKUP_FILES = "data/lookup-table-files"


class Lookup(BaseModel):
    name: str
    kind: Literal["definition", "file"] = Field(
        description="definition: a transforms.conf lookup (file, KV store, external); file: a CSV file."
    )
    type: str | None = Field(description="file, kvstore, external or geo (definitions only).")
    filename: str | None = Field(default=None, description="The CSV file a file-based definition reads.")
    collection: str | None = Field(
        default=None, description="The KV store collection a kvstore definition reads."
    )
    fields: list[str] = Field(default_factory=list)
    app: str | None = None
    owner: str | None = None


class LookupList(BaseModel):
    lookups: list[Lookup]
    page: PageInfo


def _lookup_definition(entry: dict[str, Any]) -> Lookup:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    kind = text(content.get("external_type")) if content.get("type") == "external" else None
    return Lookup(
        name=str(entry.get("name", "")),
        kind="definition",
        type=kind or text(content.get("type")),
        filename=text(content.get("filename")),
        collection=text(content.get("collection")),
        fields=as_list(content.get("fields_list")),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


def _lookup_file(entry: dict[str, Any]) -> Lookup:
    acl = entry.get("acl") or {}
    return Lookup(
        name=str(entry.get("name", "")), kind="file", type="file", app=acl.get("app"), owner=acl.get("owner")
    )


@tool(title="List lookups", tags={"knowledge"}, annotations=READ_ONLY)
async def list_lookups(
    search: Filter = None,
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> LookupList:
    """Lookups: definitions (transforms.conf: CSV, KV store, external) first, then CSV files.

    `kind` says which. Read rows with read_lookup(name). Paged (`count` default 100) across both
    lists; `search` filters both on Splunk's side.
    """
    definitions = await list_page(splunk, LOOKUP_DEFINITIONS, count=count, offset=offset, search=search)
    lookups = [_lookup_definition(entry) for entry in definitions.entries[:count]]
    remaining = count - len(lookups)
    # count=0 means "all" to splunkd, so ask for at least one file even when only the total is needed.
    files = await list_page(
        splunk,
        LOOKUP_FILES,
        count=max(remaining, 1),
        offset=max(0, offset - definitions.total),
        search=search,
    )
    if remaining > 0:
        lookups += [_lookup_file(entry) for entry in files.entries[:remaining]]
    total = definitions.total + files.total
    return LookupList(lookups=lookups, page=page_info(total=total, offset=offset, returned=len(lookups)))


class LookupRows(BaseModel):
    name: str
    fields: list[str]
    rows: list[dict[str, Any]]
    page: PageInfo
    truncated: bool = Field(description="True when more rows exist or the byte cap stopped the page.")
    values_truncated: bool = Field(description="True when long values were cut ('…[truncated N chars]').")


@tool(title="Read a lookup", tags={"knowledge"}, annotations=READ_ONLY)
async def read_lookup(
    name: LookupName,
    count: Annotated[
        int | None, Field(ge=1, le=10_000, description="Rows per page (server default 100).")
    ] = None,
    offset: Annotated[int, Field(ge=0, le=10_000_000, description="Rows to skip; pass next_offset.")] = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> LookupRows:
    """Rows of a lookup (CSV file or definition, KV store ones included), read with inputlookup.

    Paged: `count` rows (server default 100, server cap applies) from `offset`; long values are
    cut and a page stops at the byte cap, both flagged. Names come from list_lookups.
    """
    settings = splunk.runtime.settings
    size = min(count or settings.row_limit_default, settings.row_limit_max)
    spl = await enforce_spl(splunk, f"| inputlookup {name}")
    result = await splunk.run(
        splunk.client.oneshot, spl, earliest=None, latest=None, count=size + 1, offset=offset
    )
    rows, values_cut, rows_cut = shape_rows(
        result.rows[:size], field_chars=settings.field_chars_max, byte_budget=settings.result_bytes_max
    )
    more = rows_cut or len(result.rows) > size
    page = page_info(total=None if more else offset + len(rows), offset=offset, returned=len(rows), more=more)
    return LookupRows(
        name=name,
        fields=result.fields or sorted({k for row in rows for k in row}),
        rows=rows,
        page=page,
        truncated=page.has_more,
        values_truncated=values_cut,
    )


# --- dashboards ------------------------------------------------------------------------------------


class DashboardSummary(BaseModel):
    name: str
    label: str | None = None
    description: str | None = None
    kind: Literal["classic", "studio", "view"] = Field(
        description="classic: Simple XML; studio: Dashboard Studio (JSON); view: not a dashboard."
    )
    app: str | None = None
    owner: str | None = None


class DashboardList(BaseModel):
    dashboards: list[DashboardSummary]
    page: PageInfo


class DashboardDetail(DashboardSummary):
    searches: list[str] = Field(description="The SPL of its panels and data sources.")
    definition: str = Field(description="The source: Simple XML, or the Studio JSON definition.")
    definition_truncated: bool = Field(description="True when `definition` was cut to max_chars.")
    acl: Acl


_STUDIO_DEFINITION = re.compile(r"<definition>\s*<!\[CDATA\[(.*?)\]\]>\s*</definition>", re.DOTALL)
_XML_QUERY = re.compile(r"<query>(.*?)</query>", re.DOTALL)


def dashboard_kind(entry: dict[str, Any]) -> Literal["classic", "studio", "view"]:
    content = entry.get("content", {})
    if "isDashboard" in content and not truthy(content.get("isDashboard")):
        return "view"
    source = str(content.get("eai:data", ""))
    return "studio" if str(content.get("version")) == "2" or _STUDIO_DEFINITION.search(source) else "classic"


def dashboard_summary(entry: dict[str, Any]) -> DashboardSummary:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    return DashboardSummary(
        name=str(entry.get("name", "")),
        label=text(content.get("label")),
        description=text(content.get("description")),
        kind=dashboard_kind(entry),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


def dashboard_searches(source: str, kind: str) -> tuple[str, list[str]]:
    """(definition, searches): Studio dashboards yield their JSON, classic ones their XML."""
    if kind == "studio":
        found = _STUDIO_DEFINITION.search(source)
        definition = found.group(1).strip() if found else source
        sources = _json_object(definition).get("dataSources", {})
        queries = [
            str(ds.get("options", {}).get("query", ""))
            for ds in (sources.values() if isinstance(sources, dict) else [])
            if isinstance(ds, dict) and isinstance(ds.get("options"), dict) and ds["options"].get("query")
        ]
        return definition, queries
    # Regex rather than an XML parser: no entity expansion on untrusted dashboard XML.
    return source, [html.unescape(q.strip()) for q in _XML_QUERY.findall(source) if q.strip()]


@tool(title="List dashboards", tags={"knowledge"}, annotations=READ_ONLY)
async def list_dashboards(
    search: Filter = None,
    count: Count = 50,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> DashboardList:
    """Dashboards and views (data/ui/views): name, label, classic or Studio, app, owner.

    Paged (`count` default 50); `search` filters on Splunk's side. get_dashboard gives one's
    searches and source.
    """
    page = await list_page(splunk, "data/ui/views", count=count, offset=offset, search=search)
    items = [dashboard_summary(entry) for entry in page.entries]
    return DashboardList(
        dashboards=items, page=page_info(total=page.total, offset=offset, returned=len(items))
    )


@tool(title="Dashboard details", tags={"knowledge"}, annotations=READ_ONLY)
async def get_dashboard(
    name: ObjectName,
    max_chars: Annotated[
        int, Field(ge=500, le=1_000_000, description="Cut the definition at this many characters.")
    ] = 20_000,
    splunk: SplunkCall = Depends(splunk_call),
) -> DashboardDetail:
    """One dashboard: the SPL of every panel, and its source (Simple XML or Studio JSON).

    The source is cut at `max_chars` (default 20000, and the server's result cap), flagged by
    `definition_truncated`; `searches` is always complete. Names from list_dashboards.
    """
    entry = await get_one(splunk, "data/ui/views", name, "dashboard", "Find names with list_dashboards.")
    summary = dashboard_summary(entry)
    source = str(entry.get("content", {}).get("eai:data", ""))
    definition, searches = dashboard_searches(source, summary.kind)
    # Half the byte cap: JSON escaping of quotes and newlines can nearly double the source's size.
    limit = min(max_chars, splunk.runtime.settings.result_bytes_max // 2)
    definition, cut = cap_value(definition, limit)
    return DashboardDetail(
        **summary.model_dump(),
        searches=searches,
        definition=definition,
        definition_truncated=cut,
        acl=acl_of(entry),
    )


# --- configuration files ------------------------------------------------------------------------------


class ConfStanzaSummary(BaseModel):
    name: str
    keys: list[str] = Field(description="The setting names in this stanza.")
    disabled: bool
    app: str | None = None
    owner: str | None = None


class ConfStanzaList(BaseModel):
    file: str
    stanzas: list[ConfStanzaSummary]
    page: PageInfo


class ConfStanza(BaseModel):
    file: str
    name: str
    settings: dict[str, Any] = Field(description=f"Key = value; secret-looking values read {MASK}.")
    masked_keys: list[str] = Field(description="Keys whose values were masked.")
    values_truncated: bool = Field(description="True when long values were cut ('…[truncated N chars]').")
    acl: Acl


def conf_file(file: str) -> str:
    name = file.removesuffix(".conf")
    reason = SECRET_CONF_FILES.get(name.lower())
    if reason is not None:
        raise ToolError(
            f"Reading {name}.conf is refused: it holds {reason}. This server never returns credential "
            "files; ask a Splunk admin for the specific non-secret setting you need."
        )
    return name


def _settings(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(content.items()) if not k.startswith("eai:")}


@tool(title="List .conf stanzas", tags={"knowledge"}, annotations=READ_ONLY)
async def list_config_stanzas(
    file: ConfFile,
    search: Filter = None,
    count: Count = 100,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> ConfStanzaList:
    """Stanzas of one .conf file (props, transforms, limits, macros…) with their setting names.

    Files that hold credentials (passwords, authentication, server, outputs, inputs) are refused.
    Paged (`count` default 100). get_config_stanza reads one stanza's values. For macros, saved
    searches and lookups, the dedicated tools are clearer.
    """
    name = conf_file(file)
    page = await list_page(splunk, f"configs/conf-{name}", count=count, offset=offset, search=search)
    stanzas = []
    for entry in page.entries:
        content = entry.get("content", {})
        acl = entry.get("acl") or {}
        stanzas.append(
            ConfStanzaSummary(
                name=str(entry.get("name", "")),
                keys=list(_settings(content)),
                disabled=truthy(content.get("disabled")),
                app=acl.get("app"),
                owner=acl.get("owner"),
            )
        )
    return ConfStanzaList(
        file=name, stanzas=stanzas, page=page_info(total=page.total, offset=offset, returned=len(stanzas))
    )


@tool(title="Read a .conf stanza", tags={"knowledge"}, annotations=READ_ONLY)
async def get_config_stanza(
    file: ConfFile,
    stanza: ObjectName,
    splunk: SplunkCall = Depends(splunk_call),
) -> ConfStanza:
    """One stanza of a .conf file with its settings, as Splunk merges them for this user.

    Values of keys that look secret (password, pass4SymmKey, token, secret, key material) read
    "********"; credential files (passwords, authentication, server, outputs, inputs) are
    refused. Long values are cut. Stanza names from list_config_stanzas.
    """
    name = conf_file(file)
    entry = await get_one(
        splunk,
        f"configs/conf-{name}",
        stanza,
        f"stanza in {name}.conf",
        "Find names with list_config_stanzas.",
    )
    field_chars = splunk.runtime.settings.field_chars_max
    raw = _settings(entry.get("content", {}))
    hidden = masked(raw)
    capped = {k: cap_value(v, field_chars) for k, v in hidden.items()}
    return ConfStanza(
        file=name,
        name=str(entry.get("name", stanza)),
        settings={k: value for k, (value, _) in capped.items()},
        masked_keys=[k for k in raw if hidden[k] == MASK and raw[k] not in (None, "")],
        values_truncated=any(cut for _, cut in capped.values()),
        acl=acl_of(entry),
    )


TOOLS = (
    list_saved_searches,
    get_saved_search,
    run_saved_search,
    get_saved_search_history,
    list_macros,
    get_macro,
    list_eventtypes,
    list_data_models,
    get_data_model,
    list_lookups,
    read_lookup,
    list_dashboards,
    get_dashboard,
    list_config_stanzas,
    get_config_stanza,
)
