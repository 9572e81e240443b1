"""Applies the SPL policy to a query on the caller's own Splunk, before anything runs.

Macros and saved searches are expanded through the same per-call connection, so the policy sees
what Splunk would run for this user, not what some other identity would see.
"""

from __future__ import annotations

from fastmcp.exceptions import ToolError

from server.deps import SplunkCall
from server.spl import MacroDefinition, PolicyVerdict, normalize_query
from server.splunk.client import SplunkClient, entity_path
from server.splunk.errors import SplunkNotFound


class SplunkKnowledgeResolver:
    """Resolves macros and saved searches for the policy through the caller's Splunk (blocking)."""

    def __init__(self, client: SplunkClient):
        self.client = client

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        stanza = name if argc == 0 else f"{name}({argc})"
        try:
            entry = self.client.get_entity("configs/conf-macros", stanza)
        except SplunkNotFound:
            return None
        content = entry.get("content", {})
        args = tuple(a.strip() for a in str(content.get("args") or "").split(",") if a.strip())
        iseval = str(content.get("iseval", "0")).strip().lower() in ("1", "true")
        return MacroDefinition(definition=str(content.get("definition", "")), args=args, iseval=iseval)

    def saved_search(self, name: str) -> str | None:
        try:
            entry = self.client.get_entity("saved/searches", name)
        except SplunkNotFound:
            return None
        return str(entry.get("content", {}).get("search", ""))


def check_spl(splunk: SplunkCall, query: str) -> PolicyVerdict:
    """The policy verdict for `query` (blocking: run it through `splunk.run`)."""
    return splunk.runtime.spl_policy.check(normalize_query(query), SplunkKnowledgeResolver(splunk.client))


async def enforce_spl(splunk: SplunkCall, query: str) -> str:
    """The normalised query if the policy allows it; otherwise a ToolError that says why."""
    verdict = await splunk.run(check_spl, splunk, query)
    if not verdict.allowed:
        raise ToolError(verdict.explain())
    return normalize_query(query)


__all__ = ["SplunkKnowledgeResolver", "check_spl", "enforce_spl", "entity_path"]
