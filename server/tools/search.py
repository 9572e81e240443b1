"""Search toolset: run SPL as Splunk search jobs, page their results, validate SPL.

Every SPL path goes through the policy (server/guard.py) first. Searches run as jobs with a TTL;
a call waits a bounded time, and a search that outlives the wait comes back as a sid to poll,
never as a request held open until some proxy kills it.
"""

from __future__ import annotations

import contextlib
import time
from typing import Annotated, Any

import anyio
from fastmcp.dependencies import Depends
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.disconnect import ClientGone, client_gone
from server.guard import check_spl, enforce_spl
from server.pages import PageInfo, page_info, shape_rows
from server.spl import normalize_query
from server.splunk.values import as_float, truthy
from server.timewindow import TimeWindowError, check_window
from server.toolsets import JOB_CONTROL, READ_ONLY

Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20_000,
        description="SPL, e.g. `index=web status>=500 | stats count by host`.",
    ),
]
Earliest = Annotated[
    str | None,
    Field(
        max_length=64,
        description="Start of the window: a Splunk time modifier (-24h, -7d@d), epoch or ISO 8601. Default: the server's window (-24h).",
    ),
]
Latest = Annotated[str, Field(max_length=64, description="End of the window (default now).")]
Count = Annotated[
    int | None, Field(ge=1, le=10_000, description="Rows per page (server default 100, server cap applies).")
]
Offset = Annotated[
    int, Field(ge=0, le=10_000_000, description="Rows to skip; pass the previous next_offset.")
]
Sid = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$", description="A search job id (sid)."),
]
WaitSeconds = Annotated[
    float | None, Field(ge=0, le=300, description="How long to wait for the job (server cap applies).")
]


class JobStatus(BaseModel):
    sid: str
    state: str = Field(description="QUEUED, PARSING, RUNNING, FINALIZING, DONE, FAILED or PAUSED.")
    is_done: bool
    is_failed: bool
    progress: float = Field(description="0.0 to 1.0.")
    event_count: int
    result_count: int
    scan_count: int
    run_duration_seconds: float | None = None
    search: str | None = None
    messages: list[str] = Field(default_factory=list, description="Splunk's messages about the job.")


class SearchResult(BaseModel):
    """Rows of a search job, one page at a time."""

    sid: str = Field(description="Job id: page further with get_search_results(sid, offset=next_offset).")
    is_done: bool
    state: str
    progress: float
    fields: list[str]
    rows: list[dict[str, Any]]
    page: PageInfo
    truncated: bool = Field(
        description="True when rows or values were cut: more rows exist, or the byte cap hit."
    )
    values_truncated: bool = Field(
        description="True when long values were shortened (marked '…[truncated N chars]')."
    )
    earliest_time: str | None = None
    latest_time: str | None = None
    messages: list[str] = Field(default_factory=list)
    note: str | None = Field(default=None, description="What to do next, when there is something to do.")


class JobList(BaseModel):
    jobs: list[JobStatus]
    page: PageInfo


class SplValidation(BaseModel):
    valid: bool = Field(description="Splunk's parser accepted the SPL.")
    allowed: bool = Field(description="This server's policy would run it.")
    commands: list[str] = Field(description="Every command found, subsearches and expanded macros included.")
    problems: list[str] = Field(description="Parser errors and policy violations, worded to fix.")
    normalized_query: str


def job_status(sid: str, entry: dict[str, Any] | None) -> JobStatus:
    if entry is None:  # Splunk answers 204 for a moment after dispatch
        return JobStatus(
            sid=sid,
            state="QUEUED",
            is_done=False,
            is_failed=False,
            progress=0.0,
            event_count=0,
            result_count=0,
            scan_count=0,
        )
    content = entry.get("content", {})
    messages = content.get("messages") or []
    texts = (
        [str(m.get("text", m)) if isinstance(m, dict) else str(m) for m in messages]
        if isinstance(messages, list)
        else []
    )
    return JobStatus(
        sid=sid,
        state=str(content.get("dispatchState", "UNKNOWN")),
        is_done=truthy(content.get("isDone")),
        is_failed=truthy(content.get("isFailed")),
        progress=round(as_float(content.get("doneProgress")), 3),
        event_count=int(as_float(content.get("eventCount"))),
        result_count=int(as_float(content.get("resultCount"))),
        scan_count=int(as_float(content.get("scanCount"))),
        run_duration_seconds=as_float(content.get("runDuration")) or None,
        search=content.get("search"),
        messages=texts,
    )


