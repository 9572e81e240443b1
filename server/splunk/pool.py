"""A pooled splunklib HTTP handler: keep-alive connections to each Splunk, reused across calls.

splunklib opens (and for HTTPS, handshakes) a new connection for every REST request. This handler
keeps connections per Splunk *and per trust setting* in urllib3 pools, so a token that trusts a
different CA, or turns verification off, never reuses a connection verified under other rules.
Pools hold no credentials: every request carries its own Authorization header. Errors are re-raised
as the stdlib socket/TLS errors that `server.splunk.errors.translated` already maps.
"""

from __future__ import annotations

import hashlib
import io
import socket
import ssl
import threading
from collections import OrderedDict
from typing import Any

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError

from server.claims import SplunkConnection
from server.splunk.connection import USER_AGENT, Limits, ResponseTooLarge, SplunkHttpHandler, tls_context

PoolKey = tuple[str, str, int, bool, str, float, float]


class _PooledBody(io.RawIOBase):
    """A response body that returns its connection to the pool at EOF and enforces the size cap."""

    def __init__(self, response: urllib3.BaseHTTPResponse, cap: int):
        self._response = response
        self._remaining = cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        try:
            count = self._response.readinto(view[: max(1, min(len(view), self._remaining + 1))])
        except (ReadTimeoutError, ProtocolError) as exc:
            self._response.close()
            raise _stdlib_error(exc) from None
        if count == 0:
            self._response.release_conn()  # fully read: the connection can serve the next request
            return 0
        self._remaining -= count
        if self._remaining < 0:
            self._response.close()
            raise ResponseTooLarge("the Splunk response exceeded the size limit")
        return count

    def close(self) -> None:
        if not self.closed:
            self._response.release_conn()
        super().close()


def _stdlib_error(exc: BaseException) -> BaseException:
    """The socket/TLS error behind a urllib3 exception."""
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        return _stdlib_error(exc.reason)
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(exc, NewConnectionError):
        inner = exc.__context__ or exc.__cause__
        if isinstance(inner, socket.gaierror | ConnectionRefusedError):
            return inner
        return (
            ConnectionRefusedError("Splunk refused the connection")
            if "refused" in str(exc).lower()
            else OSError(str(exc))
        )
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return TimeoutError("Splunk did not answer in time")
    if isinstance(exc, Urllib3SSLError):
        inner = exc.args[0] if exc.args else None
        return inner if isinstance(inner, ssl.SSLError) else ssl.SSLError(str(exc))
    if isinstance(exc, ProtocolError):
        return ConnectionResetError("the connection to Splunk broke")
    return exc


class PooledHandlerFactory:
    """A HandlerFactory whose handlers share keep-alive pools, one per (Splunk, trust, timeouts)."""

    def __init__(self, connections_per_splunk: int = 8, max_splunks: int = 64):
        self.connections_per_splunk = connections_per_splunk
        self.max_splunks = max_splunks
        self._pools: OrderedDict[PoolKey, urllib3.HTTPConnectionPool] = OrderedDict()
        self._lock = threading.Lock()

    def _pool(self, connection: SplunkConnection, limits: Limits) -> urllib3.HTTPConnectionPool:
        trust = hashlib.sha256((connection.ca_pem or "").encode()).hexdigest()
        key: PoolKey = (
            connection.scheme,
            connection.host,
            connection.port,
            connection.verify_tls,
            trust,
            limits.connect_timeout,
            limits.read_timeout,
        )
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            timeout = urllib3.Timeout(connect=limits.connect_timeout, read=limits.read_timeout)
            common: dict[str, Any] = {
                "maxsize": self.connections_per_splunk,
                "block": False,
                "timeout": timeout,
                "retries": False,
            }
            if connection.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    connection.host,
                    connection.port,
                    ssl_context=tls_context(connection.verify_tls, connection.ca_pem),
                    assert_hostname=False if not connection.verify_tls else None,
                    cert_reqs="CERT_REQUIRED" if connection.verify_tls else "CERT_NONE",
                    **common,
                )
            else:
                pool = urllib3.HTTPConnectionPool(connection.host, connection.port, **common)
            self._pools[key] = pool
            while len(self._pools) > self.max_splunks:
                _, evicted = self._pools.popitem(last=False)
                evicted.close()
            return pool

    def __call__(self, connection: SplunkConnection, limits: Limits) -> SplunkHttpHandler:
        pool = self._pool(connection, limits)

        def request(url: str, message: dict[str, Any], **_: Any) -> dict[str, Any]:
            path = url.split("://", 1)[-1]
            path = path[path.index("/") :] if "/" in path else "/"
            headers = {
                "User-Agent": USER_AGENT,
                "Accept": "*/*",
                **dict(message["headers"]),
                "Connection": "keep-alive",
            }
            try:
                response = pool.urlopen(
                    message.get("method", "GET"),
                    path,
                    body=message.get("body") or None,
                    headers=headers,
                    retries=False,
                    redirect=False,
                    preload_content=False,
                    release_conn=False,
                )
            except (
                MaxRetryError,
                ConnectTimeoutError,
                ReadTimeoutError,
                NewConnectionError,
                ProtocolError,
                Urllib3SSLError,
            ) as exc:
                raise _stdlib_error(exc) from None
            return {
                "status": response.status,
                "reason": response.reason or "",
                "headers": list(response.headers.items()),
                "body": io.BufferedReader(_PooledBody(response, limits.max_response_bytes)),
            }

        return request

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
