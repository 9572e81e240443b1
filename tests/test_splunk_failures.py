"""When Splunk misbehaves, tools answer with errors a model can act on, in bounded time, never a crash.

Faults are injected into the sandbox Splunk over real sockets (latency, hang, reset, error status).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from sandbox import Sandbox
from tests.support import Minter, ServerProcess, call_tool


@pytest.fixture(scope="module")
def impatient_server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A server whose Splunk read timeout is one second."""
    return server_factory(SPLUNK_MCP_SPLUNK_READ_TIMEOUT="1", SPLUNK_MCP_SPLUNK_CONNECT_TIMEOUT="1")


@contextmanager
def fault(sandbox: Sandbox, **spec: object) -> Iterator[None]:
    fault_id = sandbox.faults.add(**spec)
    try:
        yield
    finally:
        sandbox.faults.remove(fault_id)


def error_text(result: dict) -> str:
    assert result["isError"] is True, result
    return result["content"][0]["text"]


def test_a_hanging_splunk_times_out_within_the_read_timeout(
    impatient_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    with fault(sandbox, path="/services/server/info*", kind="hang"):
        started = time.monotonic()
        text = error_text(call_tool(impatient_server.mcp_url, admin_token, "get_splunk_info"))
        elapsed = time.monotonic() - started
    assert "did not answer in time" in text
    assert elapsed < 10


def test_a_reset_connection_is_reported_as_unreachable(
    impatient_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    with fault(sandbox, path="/services/server/info*", kind="reset"):
        text = error_text(call_tool(impatient_server.mcp_url, admin_token, "get_splunk_info"))
    assert "unreachable" in text


def test_a_splunk_503_keeps_splunks_own_message(
    impatient_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    with fault(
        sandbox, path="*/data/indexes*", kind="status", status=503, message="Search head is restarting"
    ):
        text = error_text(call_tool(impatient_server.mcp_url, admin_token, "list_indexes"))
    assert "Search head is restarting" in text and "Retry later" in text


def test_a_refused_port_is_unreachable_not_a_crash(
    mcp_server: ServerProcess, mint: Minter, claims_for: Callable[..., dict]
) -> None:
    claims = claims_for()
    token = mint(splunk={**claims["splunk"], "url": "https://localhost:1"})
    text = error_text(call_tool(mcp_server.mcp_url, token, "list_indexes"))
    assert "unreachable" in text and "refused" in text


def test_a_session_key_works_and_an_expired_one_asks_for_a_new_token(
    mcp_server: ServerProcess, mint: Minter, sandbox: Sandbox
) -> None:
    from splunklib import client as splunk_client

    port = int(sandbox.url.rsplit(":", 1)[1])
    service = splunk_client.connect(
        scheme="https",
        host="localhost",
        port=port,
        username="secops",
        password="secops-pass",
        verify=False,
        autologin=False,
    )
    session_key = service.token.removeprefix("Splunk ")
    login = next(r for r in reversed(sandbox.requests) if r.path.endswith("/auth/login"))
    assert login.params["username"] == "secops" and login.params["password"] == "********"
    token = mint(auth={"type": "session", "session_key": session_key})
    assert call_tool(mcp_server.mcp_url, token, "get_splunk_info")["structuredContent"]["user"] == "secops"
    sandbox.faults.add(kind="expire_sessions")  # an action: every session key issued so far stops working
    text = error_text(call_tool(mcp_server.mcp_url, token, "get_splunk_info"))
    assert "mint a new token" in text and session_key not in text


def test_slow_splunk_answers_still_arrive_within_the_timeout(
    impatient_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    with fault(sandbox, path="/services/server/info*", kind="latency", seconds=0.3):
        result = call_tool(impatient_server.mcp_url, admin_token, "get_splunk_info")
    assert result["isError"] is False
    assert result["structuredContent"]["version"] == "9.3.2"
