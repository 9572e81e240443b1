"""Prompts for common investigations: each is a plan that uses the tools in their cheapest order."""

from typing import Annotated

from fastmcp.prompts import prompt
from pydantic import Field

Window = Annotated[str, Field(max_length=32, description="Splunk time modifier, e.g. -4h or -7d@d.")]
IndexName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_*][A-Za-z0-9_.*-]*$")]


@prompt(title="Investigate errors in an index")
def investigate_errors(index: IndexName, window: Window = "-4h") -> str:
    """Find what is failing in an index over a window, and since when."""
    return f"""Investigate errors in the Splunk index `{index}` over `earliest_time={window}`.

1. Call get_field_summary(index="{index}", earliest_time="{window}") to learn the fields (look for
   log_level, status, severity, error, exception, service).
2. Count errors by their most telling field, e.g. run_search with
   `index={index} (log_level=ERROR OR status>=500 OR error) | stats count by sourcetype, host` and earliest_time="{window}".
3. Find when it started: `index={index} <the error filter> | timechart span=10m count`.
4. Read a handful of raw events of the biggest group (`| head 5`), then summarise: what fails, where,
   since when, how often, and the likely cause. Quote the SPL you used so the user can re-run it."""


@prompt(title="Security triage of failed logins")
def triage_failed_logins(window: Window = "-24h", index: IndexName = "security") -> str:
    """Look for brute force and password spraying in authentication events."""
    return f"""Triage failed logins in Splunk over `earliest_time={window}` (index `{index}`).

1. list_sourcetypes(index="{index}", earliest_time="{window}") to see the authentication sources.
2. Failed logins by source address: `index={index} action=failure | stats count dc(user) as users by src_ip | sort -count`.
3. For the top addresses, check whether any login then succeeded:
   `index={index} src_ip=<addr> | stats count by action, user`.
4. Spraying: `index={index} action=failure | stats dc(src_ip) as sources count by user | sort -sources`.
5. Report suspicious addresses and accounts with counts, first/last seen, and whether a success followed.
Only read; never change Splunk."""


@prompt(title="Write SPL for a question")
def write_spl(
    question: Annotated[str, Field(min_length=1, max_length=2000)], index: IndexName | None = None
) -> str:
    """Turn a question into SPL that is checked before it runs."""
    scope = f"the index `{index}`" if index else "the right index (call list_indexes first)"
    return f"""Write Splunk SPL that answers: {question}

Work against {scope}. Before writing SPL, call get_field_summary for that index so field names and
values are real. Always name the index and a time range; prefer stats/timechart/top over raw
events; end with `| head` when listing events. Check the SPL with validate_spl, fix what it reports,
then run it with run_search and explain the result and the SPL in two or three sentences."""


PROMPTS = (investigate_errors, triage_failed_logins, write_spl)
