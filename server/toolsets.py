"""The one registry of toolsets: it drives registration, the server instructions and the README table.

A toolset is a module `server/tools/<id>.py` exposing `TOOLS`; the module name is the toolset id
and the tag on each of its tools.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastmcp.tools.function_tool import FunctionTool, ToolMeta
from mcp_types import ToolAnnotations

from server.settings import ServerSettings, SettingsError

# Annotation presets: every tool declares all four hints (readOnly, destructive, idempotent, openWorld).
# openWorld is False: a tool only touches the caller's own Splunk, never the open internet.
READ_ONLY = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": False}
WRITE_IDEMPOTENT = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": True,
    "openWorldHint": False,
}
DESTRUCTIVE = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True, "openWorldHint": False}
# Starting or cancelling a search job changes Splunk state (a job exists), but destroys no data.
SENDS_ALERTS = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": False,
    "openWorldHint": True,
}
ALERT_ACTION_TOOLS = frozenset({"run_saved_search"})
JOB_CONTROL = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": False,
    "openWorldHint": False,
}


@dataclass(frozen=True)
class Toolset:
    id: str
    title: str
    description: str
    write: bool = False

    def tools(self) -> tuple[Any, ...]:
        module = importlib.import_module(f"server.tools.{self.id}")
        return tuple(module.TOOLS)


TOOLSETS: tuple[Toolset, ...] = (
    Toolset("search", "Search", "Run SPL, page results of search jobs, validate SPL."),
    Toolset(
        "discovery", "Discovery", "Indexes, sourcetypes, hosts, sources and fields: learn the data first."
    ),
    Toolset("server", "Server", "Splunk version, health, apps, users, roles, messages."),
    Toolset(
        "knowledge",
        "Knowledge objects",
        "Saved searches, macros, eventtypes, data models, lookups, dashboards, configs.",
    ),
    Toolset("alerts", "Alerts", "Alerting saved searches and fired alerts."),
    Toolset("kvstore", "KV store", "KV store collections and queries."),
    Toolset("write", "Write", "Create, change and delete saved searches and KV store data.", write=True),
)
TOOLSETS_BY_ID = {toolset.id: toolset for toolset in TOOLSETS}


def tool_meta(fn: Any) -> ToolMeta:
    meta = getattr(fn, "__fastmcp__", None)
    if not isinstance(meta, ToolMeta):
        raise TypeError(f"{fn!r} is not decorated with fastmcp.tools.tool")
    return meta


def tool_name(fn: Any) -> str:
    return tool_meta(fn).name or fn.__name__


def enabled_toolsets(settings: ServerSettings) -> list[Toolset]:
    """The toolsets the operator enabled. `write` needs SPLUNK_MCP_ENABLE_WRITE_TOOLS as well."""
    unknown = sorted(set(settings.toolsets) - set(TOOLSETS_BY_ID))
    if unknown:
        raise SettingsError(
            f"SPLUNK_MCP_TOOLSETS / --toolsets: unknown toolset {unknown[0]!r}; "
            f"known: {', '.join(TOOLSETS_BY_ID)}"
        )
    chosen = [toolset for toolset in TOOLSETS if toolset.id in settings.toolsets and not toolset.write]
    chosen += [toolset for toolset in TOOLSETS if toolset.write and settings.enable_write_tools]
    return chosen


def register_tools(
    server: Any, toolsets: Iterable[Toolset], *, alert_actions_allowed: bool = False
) -> list[str]:
    names = []
    for toolset in toolsets:
        for fn in toolset.tools():
            meta = tool_meta(fn)
            if alert_actions_allowed and tool_name(fn) in ALERT_ACTION_TOOLS:
                # With alert actions allowed, running a saved search may send mail or call webhooks:
                # say so in the hints instead of claiming read-only.
                meta = dataclasses.replace(meta, annotations=ToolAnnotations.model_validate(SENDS_ALERTS))
            server.add_tool(FunctionTool.from_function(fn, metadata=meta))
            names.append(tool_name(fn))
    return names


def toolset_of(name: str) -> Toolset | None:
    """The registry's toolset for a tool name, whether or not this server enabled it."""
    for toolset in TOOLSETS:
        if any(tool_name(fn) == name for fn in toolset.tools()):
            return toolset
    return None


def instructions(toolsets: Sequence[Toolset]) -> str:
    lines = [
        "Tools for one Splunk deployment, with the Splunk permissions of the caller's token.",
        "Learn the data before searching: list_indexes, then list_sourcetypes / get_field_summary for an index.",
        "Always name an index and a time range in SPL; results are paged (count/offset) and say when they are cut.",
        "Only read-only SPL runs: commands that write or call out are refused by policy.",
        "Enabled toolsets:",
    ]
    lines += [f"- {toolset.id}: {toolset.description}" for toolset in toolsets]
    return "\n".join(lines)


def readme_table() -> str:
    """The README's tools table, generated from the registry (a test keeps the README in sync)."""
    rows = ["| tool | toolset | read-only | what it does |", "|---|---|---|---|"]
    for toolset in TOOLSETS:
        for fn in toolset.tools():
            meta = tool_meta(fn)
            hints = meta.annotations
            read_only = "yes" if hints is not None and hints.read_only_hint else "no"
            summary = (meta.description or fn.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
            rows.append(f"| `{tool_name(fn)}` | {toolset.id} | {read_only} | {summary} |")
    return "\n".join(rows)
