"""What one server process holds for all calls: settings, keys, limits, policy. Nothing per client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from server.auth import TokenKeyRing, TokenPolicy
from server.settings import ServerSettings
from server.spl import SplPolicy
from server.splunk.connection import HandlerFactory, Limits, per_request_handler

RUNTIME_ATTRIBUTE = "splunk_runtime"


@dataclass
class ServerRuntime:
    settings: ServerSettings
    ring: TokenKeyRing
    token_policy: TokenPolicy
    limits: Limits
    spl_policy: SplPolicy
    handler_factory: HandlerFactory = per_request_handler
    stdio_token: str | None = None
    _limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)

    def limiter(self) -> anyio.CapacityLimiter:
        """Bound on Splunk calls in flight (worker threads); created on first use inside the event loop."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.splunk_max_concurrency)
        return self._limiter


def attach_runtime(server: Any, runtime: ServerRuntime) -> None:
    setattr(server, RUNTIME_ATTRIBUTE, runtime)


def runtime_of(server: Any) -> ServerRuntime:
    runtime = getattr(server, RUNTIME_ATTRIBUTE, None)
    if not isinstance(runtime, ServerRuntime):
        raise RuntimeError("this FastMCP server was not built by server.app.build_server")
    return runtime
