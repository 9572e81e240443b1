"""KV store tools over the MCP client, checked against what the sandbox's `assets` collection holds."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.catalogue import ASSETS
from tests.support import ServerProcess, call_tool, mcp_client, sandbox_service


def stored_assets(sandbox: Sandbox, **query: Any) -> list[dict[str, Any]]:
    """The documents through the unmodified splunklib, straight to the sandbox: the ground truth.

    A Service of its own: splunklib's `service.kvstore` pins the namespace owner of its service.
    """
    service = sandbox_service(sandbox, app="search")
    return service.kvstore["assets"].data.query(**query)


async def test_list_kvstore_collections_shows_assets_with_its_fields_and_acceleration(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        listed = (await client.call_tool("list_kvstore_collections")).structured_content
    collections = {c["name"]: c for c in listed["collections"]}
    assert collections["assets"] == {
        "name": "assets",
        "app": "search",
        "fields": {"host": "string", "owner": "string", "criticality": "string", "ip": "cidr"},
        "accelerated_fields": {"host": {"host": 1}},
    }
    assert listed["page"]["total"] == len(listed["collections"])


async def test_an_app_without_collections_lists_none(mcp_server: ServerProcess, admin_token: str) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        listed = (await client.call_tool("list_kvstore_collections", {"app": "launcher"})).structured_content
    assert listed["collections"] == []
    assert listed["page"]["has_more"] is False


async def test_query_kvstore_without_a_query_returns_every_document(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        found = (await client.call_tool("query_kvstore", {"collection": "assets"})).structured_content
    stored = stored_assets(sandbox)
    assert {d["_key"] for d in found["documents"]} == {host for host, *_ in ASSETS}
    assert sorted(found["documents"], key=lambda d: d["_key"]) == sorted(stored, key=lambda d: d["_key"])
    assert found["truncated"] is False and found["note"] is None
    assert found["page"] == {
        "total": len(ASSETS),
        "count": len(ASSETS),
        "offset": 0,
        "has_more": False,
        "next_offset": None,
    }


async def test_query_sort_limit_and_skip_select_the_same_documents_splunk_does(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    query = {"criticality": {"$in": ["critical", "high"]}, "owner": {"$ne": "secops"}}
    matching = sorted(
        (a for a in ASSETS if a[2] in ("critical", "high") and a[1] != "secops"),
        key=lambda a: a[0],
        reverse=True,
    )
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool(
            "query_kvstore",
            {"collection": "assets", "query": query, "sort": "host:-1", "limit": 3, "skip": 2},
        )
    found = result.structured_content
    assert [d["host"] for d in found["documents"]] == [a[0] for a in matching[2:5]]
    assert found["documents"] == stored_assets(sandbox, query=query, sort="host:-1", limit=3, skip=2)
    assert found["truncated"] is True and found["page"]["has_more"] is True
    assert found["page"]["next_offset"] == 5 and found["page"]["total"] is None
    assert "skip=5" in found["note"]


async def test_the_last_page_of_a_query_knows_the_total(mcp_server: ServerProcess, admin_token: str) -> None:
    query = {"criticality": "critical"}
    critical = sum(1 for a in ASSETS if a[2] == "critical")
    async with mcp_client(mcp_server, admin_token) as client:
        found = (
            await client.call_tool(
                "query_kvstore", {"collection": "assets", "query": query, "limit": 4, "skip": critical - 2}
            )
        ).structured_content
    assert len(found["documents"]) == 2
    assert found["page"] == {
        "total": critical,
        "count": 2,
        "offset": critical - 2,
        "has_more": False,
        "next_offset": None,
    }
    assert found["truncated"] is False


async def test_paging_a_collection_walks_every_document_exactly_once(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    keys: list[str] = []
    skip: int | None = 0
    pages = 0
    async with mcp_client(mcp_server, admin_token) as client:
        while skip is not None:
            found = (
                await client.call_tool(
                    "query_kvstore", {"collection": "assets", "sort": "host:1", "limit": 5, "skip": skip}
                )
            ).structured_content
            keys += [d["_key"] for d in found["documents"]]
            skip = found["page"]["next_offset"]
            pages += 1
    assert keys == sorted(host for host, *_ in ASSETS)
    assert pages == -(-len(ASSETS) // 5)


async def test_fields_limit_each_document_to_those_fields_and_its_key(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        found = (
            await client.call_tool(
                "query_kvstore", {"collection": "assets", "query": {"owner": "secops"}, "fields": ["ip"]}
            )
        ).structured_content
    assert found["documents"] == [{"_key": "bastion-01", "ip": "10.0.7.71"}]


async def test_a_query_given_as_json_text_is_accepted(mcp_server: ServerProcess, admin_token: str) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        found = (
            await client.call_tool(
                "query_kvstore", {"collection": "assets", "query": '{"owner": "data-team"}'}
            )
        ).structured_content
    assert sorted(d["_key"] for d in found["documents"]) == ["db-01", "db-02"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('{"owner": ', "not valid JSON"),
        ('["web-01"]', "must be a JSON object"),
        ({"host": "x" * 11_000}, "longer than 10000 characters"),
    ],
)
async def test_a_query_that_is_not_a_small_json_object_is_refused_with_the_fix(
    query: Any, expected: str, mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool(
            "query_kvstore", {"collection": "assets", "query": query}, raise_on_error=False
        )
    assert result.is_error
    assert expected in result.content[0].text


async def test_an_unknown_collection_is_a_not_found_error(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool("query_kvstore", {"collection": "no_such_coll"}, raise_on_error=False)
    assert result.is_error
    assert "Not found" in result.content[0].text and "no_such_coll" in result.content[0].text


def test_a_collection_name_with_a_path_in_it_is_refused_by_the_schema(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    result = call_tool(mcp_server.mcp_url, admin_token, "query_kvstore", {"collection": "../config/assets"})
    assert result["isError"] is True
    assert "collection" in result["content"][0]["text"]
