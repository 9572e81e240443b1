"""Builds a splunklib `Service` from a token's connection claims, with no network I/O.

The HTTP layer is a splunklib *handler* made by a `HandlerFactory`, so a pooled handler can be
plugged in without touching callers. The default opens one connection per request, as
splunklib does, but with separate connect and read timeouts, real TLS verification (the
token's own CA if it carries one) and a cap on response size.
"""

from __future__ import annotations

import functools
import http.client
import io
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import splunklib
from splunklib import client as splunk_client

from server.claims import BasicAuth, BearerAuth, SessionAuth, SplunkConnection

USER_AGENT = f"splunk-mcp/0.1 splunk-sdk-python/{splunklib.__version__}"

SplunkHttpHandler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Limits:
    """Bounds on every HTTP exchange with Splunk."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_response_bytes: int = 64 * 1024 * 1024


class HandlerFactory(Protocol):
    def __call__(self, connection: SplunkConnection, limits: Limits) -> SplunkHttpHandler: ...


class ResponseTooLarge(OSError):
    """Splunk sent more than `Limits.max_response_bytes`."""


@functools.lru_cache(maxsize=64)
def tls_context(verify: bool, ca_pem: str | None) -> ssl.SSLContext:
    """An SSL context per (verify, CA): cached, since loading trust stores costs milliseconds."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_pem:
        return ssl.create_default_context(cadata=ca_pem)
    return ssl.create_default_context()


class _CappedBody(io.RawIOBase):
    """A response body that refuses to grow past a byte cap (splunklib reads bodies whole)."""

    def __init__(self, response: http.client.HTTPResponse, cap: int):
        self._response = response
        self._remaining = cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        count = self._response.readinto(view[: max(1, min(len(view), self._remaining + 1))])
        self._remaining -= count
        if self._remaining < 0:
            self._response.close()
            raise ResponseTooLarge("the Splunk response exceeded the size limit")
        return count

    def close(self) -> None:
        self._response.close()
        super().close()


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), path


def per_request_handler(connection: SplunkConnection, limits: Limits) -> SplunkHttpHandler:
    """A splunklib handler that opens one HTTP(S) connection per request."""
    context = tls_context(connection.verify_tls, connection.ca_pem) if connection.scheme == "https" else None

    def request(url: str, message: dict[str, Any], **_: Any) -> dict[str, Any]:
        scheme, host, port, path = _split(url)
        body = message.get("body", b"") or b""
        headers = {
            "Content-Length": str(len(body)),
            "Host": host,
            "User-Agent": USER_AGENT,
            "Accept": "*/*",
            "Connection": "Close",
        }
        headers.update(dict(message["headers"]))
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=limits.connect_timeout, context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=limits.connect_timeout)
        try:
            conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(limits.read_timeout)
            conn.request(message.get("method", "GET"), path, body, headers)
            response = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        return {
            "status": response.status,
            "reason": response.reason,
            "headers": response.getheaders(),
            "body": io.BufferedReader(_CappedBody(response, limits.max_response_bytes)),
        }

    return request


def open_service(
    connection: SplunkConnection,
    limits: Limits,
    handler_factory: HandlerFactory = per_request_handler,
) -> splunk_client.Service:
    """A splunklib Service for these claims. No request is made until the Service is used."""
    auth = connection.auth
    credentials: dict[str, Any]
    if isinstance(auth, BearerAuth):
        credentials = {"splunkToken": auth.token.get_secret_value()}
    elif isinstance(auth, BasicAuth):
        # HTTP Basic on every request: no login round trip and no session left behind.
        credentials = {"username": auth.username, "password": auth.password.get_secret_value(), "basic": True}
    elif isinstance(auth, SessionAuth):
        credentials = {"token": auth.session_key.get_secret_value()}
    else:  # pragma: no cover - the claims schema admits no other type
        raise TypeError("unsupported auth type")
    return splunk_client.Service(
        handler=handler_factory(connection, limits),
        scheme=connection.scheme,
        host=connection.host,
        port=connection.port,
        app=connection.app,
        owner=connection.owner,
        autologin=False,
        **credentials,
    )


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, socket.timeout | TimeoutError)
