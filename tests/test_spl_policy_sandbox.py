"""The SPL policy corpus end to end: every case through run_search on a real server, against the sandbox.

Denied cases must be refused and never reach Splunk: the sandbox's audit of dispatched searches
proves nothing ran. Runnable allowed cases must reach Splunk and run.
"""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from tests.spl_policy_corpus import CORPUS, PolicyCase
from tests.support import ServerProcess, call_tool

DENIED = [case for case in CORPUS if not case.allowed]
RUNNABLE = [case for case in CORPUS if case.allowed and case.runnable]


def _id(case: PolicyCase) -> str:
    return case.why[:60]


def test_the_corpus_is_large_enough_and_mixed() -> None:
    assert len(CORPUS) >= 60
    assert len(DENIED) >= 30 and len(RUNNABLE) >= 15


@pytest.mark.parametrize("case", DENIED, ids=_id)
def test_denied_case_is_refused_and_nothing_is_dispatched(
    case: PolicyCase, mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    audited = len(sandbox.audit)
    dispatched = sum(
        1 for r in sandbox.requests if r.method == "POST" and "search" in r.path and "jobs" in r.path
    )
    result = call_tool(
        mcp_server.mcp_url, admin_token, "run_search", {"query": case.query, "earliest_time": "-1h"}
    )
    assert result["isError"] is True, case
    assert "Blocked" in result["content"][0]["text"] or "syntax" in result["content"][0]["text"].lower()
    assert len(sandbox.audit) == audited
    assert (
        sum(1 for r in sandbox.requests if r.method == "POST" and "search" in r.path and "jobs" in r.path)
        == dispatched
    )


@pytest.mark.parametrize("case", RUNNABLE, ids=_id)
def test_allowed_case_runs_in_splunk(
    case: PolicyCase, mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    audited = len(sandbox.audit)
    result = call_tool(
        mcp_server.mcp_url,
        admin_token,
        "run_search",
        {"query": case.query, "earliest_time": "-1h", "count": 5},
    )
    assert result["isError"] is False, (case, result["content"][0]["text"])
    assert result["structuredContent"]["is_done"] is True
    new = sandbox.audit[audited:]
    assert len(new) == 1 and new[0].mode == "normal"
    assert not set(new[0].commands) & {"delete", "collect", "outputlookup", "sendemail", "outputcsv"}
