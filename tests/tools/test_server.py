"""Server tools (health, apps, users, roles, messages) over the MCP client, checked against the sandbox."""

from __future__ import annotations

import json
from typing import Any

from sandbox.accounts import ROLES, USERS, imported_capabilities
from sandbox.catalogue import APPS
from tests.support import Minter, ServerProcess, call_tool, mcp_client

SERVER_TOOLS = {
    "get_splunk_info",
    "get_splunk_health",
    "list_apps",
    "list_users",
    "list_roles",
    "list_messages",
}


async def walk(server: ServerProcess, token: str, tool: str, key: str, count: int) -> list[dict[str, Any]]:
    """Every item of a paged tool, following next_offset; asserts the paging fields agree on the way."""
    items: list[dict[str, Any]] = []
    offset: int | None = 0
    async with mcp_client(server, token) as client:
        while offset is not None:
            result = await client.call_tool(tool, {"count": count, "offset": offset})
            page = result.structured_content["page"]
            assert page["offset"] == offset and page["count"] == len(result.structured_content[key])
            assert page["count"] <= count
            items += result.structured_content[key]
            offset = page["next_offset"]
            assert (offset is not None) == page["has_more"]
    return items


async def test_every_server_tool_is_listed_as_read_only(mcp_server: ServerProcess, admin_token: str) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        tools = {tool.name: tool for tool in await client.list_tools() if tool.name in SERVER_TOOLS}
    assert set(tools) == SERVER_TOOLS
    for tool in tools.values():
        hints = tool.annotations
        assert tool.title and hints is not None
        assert (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint,
        ) == (
            True,
            False,
            True,
            False,
        )


async def test_health_reports_the_overall_colour_and_each_feature(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        health = (await client.call_tool("get_splunk_health")).structured_content
        unhealthy = (await client.call_tool("get_splunk_health", {"only_unhealthy": True})).structured_content
    assert health["health"] == "green"
    features = {f["feature"]: f for f in health["features"]}
    assert {"File Monitor Input", "Index Processor", "Search Scheduler", "Workload Management"} <= set(
        features
    )
    assert all(f["health"] == "green" and f["reasons"] == [] for f in features.values())
    assert unhealthy == {"health": "green", "features": []}


async def test_list_apps_returns_the_installed_apps_with_label_and_version(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        listed = (await client.call_tool("list_apps")).structured_content
    apps = {app["name"]: app for app in listed["apps"]}
    assert set(apps) == {app.name for app in APPS}
    for app in APPS:
        assert apps[app.name] == {
            "name": app.name,
            "label": app.content["label"],
            "version": app.content["version"],
            "visible": app.content["visible"],
            "disabled": False,
        }
    assert listed["page"] == {
        "total": len(APPS),
        "count": len(APPS),
        "offset": 0,
        "has_more": False,
        "next_offset": None,
    }


async def test_list_users_returns_names_roles_and_default_app_but_no_password(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool("list_users")
    users = {user["name"]: user for user in result.structured_content["users"]}
    assert users == {
        user.name: {
            "name": user.name,
            "realname": user.realname,
            "roles": list(user.roles),
            "default_app": user.default_app,
        }
        for user in USERS.values()
    }
    text = result.content[0].text.lower() + json.dumps(result.structured_content).lower()
    assert "password" not in text and "passwd" not in text
    assert not any(user.password in text for user in USERS.values())


async def test_a_non_admin_user_sees_only_itself(mcp_server: ServerProcess, analyst_token: str) -> None:
    async with mcp_client(mcp_server, analyst_token) as client:
        listed = (await client.call_tool("list_users")).structured_content
    assert [user["name"] for user in listed["users"]] == ["analyst"]


async def test_list_roles_merges_own_and_imported_capabilities_and_indexes(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        listed = (await client.call_tool("list_roles")).structured_content
    roles = {role["name"]: role for role in listed["roles"]}
    assert set(roles) == set(ROLES)
    analyst = roles["analyst"]
    expected = ROLES["analyst"]
    assert analyst["imported_roles"] == ["user"]
    assert analyst["capabilities"] == sorted({*expected.capabilities, *imported_capabilities(expected)})
    assert "search" in analyst["capabilities"]  # imported from `user`, not the role's own
    assert analyst["search_indexes_allowed"] == sorted({*expected.srch_indexes_allowed, "main"})
    assert analyst["search_indexes_default"] == sorted({*expected.srch_indexes_default, "main"})
    assert roles["can_delete"]["capabilities"] == ["delete_by_keyword"]


async def test_list_messages_returns_splunk_bulletin_messages(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        listed = (await client.call_tool("list_messages")).structured_content
    assert [m["name"] for m in listed["messages"]] == ["sandbox_notice"]
    notice = listed["messages"][0]
    assert notice["severity"] == "info"
    assert notice["text"].startswith("This is the Splunk MCP sandbox")
    assert notice["time"] is not None and notice["time"].endswith("+00:00")


async def test_paging_roles_two_at_a_time_walks_every_role_exactly_once(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    roles = await walk(mcp_server, admin_token, "list_roles", "roles", count=2)
    names = [role["name"] for role in roles]
    assert sorted(names) == sorted(ROLES) and len(names) == len(set(names))


async def test_paging_apps_and_users_one_at_a_time_walks_each_once(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    apps = [app["name"] for app in await walk(mcp_server, admin_token, "list_apps", "apps", count=1)]
    users = [user["name"] for user in await walk(mcp_server, admin_token, "list_users", "users", count=1)]
    assert sorted(apps) == sorted(app.name for app in APPS)
    assert sorted(users) == sorted(USERS)


def test_server_tools_answer_over_raw_json_rpc_too(mcp_server: ServerProcess, mint: Minter) -> None:
    result = call_tool(mcp_server.mcp_url, mint(), "list_roles", {"count": 1, "offset": 1})
    assert result["isError"] is False, result
    page = result["structuredContent"]["page"]
    assert page == {"total": len(ROLES), "count": 1, "offset": 1, "has_more": True, "next_offset": 2}


def test_a_count_over_the_cap_is_refused_by_the_schema(mcp_server: ServerProcess, mint: Minter) -> None:
    result = call_tool(mcp_server.mcp_url, mint(), "list_apps", {"count": 5000})
    assert result["isError"] is True
    assert "count" in result["content"][0]["text"]
