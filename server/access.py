"""Per-token tool visibility: `tools/list` shows a token only what it may call, and calls obey the same rule.

Write tools need scope `splunk:write`; a token's optional `tools` claim narrows further. Nothing a
tool argument says can widen this.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_server
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from server.claims import SCOPE_WRITE, TokenClaims
from server.deps import current_grant
from server.runtime import runtime_of
from server.toolsets import toolset_of

WRITE_TAG = "write"
logger = logging.getLogger(__name__)


def may_call(tool: Tool, grant: TokenClaims) -> bool:
    if WRITE_TAG in (tool.tags or set()) and SCOPE_WRITE not in grant.scopes:
        return False
    return grant.tools is None or tool.name in grant.tools


class TokenToolAccess(Middleware):
    """Filters tools/list and guards tools/call by the caller's token."""

    def _grant(self) -> TokenClaims:
        return current_grant(runtime_of(get_server()))

    async def on_list_tools(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Sequence[Tool]]
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        grant = self._grant()
        return [tool for tool in tools if may_call(tool, grant)]

    async def on_call_tool(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, ToolResult]
    ) -> ToolResult:
        name = context.message.name
        grant = self._grant()
        started = time.perf_counter()
        outcome = "refused"
        try:
            self._check_call(name, await get_server().get_tool(name), grant)
            outcome = "error"
            result = await call_next(context)
            outcome = "ok"
            return result
        finally:
            # One audit line per call: who, which tool, how it ended. Never arguments, SPL or credentials.
            logger.info(
                "tool call %s sub=%s jti=%s outcome=%s ms=%.1f",
                name,
                grant.sub,
                grant.jti,
                outcome,
                (time.perf_counter() - started) * 1000,
            )

    @staticmethod
    def _check_call(name: str, tool: Tool | None, grant: TokenClaims) -> None:
        if tool is None:
            toolset = toolset_of(name)
            if toolset is not None and toolset.write:
                raise ToolError(
                    f"'{name}' is a write tool and this server has write tools off "
                    "(the operator enables them with SPLUNK_MCP_ENABLE_WRITE_TOOLS)."
                )
            if toolset is not None:
                raise ToolError(
                    f"'{name}' belongs to the toolset '{toolset.id}', which this server does not enable."
                )
        elif not may_call(tool, grant):
            if WRITE_TAG in (tool.tags or set()) and SCOPE_WRITE not in grant.scopes:
                raise ToolError(f"'{name}' needs a token with scope {SCOPE_WRITE}; this token is read-only.")
            raise ToolError(f"'{name}' is not among the tools this token allows (its `tools` claim).")
