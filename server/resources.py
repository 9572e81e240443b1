"""Resources a client may attach to a conversation: server info, the index list, a saved search, a dashboard.

They read through the same per-call Splunk dependency as the tools: the caller's token, nothing else.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastmcp.dependencies import Depends
from fastmcp.resources import resource
from pydantic import Field

from server.deps import SplunkCall, splunk_call
from server.pages import cap_value
from server.tools.discovery import index_summary

RESOURCE_BYTES_MAX = 256 * 1024
Name = Annotated[str, Field(min_length=1, max_length=256)]


def _json(document: object) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str)


@resource("splunk://server/info", title="Splunk server info", mime_type="application/json")
async def server_info(splunk: SplunkCall = Depends(splunk_call)) -> str:
    """Version, server name and the calling user's identity and roles."""
    info = await splunk.run(splunk.client.server_info)
    user = await splunk.run(splunk.client.current_user)
    keep = ("version", "build", "serverName", "product_type", "os_name", "cpu_arch", "numberOfCores")
    return _json(
        {
            "server": {k: info.get(k) for k in keep if k in info},
            "user": {k: user.get(k) for k in ("username", "realname", "roles", "defaultApp") if k in user},
        }
    )


@resource("splunk://indexes", title="Splunk indexes", mime_type="application/json")
async def indexes(splunk: SplunkCall = Depends(splunk_call)) -> str:
    """Every index the caller can see, with counts, size and time span."""
    page = await splunk.run(splunk.client.list_entities, "data/indexes", count=1000, datatype="all")
    return _json([index_summary(entry).model_dump() for entry in page.entries])


@resource("splunk://saved-searches/{name}", title="A saved search", mime_type="application/json")
async def saved_search(name: Name, splunk: SplunkCall = Depends(splunk_call)) -> str:
    """A saved search by name: its SPL, schedule and alert settings."""
    entry = await splunk.run(splunk.client.get_entity, "saved/searches", name)
    content = entry.get("content", {})
    keep = [k for k in content if not k.startswith(("eai:", "display.", "request.ui_"))]
    return _json(
        {"name": entry.get("name"), "acl": entry.get("acl", {}), "content": {k: content[k] for k in keep}}
    )


@resource("splunk://dashboards/{name}", title="A dashboard definition", mime_type="text/plain")
async def dashboard(name: Name, splunk: SplunkCall = Depends(splunk_call)) -> str:
    """A dashboard's definition (Simple XML or Dashboard Studio JSON), cut at 256 KiB with a marker."""
    entry = await splunk.run(splunk.client.get_entity, "data/ui/views", name)
    definition, _ = cap_value(str(entry.get("content", {}).get("eai:data", "")), RESOURCE_BYTES_MAX)
    return str(definition)


RESOURCES = (server_info, indexes, saved_search, dashboard)