def _row_count(splunk: SplunkCall, count: int | None) -> int:
    settings = splunk.runtime.settings
    return min(count or settings.row_limit_default, settings.row_limit_max)


async def fetch_page(
    splunk: SplunkCall,
    status: JobStatus,
    *,
    count: int | None,
    offset: int,
    earliest: str | None = None,
    latest: str | None = None,
) -> SearchResult:
    settings = splunk.runtime.settings
    size = _row_count(splunk, count)
    total = status.result_count
    if status.is_done:
        result = await splunk.run(splunk.client.job_rows, status.sid, "results", count=size, offset=offset)
    else:
        result = await splunk.run(
            splunk.client.job_rows, status.sid, "results_preview", count=size, offset=offset
        )
    rows, values_cut, rows_cut = shape_rows(
        result.rows, field_chars=settings.field_chars_max, byte_budget=settings.result_bytes_max
    )
    more = rows_cut or (offset + len(rows) < total) if status.is_done else True
    page = page_info(total=total if status.is_done else None, offset=offset, returned=len(rows), more=more)
    note = None
    if not status.is_done:
        note = (
            f"The search is still running ({status.progress:.0%}); these are preview rows. "
            f"Call get_search_job('{status.sid}') until is_done, then get_search_results."
        )
    elif page.has_more:
        note = f"More rows: call get_search_results(sid='{status.sid}', offset={page.next_offset})."
    return SearchResult(
        sid=status.sid,
        is_done=status.is_done,
        state=status.state,
        progress=status.progress,
        fields=result.fields or sorted({k for row in rows for k in row}),
        rows=rows,
        page=page,
        truncated=page.has_more or rows_cut,
        values_truncated=values_cut,
        earliest_time=earliest,
        latest_time=latest,
        messages=[m["text"] for m in result.messages if m.get("text")] + status.messages,
        note=note,
    )


async def wait_for_job(splunk: SplunkCall, sid: str, budget: float) -> JobStatus:
    """Poll with a growing interval until the job is done or the budget is spent."""
    deadline = time.monotonic() + budget
    interval = 0.05
    while True:
        if client_gone():
            raise ClientGone(sid)
        status = job_status(sid, await splunk.run(splunk.client.job, sid))
        if status.is_done or status.is_failed or time.monotonic() >= deadline:
            return status
        await anyio.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        interval = min(interval * 1.6, 1.0)


async def cancel_quietly(splunk: SplunkCall, sid: str) -> None:
    # The job may already be gone; its TTL reaps it anyway.
    with anyio.CancelScope(shield=True), contextlib.suppress(ToolError):
        await splunk.run(splunk.client.control_job, sid, "cancel")


async def first_page(
    splunk: SplunkCall,
    sid: str,
    *,
    wait_seconds: float | None,
    count: int | None,
    earliest: str | None,
    latest: str | None,
    failure: str,
    fix: str,
) -> SearchResult:
    """Wait a bounded time for a job, then its first page; the job is cancelled if the call is
    cancelled or its HTTP client goes away. Shared by every tool that dispatches a search."""
    settings = splunk.runtime.settings
    budget = min(
        settings.search_wait_seconds, settings.search_wait_seconds if wait_seconds is None else wait_seconds
    )
    try:
        status = await wait_for_job(splunk, sid, budget)
        if status.is_failed:
            raise ToolError(f"{failure}: {'; '.join(status.messages) or status.state}. {fix}")
        return await fetch_page(splunk, status, count=count, offset=0, earliest=earliest, latest=latest)
    except (anyio.get_cancelled_exc_class(), ClientGone):
        await cancel_quietly(splunk, sid)  # stop the Splunk job too: nobody will read it
        raise


async def _start(splunk: SplunkCall, query: str, earliest: str | None, latest: str) -> tuple[str, str]:
    spl = await enforce_spl(splunk, query)
    settings = splunk.runtime.settings
    earliest = earliest or settings.default_earliest
    try:
        check_window(spl, earliest, latest, settings.max_search_window_seconds, time.time())
    except TimeWindowError as exc:
        raise ToolError(str(exc)) from None
    sid = await splunk.run(
        splunk.client.create_job,
        spl,
        earliest_time=earliest,
        latest_time=latest,
        ttl=settings.search_job_ttl_seconds,
    )
    return sid, earliest


