"""Discovery tools, resources and prompts through the MCP client, checked against the sandbox's data."""

from __future__ import annotations

import json
from collections import Counter

from sandbox import Sandbox
from tests.support import ServerProcess, call_tool, mcp_client


async def test_list_indexes_matches_the_sandbox_store_and_pages(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        everything = (await client.call_tool("list_indexes", {"count": 1000})).structured_content
        first = (await client.call_tool("list_indexes", {"count": 2})).structured_content
        second = (await client.call_tool("list_indexes", {"count": 2, "offset": 2})).structured_content
        metrics = (await client.call_tool("list_indexes", {"datatype": "metric"})).structured_content
    by_name = {index["name"]: index for index in everything["indexes"]}
    for name, info in sandbox.store.indexes.items():
        assert by_name[name]["total_event_count"] == info.event_count
        assert by_name[name]["datatype"] == info.datatype
    assert first["page"]["has_more"] and first["page"]["next_offset"] == 2
    names = [i["name"] for i in first["indexes"] + second["indexes"]]
    assert len(set(names)) == 4 and set(names) <= set(by_name)
    assert [i["name"] for i in metrics["indexes"]] == ["os_metrics"]


async def test_the_analyst_does_not_see_indexes_its_role_cannot_read(
    mcp_server: ServerProcess, analyst_token: str
) -> None:
    async with mcp_client(mcp_server, analyst_token) as client:
        listed = (await client.call_tool("list_indexes", {})).structured_content
        hidden = await client.call_tool("get_index", {"name": "security"}, raise_on_error=False)
    assert "security" not in {i["name"] for i in listed["indexes"]}
    assert hidden.is_error and "Not found" in hidden.content[0].text


async def test_get_index_gives_size_cap_and_retention(mcp_server: ServerProcess, admin_token: str) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        web = (await client.call_tool("get_index", {"name": "web"})).structured_content
    assert web["name"] == "web" and web["total_event_count"] > 0
    assert web["retention_seconds"] and web["max_size_mb"]


async def test_list_sourcetypes_and_hosts_count_what_the_store_holds(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    events = sandbox.store.window(["web"], None, None)
    async with mcp_client(mcp_server, admin_token) as client:
        sourcetypes = (
            await client.call_tool("list_sourcetypes", {"index": "web", "earliest_time": "0"})
        ).structured_content
        hosts = (
            await client.call_tool("list_hosts", {"index": "web", "earliest_time": "0"})
        ).structured_content
        sources = (
            await client.call_tool("list_sources", {"index": "web", "earliest_time": "0", "count": 1})
        ).structured_content
    assert {i["value"]: i["total_count"] for i in sourcetypes["items"]} == dict(
        Counter(e.sourcetype for e in events)
    )
    assert {i["value"]: i["total_count"] for i in hosts["items"]} == dict(Counter(e.host for e in events))
    counts = [i["total_count"] for i in hosts["items"]]
    assert counts == sorted(counts, reverse=True)
    assert len(sources["items"]) == 1


async def test_field_summary_teaches_real_fields_and_values(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        summary = (
            await client.call_tool(
                "get_field_summary", {"index": "web", "earliest_time": "-7d", "sample": 500}
            )
        ).structured_content
    fields = {f["field"]: f for f in summary["fields"]}
    assert {"status", "host", "method"} <= set(fields)
    assert summary["sampled_events"] == 500
    assert {v["value"] for v in fields["host"]["top_values"]} <= {"web-01", "web-02", "web-03", "web-04"}
    assert fields["status"]["is_numeric"] is True


def test_discovery_arguments_cannot_inject_spl(mcp_server: ServerProcess, admin_token: str) -> None:
    result = call_tool(mcp_server.mcp_url, admin_token, "list_sourcetypes", {"index": "web | delete"})
    assert result["isError"] is True
    assert "pattern" in result["content"][0]["text"] or "match" in result["content"][0]["text"]


async def test_resources_read_through_the_callers_token(mcp_server: ServerProcess, admin_token: str) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        info = json.loads((await client.read_resource("splunk://server/info"))[0].text)
        indexes = json.loads((await client.read_resource("splunk://indexes"))[0].text)
        saved = json.loads(
            (await client.read_resource("splunk://saved-searches/Web traffic by status"))[0].text
        )
        dashboard = (await client.read_resource("splunk://dashboards/web_overview"))[0].text
    assert info["user"]["username"] == "admin" and info["server"]["version"] == "9.3.2"
    assert "web" in {i["name"] for i in indexes}
    assert saved["content"]["search"] == "search index=web | stats count by status"
    assert "<dashboard" in dashboard or "<form" in dashboard


async def test_prompts_plan_investigations_with_the_tools(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        names = {p.name for p in await client.list_prompts()}
        triage = await client.get_prompt("triage_failed_logins", {"window": "-12h"})
    assert names == {"investigate_errors", "triage_failed_logins", "write_spl"}
    text = triage.messages[0].content.text
    assert "earliest_time=-12h" in text and "action=failure" in text
