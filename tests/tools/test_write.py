"""Write tools over the MCP client: who sees them, what the policy refuses, and real round trips.

Every name is unique (the sandbox is shared by the whole session); results are checked against
the sandbox through the unmodified splunklib, not through the tools under test alone.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sandbox import Sandbox
from tests.support import Minter, ServerProcess, mcp_client, sandbox_service

WRITE_TOOLS = {
    "create_saved_search",
    "update_saved_search",
    "delete_saved_search",
    "create_kvstore_collection",
    "kvstore_upsert",
    "kvstore_delete",
}


def stored_saved_search(sandbox: Sandbox, name: str) -> dict[str, Any] | None:
    searches = sandbox_service(sandbox, app="search").saved_searches
    return dict(searches[name].content) if name in searches else None


def stored_documents(sandbox: Sandbox, collection: str) -> list[dict[str, Any]]:
    documents = sandbox_service(sandbox, app="search").kvstore[collection].data.query(sort="_key:1")
    return [{k: v for k, v in d.items() if k != "_user"} for d in documents]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def new_collection(server: ServerProcess, token: str) -> str:
    name = unique("mcp_test_")
    async with mcp_client(server, token) as client:
        await client.call_tool("create_kvstore_collection", {"name": name, "fields": {"team": "string"}})
    return name


# --- who sees the write tools ----------------------------------------------------------------------


async def test_write_tools_are_not_even_registered_when_the_operator_leaves_them_off(
    mcp_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, write_token) as client:
        names = {tool.name for tool in await client.list_tools()}
        result = await client.call_tool(
            "create_saved_search",
            {"name": unique("mcp off "), "search": "index=web | head 1"},
            raise_on_error=False,
        )
    assert names and not names & WRITE_TOOLS
    assert result.is_error
    assert "write tools off" in result.content[0].text and "create_saved_search" in result.content[0].text


async def test_a_read_only_token_sees_no_write_tools_and_calling_one_is_refused(
    write_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    collection = unique("mcp_ro_")
    async with mcp_client(write_server, admin_token) as client:
        names = {tool.name for tool in await client.list_tools()}
        result = await client.call_tool(
            "create_kvstore_collection", {"name": collection}, raise_on_error=False
        )
    assert {"query_kvstore", "list_kvstore_collections"} <= names
    assert not names & WRITE_TOOLS
    assert result.is_error
    assert "needs a token with scope splunk:write; this token is read-only" in result.content[0].text
    assert not any(collection in str(r.params) for r in sandbox.requests)


async def test_a_write_token_sees_every_write_tool_with_write_hints(
    write_server: ServerProcess, write_token: str
) -> None:
    async with mcp_client(write_server, write_token) as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    assert set(tools) >= WRITE_TOOLS
    for name in WRITE_TOOLS:
        tool = tools[name]
        assert tool.title and tool.annotations is not None
        assert tool.annotations.read_only_hint is False and tool.annotations.open_world_hint is False
        assert "write" in tool.meta["fastmcp"]["tags"]
    for name in ("delete_saved_search", "kvstore_delete", "kvstore_upsert"):
        assert tools[name].annotations.destructive_hint is True
    for name in ("create_saved_search", "create_kvstore_collection"):
        assert tools[name].annotations.destructive_hint is False
        assert tools[name].annotations.idempotent_hint is False


async def test_a_tools_claim_shows_only_the_tools_it_names(write_server: ServerProcess, mint: Minter) -> None:
    token = mint(scope="splunk:read splunk:write", tools=["query_kvstore", "kvstore_upsert"])
    async with mcp_client(write_server, token) as client:
        names = {tool.name for tool in await client.list_tools()}
        result = await client.call_tool(
            "delete_saved_search", {"name": unique("mcp_claim_")}, raise_on_error=False
        )
    assert names == {"query_kvstore", "kvstore_upsert"}
    assert result.is_error and "`tools` claim" in result.content[0].text


# --- saved searches --------------------------------------------------------------------------------


async def test_a_saved_search_round_trip_creates_lists_updates_and_deletes_it(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    tag = uuid.uuid4().hex[:10]
    name = f"MCP test errors {tag}"  # spaces on purpose: the name must survive URL encoding
    async with mcp_client(write_server, write_token) as client:
        created = (
            await client.call_tool(
                "create_saved_search",
                {
                    "name": name,
                    "search": "index=web status>=500 | stats count by host",
                    "description": "made by a test",
                    "earliest_time": "-4h",
                },
            )
        ).structured_content
        listed = (await client.call_tool("list_saved_searches", {"search": tag})).structured_content
        updated = (
            await client.call_tool(
                "update_saved_search",
                {
                    "name": name,
                    "description": "changed",
                    "cron_schedule": "*/30 * * * *",
                    "is_scheduled": True,
                },
            )
        ).structured_content
        stored_after_update = stored_saved_search(sandbox, name)
        deleted = (await client.call_tool("delete_saved_search", {"name": name})).structured_content
        again = await client.call_tool("delete_saved_search", {"name": name}, raise_on_error=False)

    assert created["name"] == name and created["is_scheduled"] is False
    assert created["search"] == "search index=web status>=500 | stats count by host"
    assert (created["earliest_time"], created["latest_time"]) == ("-4h", "now")
    assert [s["name"] for s in listed["saved_searches"]] == [name]
    assert updated["description"] == "changed" and updated["is_scheduled"] is True
    assert updated["cron_schedule"] == "*/30 * * * *"
    assert updated["search"] == created["search"] and updated["earliest_time"] == "-4h"  # untouched
    assert stored_after_update is not None
    assert stored_after_update["description"] == "changed"
    assert stored_after_update["cron_schedule"] == "*/30 * * * *"
    assert stored_after_update["dispatch.earliest_time"] == "-4h"
    assert deleted == {"name": name, "deleted": True}
    assert stored_saved_search(sandbox, name) is None
    assert again.is_error and "Not found" in again.content[0].text


async def test_creating_a_saved_search_that_deletes_events_is_refused_and_saves_nothing(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = unique("mcp_delete_")
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "create_saved_search",
            {
                "name": name,
                "search": "index=main | delete",
                "cron_schedule": "0 * * * *",
                "is_scheduled": True,
            },
            raise_on_error=False,
        )
    assert result.is_error
    assert "delete" in result.content[0].text
    assert stored_saved_search(sandbox, name) is None
    assert not any(r.method == "POST" and r.params.get("name") == name for r in sandbox.requests)


async def test_an_update_cannot_put_a_delete_into_an_existing_saved_search(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = unique("mcp_update_")
    async with mcp_client(write_server, write_token) as client:
        await client.call_tool("create_saved_search", {"name": name, "search": "index=web | head 5"})
        refused = await client.call_tool(
            "update_saved_search", {"name": name, "search": "index=web | delete"}, raise_on_error=False
        )
        stored = stored_saved_search(sandbox, name)
        await client.call_tool("delete_saved_search", {"name": name})
    assert refused.is_error and "delete" in refused.content[0].text
    assert stored is not None and stored["search"] == "search index=web | head 5"


async def test_scheduling_a_stored_search_the_policy_refuses_is_refused(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "update_saved_search",
            {"name": "Purge old events", "cron_schedule": "0 3 * * *", "is_scheduled": True},
            raise_on_error=False,
        )
    assert result.is_error and "delete" in result.content[0].text
    stored = stored_saved_search(sandbox, "Purge old events")
    assert stored is not None and stored["is_scheduled"] in ("0", False, 0)


async def test_alert_actions_are_refused_unless_the_operator_allows_them(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = unique("mcp_alert_")
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "create_saved_search",
            {
                "name": name,
                "search": "index=web status>=500",
                "alert_actions": ["email"],
                "alert_action_params": {"email.to": "someone@example.com"},
            },
            raise_on_error=False,
        )
    assert result.is_error and "SPLUNK_MCP_ALLOW_ALERT_ACTIONS" in result.content[0].text
    assert stored_saved_search(sandbox, name) is None


async def test_scheduling_without_a_cron_schedule_is_refused_with_the_fix(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = unique("mcp_nocron_")
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "create_saved_search",
            {"name": name, "search": "index=web | head 1", "is_scheduled": True},
            raise_on_error=False,
        )
    assert result.is_error and "cron_schedule" in result.content[0].text
    assert stored_saved_search(sandbox, name) is None


# --- KV store --------------------------------------------------------------------------------------


async def test_a_kvstore_round_trip_creates_writes_reads_and_deletes_documents(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = unique("mcp_kv_")
    async with mcp_client(write_server, write_token) as client:
        created = (
            await client.call_tool(
                "create_kvstore_collection", {"name": name, "fields": {"team": "string", "size": "number"}}
            )
        ).structured_content
        listed = (await client.call_tool("list_kvstore_collections")).structured_content
        inserted = (
            await client.call_tool(
                "kvstore_upsert", {"collection": name, "documents": [{"team": "a", "size": 1}]}
            )
        ).structured_content
        keyed = (
            await client.call_tool(
                "kvstore_upsert", {"collection": name, "documents": [{"_key": "k1", "team": "a", "size": 2}]}
            )
        ).structured_content
        replaced = (
            await client.call_tool(
                "kvstore_upsert", {"collection": name, "documents": [{"_key": "k1", "team": "b", "size": 3}]}
            )
        ).structured_content
        batch = (
            await client.call_tool(
                "kvstore_upsert",
                {
                    "collection": name,
                    "documents": [{"_key": "k2", "team": "b"}, {"_key": "k3", "team": "c"}, {"team": "b"}],
                },
            )
        ).structured_content
        team_b = (
            await client.call_tool("query_kvstore", {"collection": name, "query": {"team": "b"}})
        ).structured_content
        by_key = (
            await client.call_tool("kvstore_delete", {"collection": name, "key": "k3"})
        ).structured_content
        by_query = (
            await client.call_tool("kvstore_delete", {"collection": name, "query": {"team": "b"}})
        ).structured_content
        nothing = (
            await client.call_tool("kvstore_delete", {"collection": name, "query": {"team": "zzz"}})
        ).structured_content

    assert created == {
        "name": name,
        "app": "search",
        "fields": {"team": "string", "size": "number"},
        "accelerated_fields": {},
    }
    assert name in {c["name"] for c in listed["collections"]}
    assert inserted["operation"] == "insert" and len(inserted["keys"]) == 1
    assert keyed == {"collection": name, "app": "search", "operation": "insert", "keys": ["k1"]}
    assert replaced["operation"] == "update" and replaced["keys"] == ["k1"]
    assert (
        batch["operation"] == "batch_save" and batch["keys"][:2] == ["k2", "k3"] and len(batch["keys"]) == 3
    )
    assert sorted(d["_key"] for d in team_b["documents"]) == sorted(["k1", "k2", batch["keys"][2]])
    assert by_key["deleted"] == 1
    assert by_query["deleted"] == 3
    assert nothing["deleted"] == 0 and "nothing was deleted" in nothing["note"]
    assert stored_documents(sandbox, name) == [{"_key": inserted["keys"][0], "team": "a", "size": 1}]


@pytest.mark.parametrize("query", [None, {}, "{}", "  ", {"$and": []}, {"$or": [{}, {"team": "a"}]}])
async def test_kvstore_delete_refuses_a_query_that_selects_everything(
    query: Any, write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = await new_collection(write_server, write_token)
    async with mcp_client(write_server, write_token) as client:
        await client.call_tool(
            "kvstore_upsert",
            {"collection": name, "documents": [{"_key": "x", "team": "a"}, {"_key": "y", "team": "b"}]},
        )
        arguments: dict[str, Any] = {"collection": name}
        if query is not None:
            arguments["query"] = query
        result = await client.call_tool("kvstore_delete", arguments, raise_on_error=False)
    assert result.is_error
    assert "would empty the whole collection" in result.content[0].text
    assert [d["_key"] for d in stored_documents(sandbox, name)] == ["x", "y"]
    assert not any(r.method == "DELETE" and name in r.path for r in sandbox.requests)


async def test_kvstore_delete_takes_a_key_or_a_query_not_both(
    write_server: ServerProcess, write_token: str
) -> None:
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "kvstore_delete",
            {"collection": "assets", "key": "web-01", "query": {"host": "web-01"}},
            raise_on_error=False,
        )
    assert result.is_error and "either `key` or `query`" in result.content[0].text


async def test_upserting_more_than_the_byte_cap_is_refused_before_anything_is_written(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = await new_collection(write_server, write_token)
    documents = [{"team": "a", "blob": "x" * 400_000} for _ in range(3)]
    async with mcp_client(write_server, write_token) as client:
        result = await client.call_tool(
            "kvstore_upsert", {"collection": name, "documents": documents}, raise_on_error=False
        )
    assert result.is_error and "the cap is 1000000" in result.content[0].text
    assert stored_documents(sandbox, name) == []


async def test_long_document_values_come_back_cut_and_marked(
    write_server: ServerProcess, write_token: str
) -> None:
    name = await new_collection(write_server, write_token)
    async with mcp_client(write_server, write_token) as client:
        await client.call_tool(
            "kvstore_upsert", {"collection": name, "documents": [{"_key": "long", "note": "n" * 5000}]}
        )
        found = (await client.call_tool("query_kvstore", {"collection": name})).structured_content
    note = found["documents"][0]["note"]
    assert found["values_truncated"] is True
    assert note.startswith("n" * 4096) and note.endswith("…[truncated 904 chars]")


async def test_keys_with_spaces_and_slashes_are_updated_and_deleted_by_key(
    write_server: ServerProcess, write_token: str, sandbox: Sandbox
) -> None:
    name = await new_collection(write_server, write_token)
    key = "host a/b:1"
    async with mcp_client(write_server, write_token) as client:
        first = (
            await client.call_tool(
                "kvstore_upsert", {"collection": name, "documents": [{"_key": key, "team": "a"}]}
            )
        ).structured_content
        second = (
            await client.call_tool(
                "kvstore_upsert", {"collection": name, "documents": [{"_key": key, "team": "b"}]}
            )
        ).structured_content
        stored = stored_documents(sandbox, name)
        deleted = (
            await client.call_tool("kvstore_delete", {"collection": name, "key": key})
        ).structured_content
    assert (first["operation"], second["operation"]) == ("insert", "update")
    assert stored == [{"_key": key, "team": "b"}]
    assert deleted["deleted"] == 1 and stored_documents(sandbox, name) == []
