"""The per-call Splunk dependency: the verified token becomes a ready Splunk client for one tool call.

Tools declare `splunk: SplunkCall = Depends(splunk_call)`; it is hidden from the input schema, so no
tool argument can change which Splunk or which identity a call uses. There is no server-wide
identity to fall back to.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_access_token, get_server

from server.auth import TokenRejected, decode_token
from server.claims import SCOPE_WRITE, TokenClaims
from server.edge import SplunkAccessToken
from server.errors import tool_error
from server.runtime import ServerRuntime, runtime_of
from server.splunk.client import SplunkClient
from server.splunk.connection import open_service
from server.splunk.errors import SplunkError

T = TypeVar("T")


@dataclass
class SplunkCall:
    """Everything a tool needs to talk to the caller's Splunk during one call."""

    client: SplunkClient
    grant: TokenClaims
    runtime: ServerRuntime
    _limiter: anyio.CapacityLimiter = field(repr=False)

    @property
    def can_write(self) -> bool:
        return SCOPE_WRITE in self.grant.scopes

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking Splunk I/O in a bounded worker thread, translating Splunk failures."""
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(fn, *args, **kwargs), limiter=self._limiter
            )
        except SplunkError as exc:
            raise tool_error(exc) from None


def current_grant(runtime: ServerRuntime) -> TokenClaims:
    """The verified claims of this call: from the HTTP edge, or the stdio token (re-checked each call)."""
    access = get_access_token()
    if isinstance(access, SplunkAccessToken):
        return access.grant
    if access is None and runtime.stdio_token is not None:
        try:
            return decode_token(runtime.ring, runtime.stdio_token, runtime.token_policy)
        except TokenRejected as rejection:
            raise ToolError(f"SPLUNK_MCP_TOKEN was rejected: {rejection.reason}. Mint a new token.") from None
    raise ToolError("This call carries no verified Splunk token; send Authorization: Bearer <token>.")


@asynccontextmanager
async def splunk_call() -> AsyncIterator[SplunkCall]:
    runtime = runtime_of(get_server())
    grant = current_grant(runtime)
    service = open_service(grant.splunk, runtime.limits, runtime.handler_factory)
    call = SplunkCall(client=SplunkClient(service), grant=grant, runtime=runtime, _limiter=runtime.limiter())
    try:
        yield call
    except SplunkError as exc:
        raise tool_error(exc) from None
