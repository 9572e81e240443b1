"""Search tools over the MCP client and raw HTTP, checked against what the sandbox Splunk holds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
from splunklib.results import JSONResultsReader

from sandbox import Sandbox
from tests.support import ServerProcess, call_tool, mcp_client, sandbox_service

WEB_ERRORS_BY_HOST = "index=web status>=500 | stats count by host"


def direct_rows(sandbox: Sandbox, query: str, earliest: str = "-7d") -> list[dict[str, Any]]:
    """The same search through the unmodified splunklib, straight to the sandbox: the ground truth."""
    service = sandbox_service(sandbox)
    stream = service.jobs.oneshot(
        f"search {query}", earliest_time=earliest, latest_time="now", output_mode="json", count=0
    )
    return [row for row in JSONResultsReader(stream) if isinstance(row, dict)]


@contextmanager
def slow_jobs(sandbox: Sandbox, seconds: float) -> Iterator[None]:
    previous = sandbox.job_duration
    sandbox.job_duration = seconds
    try:
        yield
    finally:
        sandbox.job_duration = previous


def poll(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_run_search_returns_the_rows_splunk_computes(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool("run_search", {"query": WEB_ERRORS_BY_HOST, "earliest_time": "-7d"})
    found = result.structured_content
    assert found["is_done"] and not found["truncated"]
    expected = {row["host"]: row["count"] for row in direct_rows(sandbox, WEB_ERRORS_BY_HOST)}
    assert {row["host"]: row["count"] for row in found["rows"]} == expected
    assert found["page"] == {
        "total": len(expected),
        "count": len(expected),
        "offset": 0,
        "has_more": False,
        "next_offset": None,
    }


async def test_paging_walks_a_large_result_to_the_end_with_every_row_exactly_once(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    query = "index=web | head 1300 | table _time host status uri _raw"
    async with mcp_client(mcp_server, admin_token) as client:
        first = (
            await client.call_tool("run_search", {"query": query, "earliest_time": "-7d", "count": 500})
        ).structured_content
        rows, page = list(first["rows"]), first["page"]
        assert first["truncated"] and page["total"] == 1300
        while page["has_more"]:
            more = (
                await client.call_tool(
                    "get_search_results", {"sid": first["sid"], "offset": page["next_offset"], "count": 500}
                )
            ).structured_content
            rows += more["rows"]
            page = more["page"]
    seen = [(row["_time"], row["_raw"]) for row in rows]
    assert len(seen) == 1300 == len(set(seen))
    truth = {(row["_time"], row["_raw"]) for row in direct_rows(sandbox, query)}
    assert set(seen) == truth


def test_a_result_over_the_byte_cap_is_cut_honestly_and_pages_on(
    server_factory: Callable[..., ServerProcess], admin_token: str
) -> None:
    server = server_factory(SPLUNK_MCP_RESULT_BYTES_MAX="8192", SPLUNK_MCP_FIELD_CHARS_MAX="200")
    query = "index=app | head 200 | table _time _raw"
    first = call_tool(
        server.mcp_url, admin_token, "run_search", {"query": query, "earliest_time": "-7d", "count": 200}
    )
    found = first["structuredContent"]
    assert 0 < len(found["rows"]) < 200
    assert found["truncated"] is True and found["page"]["has_more"] is True
    assert found["page"]["next_offset"] == len(found["rows"])
    assert all(len(row["_raw"]) <= 200 + len("…[truncated 99999 chars]") for row in found["rows"])
    collected = list(found["rows"])
    page = found["page"]
    while page["has_more"]:
        more = call_tool(
            server.mcp_url,
            admin_token,
            "get_search_results",
            {"sid": found["sid"], "offset": page["next_offset"], "count": 200},
        )["structuredContent"]
        collected += more["rows"]
        page = more["page"]
    assert len(collected) == 200
    assert len({(row["_time"], row["_raw"]) for row in collected}) == 200


async def test_a_search_that_outlives_the_wait_returns_its_sid_and_is_then_paged(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        with slow_jobs(sandbox, 1.5):
            started = (
                await client.call_tool(
                    "run_search", {"query": WEB_ERRORS_BY_HOST, "earliest_time": "-7d", "wait_seconds": 0.2}
                )
            ).structured_content
        assert started["is_done"] is False and started["sid"]
        assert "get_search_job" in started["note"] and started["truncated"] is True
        deadline = time.monotonic() + 20
        while True:
            status = (await client.call_tool("get_search_job", {"sid": started["sid"]})).structured_content
            if status["is_done"] or time.monotonic() > deadline:
                break
            assert 0.0 <= status["progress"] <= 1.0
        assert status["is_done"] and status["state"] == "DONE"
        page = (await client.call_tool("get_search_results", {"sid": started["sid"]})).structured_content
    expected = {row["host"]: row["count"] for row in direct_rows(sandbox, WEB_ERRORS_BY_HOST)}
    assert {row["host"]: row["count"] for row in page["rows"]} == expected


async def test_cancel_search_job_stops_a_running_job(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        with slow_jobs(sandbox, 30):
            job = (
                await client.call_tool("start_search", {"query": "index=web | stats count"})
            ).structured_content
            cancelled = (await client.call_tool("cancel_search_job", {"sid": job["sid"]})).structured_content
        assert cancelled["state"] == "CANCELLED"
        gone = await client.call_tool("get_search_job", {"sid": job["sid"]}, raise_on_error=False)
    assert gone.is_error and "Not found" in gone.content[0].text
    assert any(
        r.path.endswith(f"{job['sid']}/control") and r.params.get("action") == "cancel"
        for r in sandbox.requests
    )


def test_a_dropped_mcp_request_cancels_its_splunk_job(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    marker = f"cancel_probe_{time.time_ns()}"
    with slow_jobs(sandbox, 30):
        with pytest.raises(httpx2.TimeoutException):
            httpx2.post(
                mcp_server.mcp_url,
                timeout=1.5,
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "Authorization": f"Bearer {admin_token}",
                },
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {
                        "name": "run_search",
                        "arguments": {
                            "query": f"index=web {marker} OR status=200 | stats count",
                            "wait_seconds": 25,
                        },
                    },
                },
            )
        record = poll(lambda: next((a for a in sandbox.audit if marker in a.query), None))
        poll(
            lambda: any(
                r.path.endswith(f"{record.sid}/control") and r.params.get("action") == "cancel"
                for r in sandbox.requests
            )
        )


def test_denied_spl_is_refused_and_never_reaches_splunk(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    before = len(sandbox.audit)
    result = call_tool(
        mcp_server.mcp_url, admin_token, "run_search", {"query": "index=main | `sneaky_delete`"}
    )
    assert result["isError"] is True
    text = result["content"][0]["text"]
    assert "delete" in text and "sneaky_delete" in text and "policy" in text
    assert len(sandbox.audit) == before


async def test_validate_spl_reports_parser_and_policy_verdicts(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        good = (
            await client.call_tool("validate_spl", {"query": "index=web | stats count by status"})
        ).structured_content
        denied = (
            await client.call_tool("validate_spl", {"query": "index=web | outputlookup x.csv"})
        ).structured_content
        broken = (
            await client.call_tool("validate_spl", {"query": "index=web | stast count"})
        ).structured_content
    assert good["valid"] and good["allowed"] and good["commands"] == ["search", "stats"]
    assert denied["allowed"] is False and any("outputlookup" in p for p in denied["problems"])
    assert broken["valid"] is False and any("stast" in p for p in broken["problems"])


def test_a_window_wider_than_the_operator_allows_is_refused(
    narrow_window_server: ServerProcess, admin_token: str
) -> None:
    server = narrow_window_server
    wide = call_tool(
        server.mcp_url,
        admin_token,
        "run_search",
        {"query": "index=web | stats count", "earliest_time": "-30d"},
    )
    assert wide["isError"] and "at most 86400 s" in wide["content"][0]["text"]
    sneaky = call_tool(
        server.mcp_url, admin_token, "run_search", {"query": "index=web earliest=0 | stats count"}
    )
    assert sneaky["isError"] and "at most 86400 s" in sneaky["content"][0]["text"]
    narrow = call_tool(
        server.mcp_url,
        admin_token,
        "run_search",
        {"query": "index=web | stats count", "earliest_time": "-4h"},
    )
    assert narrow["isError"] is False


async def test_list_search_jobs_shows_jobs_the_caller_started(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        job = (await client.call_tool("start_search", {"query": "index=main | head 3"})).structured_content
        listed = (await client.call_tool("list_search_jobs", {"count": 200})).structured_content
    assert job["sid"] in {j["sid"] for j in listed["jobs"]}


def test_analyst_cannot_search_an_index_its_role_cannot_read(
    mcp_server: ServerProcess, analyst_token: str, admin_token: str
) -> None:
    query = "index=security | stats count"
    as_admin = call_tool(
        mcp_server.mcp_url, admin_token, "run_search", {"query": query, "earliest_time": "-7d"}
    )
    as_analyst = call_tool(
        mcp_server.mcp_url, analyst_token, "run_search", {"query": query, "earliest_time": "-7d"}
    )
    assert int(as_admin["structuredContent"]["rows"][0]["count"]) > 0
    assert int(as_analyst["structuredContent"]["rows"][0]["count"]) == 0
