"""Stateless MCP over real HTTP: one POST answers, no session exists, any replica serves any token.

Raw JSON-RPC (as curl), and the FastMCP Client in both the sessionless (2026-07-28) and the legacy
(initialize handshake) modes, all against real uvicorn processes and the sandbox Splunk.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from tests.support import PROJECT_ROOT, Minter, ServerProcess, call_tool, rpc


def test_a_single_tools_list_post_is_answered_without_initialize_or_session(
    mcp_server: ServerProcess, mint: Minter
) -> None:
    response = rpc(mcp_server.mcp_url, mint(), "tools/list")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in response.headers
    names = {tool["name"] for tool in response.json()["result"]["tools"]}
    assert {"get_splunk_info", "list_indexes", "run_search"} <= names


def test_a_single_tools_call_post_reaches_splunk(mcp_server: ServerProcess, mint: Minter) -> None:
    result = call_tool(mcp_server.mcp_url, mint(), "get_splunk_info")
    assert result["isError"] is False
    info = result["structuredContent"]
    assert info["version"] == "9.3.2"
    assert info["user"] == "admin"
    assert "admin" in info["roles"]


def test_run_search_answers_rows_from_the_sandbox_data(mcp_server: ServerProcess, mint: Minter) -> None:
    result = call_tool(
        mcp_server.mcp_url,
        mint(),
        "run_search",
        {"query": "index=web status>=500 | stats count by host", "earliest_time": "-7d"},
    )
    assert result["isError"] is False, result
    found = result["structuredContent"]
    assert found["is_done"] is True
    assert found["rows"], found
    assert {row["host"] for row in found["rows"]} <= {"web-01", "web-02", "web-03", "web-04"}
    assert sum(int(row["count"]) for row in found["rows"]) > 0
    assert found["truncated"] is False


def test_a_splunk_user_the_sandbox_does_not_know_gives_a_tool_error_not_a_crash(
    mcp_server: ServerProcess, mint: Minter
) -> None:
    token = mint(auth={"type": "bearer", "token": "no-such-splunk-token"})
    result = call_tool(mcp_server.mcp_url, token, "get_splunk_info")
    assert result["isError"] is True
    text = result["content"][0]["text"]
    assert "rejected this token's credentials" in text and "mint a new token" in text
    assert "no-such-splunk-token" not in text


def test_basic_and_session_credentials_work_too(mcp_server: ServerProcess, mint: Minter) -> None:
    basic = mint(auth={"type": "basic", "username": "analyst", "password": "analyst-pass"})
    assert call_tool(mcp_server.mcp_url, basic, "get_splunk_info")["structuredContent"]["user"] == "analyst"


def test_wrong_ca_in_the_token_is_a_tls_tool_error(
    mcp_server: ServerProcess, mint: Minter, claims_for: Callable[..., dict]
) -> None:
    from tests.tls_material import other_ca_pem

    claims = claims_for()
    token = mint(splunk={**claims["splunk"], "ca_pem": other_ca_pem()})
    result = call_tool(mcp_server.mcp_url, token, "get_splunk_info")
    assert result["isError"] is True
    assert "TLS verification" in result["content"][0]["text"]


def test_unknown_method_is_a_jsonrpc_error(mcp_server: ServerProcess, mint: Minter) -> None:
    response = rpc(mcp_server.mcp_url, mint(), "no/such/method")
    assert response.status_code == 200
    assert response.json()["error"]["code"] == -32601


def test_two_replicas_answer_the_same_token(
    server_factory: Callable[..., ServerProcess], mcp_server: ServerProcess, mint: Minter
) -> None:
    replica = server_factory()
    token = mint()
    answers = [
        call_tool(server.mcp_url, token, "get_splunk_info")
        for server in (mcp_server, replica, mcp_server, replica)
    ]
    assert all(a["isError"] is False for a in answers)
    assert len({a["structuredContent"]["user"] for a in answers}) == 1
    assert replica.process.pid != mcp_server.process.pid


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_fastmcp_client_works_in_both_protocol_modes(
    mode: str, mcp_server: ServerProcess, mint: Minter
) -> None:
    client = Client(StreamableHttpTransport(mcp_server.mcp_url, auth=mint()), mode=mode)  # type: ignore[arg-type]
    async with client:
        tools = await client.list_tools()
        assert "run_search" in {tool.name for tool in tools}
        result = await client.call_tool("list_indexes", {"count": 50})
        names = {index["name"] for index in result.structured_content["indexes"]}
        assert {"main", "web", "app", "security", "os_metrics"} <= names


def test_stdio_transport_serves_the_token_from_the_environment(keys_file, mint: Minter) -> None:  # type: ignore[no-untyped-def]
    """`splunk-mcp serve --transport stdio` speaks MCP on stdin/stdout for local clients."""
    import asyncio

    from fastmcp.client.transports import StdioTransport

    env = {k: v for k, v in os.environ.items() if not k.startswith("SPLUNK_MCP_")}
    env.update(
        {
            "SPLUNK_MCP_KEYS_FILE": str(keys_file),
            "SPLUNK_MCP_TOKEN": mint(),
            "SPLUNK_MCP_LOG_LEVEL": "warning",
        }
    )
    transport = StdioTransport(
        command=sys.executable,
        args=["-m", "server.cli", "serve", "--transport", "stdio"],
        env=env,
        cwd=str(PROJECT_ROOT),
    )

    async def run() -> dict:
        async with Client(transport) as client:
            result = await client.call_tool("get_splunk_info", {})
            return result.structured_content

    assert asyncio.run(run())["user"] == "admin"


def test_server_refuses_to_start_without_keys_and_names_the_variable() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPLUNK_MCP_")}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "SPLUNK_MCP_KEYS" in done.stderr


def test_server_refuses_a_short_key_and_says_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    short = tmp_path / "keys.json"
    short.write_text('{"keys":[{"kty":"oct","kid":"short","k":"AAAAAAAAAAAAAAAAAAAAAA"}]}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPLUNK_MCP_")}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--keys-file", str(short)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--keys-file" in done.stderr and "128 bits" in done.stderr


def test_each_tool_call_leaves_one_audit_line_and_no_secret(mcp_server: ServerProcess, mint: Minter) -> None:
    token = mint(jti="audit-probe-0001", sub="auditor")
    call_tool(mcp_server.mcp_url, token, "get_splunk_info")
    call_tool(mcp_server.mcp_url, token, "get_index", {"name": "no-such-index"})
    deadline = time.monotonic() + 10
    while "jti=audit-probe-0001 outcome=error" not in mcp_server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = mcp_server.log()
    assert "tool call get_splunk_info sub=auditor jti=audit-probe-0001 outcome=ok" in log
    assert "tool call get_index sub=auditor jti=audit-probe-0001 outcome=error" in log
    assert "sbx-admin-token" not in log and token[:40] not in log
