"""Builds the FastMCP server and its stateless ASGI app; any ASGI host can call `create_app()`.

uvicorn --factory server.app:create_app            # or gunicorn -k uvicorn.workers.UvicornWorker
"""

from __future__ import annotations

import logging

from fastmcp import FastMCP
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.access import TokenToolAccess
from server.auth import KeySetError, TokenKeyRing, TokenPolicy
from server.disconnect import watcher_middleware
from server.edge import SplunkTokenVerifier
from server.prompts import PROMPTS
from server.resources import RESOURCES
from server.runtime import ServerRuntime, attach_runtime
from server.settings import ServerSettings, SettingsError, load_settings
from server.spl import DEFAULT_DENIED_COMMANDS, SplPolicy
from server.splunk.connection import HandlerFactory, Limits, per_request_handler
from server.splunk.pool import PooledHandlerFactory
from server.toolsets import enabled_toolsets, instructions, register_tools

logger = logging.getLogger(__name__)

SERVER_NAME = "splunk-mcp"


def build_runtime(
    settings: ServerSettings,
    *,
    handler_factory: HandlerFactory | None = None,
    stdio_token: str | None = None,
) -> ServerRuntime:
    """Everything the process holds for all calls. `handler_factory` overrides the HTTP layer to Splunk."""
    try:
        ring = TokenKeyRing.from_json(settings.key_set_json())
    except KeySetError as exc:
        source = "SPLUNK_MCP_KEYS_FILE / --keys-file" if settings.keys_file else "SPLUNK_MCP_KEYS"
        raise SettingsError(f"{source}: {exc}") from None
    token_policy = TokenPolicy(
        audience=settings.audience,
        issuers=settings.issuers,
        clock_skew_seconds=settings.clock_skew_seconds,
        max_lifetime_seconds=settings.max_token_lifetime_seconds,
        allowed_hosts=settings.allowed_splunk_hosts,
        allow_insecure_http=settings.allow_insecure_http,
        allow_tls_verify_off=settings.allow_tls_verify_off,
    )
    spl_policy = SplPolicy(
        denied_commands=DEFAULT_DENIED_COMMANDS | {c.lower() for c in settings.spl_denied_commands},
        allowed_commands=settings.spl_allowed_commands or None,
    )
    limits = Limits(
        connect_timeout=settings.splunk_connect_timeout, read_timeout=settings.splunk_read_timeout
    )
    return ServerRuntime(
        settings=settings,
        ring=ring,
        token_policy=token_policy,
        limits=limits,
        spl_policy=spl_policy,
        handler_factory=handler_factory or default_handler_factory(settings),
        stdio_token=stdio_token,
    )


def default_handler_factory(settings: ServerSettings) -> HandlerFactory:
    """Pooled keep-alive connections to Splunk unless the operator turned pooling off."""
    if settings.splunk_pool_connections == 0:
        return per_request_handler
    return PooledHandlerFactory(connections_per_splunk=settings.splunk_pool_connections)


def build_server(runtime: ServerRuntime) -> FastMCP:
    """The FastMCP server: tools of the enabled toolsets, token auth, per-token tool access."""
    settings = runtime.settings
    toolsets = enabled_toolsets(settings)
    mcp = FastMCP(
        SERVER_NAME,
        instructions=instructions(toolsets),
        auth=SplunkTokenVerifier(runtime.ring, runtime.token_policy, mcp_path=settings.path),
        middleware=[TokenToolAccess()],
        mask_error_details=True,
    )
    attach_runtime(mcp, runtime)
    names = register_tools(mcp, toolsets, alert_actions_allowed=settings.allow_alert_actions)
    for component in RESOURCES:
        mcp.add_resource(component)
    for template in PROMPTS:
        mcp.add_prompt(template)
    logger.info("registered %d tools from toolsets %s", len(names), ",".join(t.id for t in toolsets))

    @mcp.custom_route("/healthz", methods=["GET"], include_in_schema=False)
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return mcp


def create_app(
    settings: ServerSettings | None = None, *, handler_factory: HandlerFactory | None = None
) -> Starlette:
    """The stateless ASGI app: no session state, JSON responses, any replica answers any request."""
    runtime = build_runtime(settings or load_settings(), handler_factory=handler_factory)
    mcp = build_server(runtime)
    return mcp.http_app(
        path=runtime.settings.path, stateless_http=True, json_response=True, middleware=[watcher_middleware()]
    )
