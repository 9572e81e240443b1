"""The tool registry as clients see it: annotations, per-token visibility, the README table, a snapshot.

Update the snapshot after a deliberate API change with `UPDATE_SNAPSHOTS=1 ./dev test tests/test_registry.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from server.toolsets import TOOLSETS, readme_table, tool_name
from tests.support import Minter, ServerProcess, rpc

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools_list.json"
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def listed_tools(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    response = rpc(server.mcp_url, token, "tools/list")
    assert response.status_code == 200, response.text
    return response.json()["result"]["tools"]


@pytest.fixture(scope="module")
def all_tools(write_server: ServerProcess, write_token: str) -> list[dict[str, Any]]:
    return listed_tools(write_server, write_token)


def test_every_registered_tool_is_listed_to_a_write_token_on_a_write_server(
    all_tools: list[dict[str, Any]],
) -> None:
    registered = {tool_name(fn) for toolset in TOOLSETS for fn in toolset.tools()}
    assert {tool["name"] for tool in all_tools} == registered
    assert all(toolset.tools() for toolset in TOOLSETS), "every toolset registers at least one tool"


def test_every_tool_declares_a_title_all_four_hints_and_no_contradiction(
    all_tools: list[dict[str, Any]],
) -> None:
    for tool in all_tools:
        name, hints = tool["name"], tool.get("annotations") or {}
        assert re.fullmatch(r"[a-z][a-z0-9_]{2,63}", name), name
        assert tool.get("title"), name
        assert all(isinstance(hints.get(h), bool) for h in HINTS), (name, hints)
        assert not (hints["readOnlyHint"] and hints["destructiveHint"]), name
        tags = set(tool.get("_meta", {}).get("fastmcp", {}).get("tags", []))
        if "write" in tags:
            assert hints["readOnlyHint"] is False, name
        if not hints["readOnlyHint"]:
            assert "write" in tags or name == "cancel_search_job", (
                f"{name} changes state outside the write toolset"
            )
        assert tool["description"].strip(), name
        assert tool.get("outputSchema"), f"{name} has no structured output"


def test_read_only_server_and_read_scoped_token_list_zero_write_tools(
    mcp_server: ServerProcess, write_server: ServerProcess, admin_token: str, write_token: str
) -> None:
    def write_tools(tools: list[dict[str, Any]]) -> list[str]:
        return [t["name"] for t in tools if "write" in t.get("_meta", {}).get("fastmcp", {}).get("tags", [])]

    assert write_tools(listed_tools(mcp_server, write_token)) == []
    assert write_tools(listed_tools(write_server, admin_token)) == []
    assert write_tools(listed_tools(write_server, write_token))


def test_a_read_scoped_token_cannot_call_a_write_tool_even_by_name(
    write_server: ServerProcess, admin_token: str
) -> None:
    response = rpc(
        write_server.mcp_url,
        admin_token,
        "tools/call",
        {"name": "delete_saved_search", "arguments": {"name": "Errors last hour"}},
    )
    result = response.json()["result"]
    assert result["isError"] is True
    assert "splunk:write" in result["content"][0]["text"]


def test_a_tools_claim_narrows_what_a_token_sees_and_calls(mcp_server: ServerProcess, mint: Minter) -> None:
    token = mint(tools=["get_splunk_info", "list_indexes"])
    assert {t["name"] for t in listed_tools(mcp_server, token)} == {"get_splunk_info", "list_indexes"}
    refused = rpc(
        mcp_server.mcp_url, token, "tools/call", {"name": "run_search", "arguments": {"query": "index=web"}}
    )
    assert refused.json()["result"]["isError"] is True
    assert "tools" in refused.json()["result"]["content"][0]["text"]


def test_toolsets_setting_limits_the_registered_tools(
    server_factory: Callable[..., ServerProcess], admin_token: str
) -> None:
    server = server_factory(SPLUNK_MCP_TOOLSETS="server")
    assert {t["name"] for t in listed_tools(server, admin_token)} == {
        tool_name(fn) for fn in TOOLSETS[2].tools()
    }


def test_readme_tables_are_generated_from_the_registry_and_settings() -> None:
    from server.docs import README, render

    current = README.read_text(encoding="utf-8")
    assert readme_table() in current
    assert render(current) == current, "run `python -m server.docs`"


def _snapshot_view(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")
    return sorted(({k: tool.get(k) for k in keep} for tool in tools), key=lambda t: t["name"])


def test_tools_list_matches_the_reviewed_snapshot(all_tools: list[dict[str, Any]]) -> None:
    current = _snapshot_view(all_tools)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert [t["name"] for t in current] == [t["name"] for t in expected]
    for now, then in zip(current, expected, strict=True):
        assert now == then, f"tools/list changed for {now['name']}: review, then UPDATE_SNAPSHOTS=1"


def test_calling_a_write_tool_on_a_server_without_write_tools_names_the_setting(
    mcp_server: ServerProcess, write_token: str
) -> None:
    response = rpc(
        mcp_server.mcp_url,
        write_token,
        "tools/call",
        {"name": "create_saved_search", "arguments": {"name": "x", "search": "index=web"}},
    )
    result = response.json()["result"]
    assert result["isError"] is True
    assert "SPLUNK_MCP_ENABLE_WRITE_TOOLS" in result["content"][0]["text"]


def test_allowing_alert_actions_makes_run_saved_search_say_it_reaches_out(
    server_factory: Callable[..., ServerProcess], admin_token: str, mcp_server: ServerProcess
) -> None:
    server = server_factory(SPLUNK_MCP_ALLOW_ALERT_ACTIONS="true")

    def hints(srv: ServerProcess) -> dict[str, Any]:
        return next(t for t in listed_tools(srv, admin_token) if t["name"] == "run_saved_search")[
            "annotations"
        ]

    assert hints(mcp_server)["readOnlyHint"] is True and hints(mcp_server)["openWorldHint"] is False
    assert hints(server)["readOnlyHint"] is False and hints(server)["openWorldHint"] is True