@tool(title="Run a Splunk search", tags={"search"}, annotations=READ_ONLY)
async def run_search(
    query: Query,
    earliest_time: Earliest = None,
    latest_time: Latest = "now",
    count: Count = None,
    wait_seconds: WaitSeconds = None,
    splunk: SplunkCall = Depends(splunk_call),
) -> SearchResult:
    """Run SPL as a search job and return the first page of rows.

    Defaults: window -24h..now unless the query or arguments say otherwise; 100 rows a page (server
    cap applies); waits up to the server's bound (20 s). If the job is still running then, you get
    its sid, progress and preview rows: poll get_search_job and page with get_search_results
    instead of re-running. `truncated` is true whenever rows or values were cut.
    Learn the data first (list_indexes, get_field_summary), always name an index, prefer
    `stats`/`head` to raw events. Commands that write (delete, collect, outputlookup, sendemail…)
    are refused by policy.
    """
    sid, earliest = await _start(splunk, query, earliest_time, latest_time)
    return await first_page(
        splunk,
        sid,
        wait_seconds=wait_seconds,
        count=count,
        earliest=earliest,
        latest=latest_time,
        failure="The search failed in Splunk",
        fix="Fix the SPL and call run_search again.",
    )


@tool(title="Start a Splunk search job", tags={"search"}, annotations=READ_ONLY)
async def start_search(
    query: Query,
    earliest_time: Earliest = None,
    latest_time: Latest = "now",
    splunk: SplunkCall = Depends(splunk_call),
) -> JobStatus:
    """Start SPL as a background search job and return its sid at once.

    For long searches: poll get_search_job(sid) until is_done, then page get_search_results(sid).
    Same policy and defaults as run_search. The job expires after the server's TTL (10 min).
    """
    sid, _ = await _start(splunk, query, earliest_time, latest_time)
    return job_status(sid, await splunk.run(splunk.client.job, sid))


@tool(title="Search job status", tags={"search"}, annotations=READ_ONLY)
async def get_search_job(sid: Sid, splunk: SplunkCall = Depends(splunk_call)) -> JobStatus:
    """State, progress (0..1), event/result counts and Splunk's messages for a search job."""
    return job_status(sid, await splunk.run(splunk.client.job, sid))


@tool(title="Page search results", tags={"search"}, annotations=READ_ONLY)
async def get_search_results(
    sid: Sid,
    count: Count = None,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> SearchResult:
    """A page of a search job's results by sid, without re-running the search.

    Follow `page.next_offset` while `page.has_more`. On a running job you get preview rows.
    """
    status = job_status(sid, await splunk.run(splunk.client.job, sid))
    return await fetch_page(splunk, status, count=count, offset=offset)


@tool(title="Cancel a search job", tags={"search"}, annotations=JOB_CONTROL)
async def cancel_search_job(sid: Sid, splunk: SplunkCall = Depends(splunk_call)) -> JobStatus:
    """Cancel a running search job (its results are discarded)."""
    status = job_status(sid, await splunk.run(splunk.client.job, sid))
    await splunk.run(splunk.client.control_job, sid, "cancel")
    return status.model_copy(update={"state": "CANCELLED"})


@tool(title="List search jobs", tags={"search"}, annotations=READ_ONLY)
async def list_search_jobs(
    count: Annotated[int, Field(ge=1, le=200)] = 20,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> JobList:
    """Search jobs visible to this token's user, newest first, with state and counts."""
    page = await splunk.run(splunk.client.list_entities, "search/jobs", count=count, offset=offset)
    jobs = [job_status(str(e.get("content", {}).get("sid") or e.get("name", "")), e) for e in page.entries]
    return JobList(jobs=jobs, page=page_info(total=page.total, offset=offset, returned=len(jobs)))


@tool(title="Validate SPL", tags={"search"}, annotations=READ_ONLY)
async def validate_spl(query: Query, splunk: SplunkCall = Depends(splunk_call)) -> SplValidation:
    """Check SPL without running it: Splunk's parser verdict plus this server's policy verdict.

    Use it before run_search for complex SPL. Macros and saved searches are expanded.
    """
    verdict = await splunk.run(check_spl, splunk, query)
    problems = [v.reason for v in verdict.violations]
    valid = True
    if verdict.allowed or verdict.commands:
        try:
            await splunk.run(splunk.client.parse, normalize_query(query))
        except ToolError as exc:
            valid = False
            problems.insert(0, str(exc))
    return SplValidation(
        valid=valid,
        allowed=verdict.allowed,
        commands=list(verdict.commands),
        problems=problems,
        normalized_query=normalize_query(query),
    )


TOOLS = (
    run_search,
    start_search,
    get_search_job,
    get_search_results,
    cancel_search_job,
    list_search_jobs,
    validate_spl,
)
