"""Notices when an HTTP client goes away mid-call, so long tools can stop their Splunk work.

In stateless JSON mode nobody reads the request stream after the body, so a dropped connection
would go unnoticed and a search job would run on for nobody. This middleware watches for
`http.disconnect` and sets the call's `client_gone` event, which waiting tools check.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_client_gone: ContextVar[anyio.Event | None] = ContextVar("client_gone", default=None)


class ClientGone(Exception):
    """The HTTP client disconnected before the call finished; nobody will read the result."""


def client_gone() -> bool:
    """True once the HTTP client of the current call has disconnected (never true over stdio)."""
    event = _client_gone.get()
    return event is not None and event.is_set()


class DisconnectWatcher:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        gone = anyio.Event()
        body_read = anyio.Event()

        async def app_receive() -> Message:
            if body_read.is_set():  # after the body only a disconnect can come; the watcher reads it
                await gone.wait()
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
            elif not message.get("more_body", False):
                body_read.set()
            return message

        async def watch() -> None:
            await body_read.wait()
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        token = _client_gone.set(gone)
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(watch)
                await self.app(scope, app_receive, send)
                tasks.cancel_scope.cancel()
        finally:
            _client_gone.reset(token)


def watcher_middleware() -> Any:
    from starlette.middleware import Middleware

    return Middleware(DisconnectWatcher)
