"""Splunk failures as a small typed hierarchy, translated once from splunklib and socket errors."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree import ElementTree

from splunklib.binding import AuthenticationError, HTTPError

from server.splunk.connection import ResponseTooLarge


class SplunkError(Exception):
    """Base class. `messages` are Splunk's own words (never credentials)."""

    def __init__(self, summary: str, messages: tuple[str, ...] = (), status: int | None = None):
        super().__init__(summary)
        self.summary = summary
        self.messages = messages
        self.status = status

    @property
    def detail(self) -> str:
        return "; ".join(self.messages) or self.summary


class SplunkUnreachable(SplunkError):
    """No HTTP answer: refused, DNS, reset, timeout."""


class SplunkTimeout(SplunkUnreachable):
    pass


class SplunkTlsError(SplunkUnreachable):
    """The TLS handshake failed, usually certificate verification."""


class SplunkAuthError(SplunkError):
    """Splunk rejected the credentials (401)."""


class SplunkPermissionError(SplunkError):
    """The credentials are valid but lack a capability (403)."""


class SplunkNotFound(SplunkError):
    """No such object, or not visible to this user (404)."""


class SplunkRequestError(SplunkError):
    """Splunk rejected the request: bad SPL, bad argument (400, or FATAL messages in a 200)."""


class SplunkServerError(SplunkError):
    """Splunk failed (5xx or an unexpected answer)."""


class SplunkResponseTooLarge(SplunkError):
    pass


def parse_messages(body: bytes) -> tuple[str, ...]:
    """Splunk's `<msg>` texts (XML) or `messages[].text` (JSON) from an error body."""
    text = body.strip()
    if not text:
        return ()
    if text[:1] in (b"{", b"["):
        try:
            document = json.loads(text)
        except ValueError:
            return ()
        items = document.get("messages", []) if isinstance(document, dict) else []
        return tuple(str(m.get("text", "")).strip() for m in items if isinstance(m, dict) and m.get("text"))
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return ()
    return tuple((m.text or "").strip() for m in root.iter("msg") if (m.text or "").strip())


_BY_STATUS: dict[int, type[SplunkError]] = {
    400: SplunkRequestError,
    401: SplunkAuthError,
    403: SplunkPermissionError,
    404: SplunkNotFound,
}


def from_http_error(exc: HTTPError) -> SplunkError:
    status = int(exc.status)
    body = exc.body if isinstance(exc.body, bytes) else str(exc.body or "").encode()
    messages = parse_messages(body)
    kind = _BY_STATUS.get(status, SplunkServerError if status >= 500 else SplunkRequestError)
    return kind(f"Splunk answered HTTP {status}", messages, status)


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise splunklib, socket and TLS failures as SplunkError subclasses."""
    try:
        yield
    except SplunkError:
        raise
    except HTTPError as exc:
        raise from_http_error(exc) from None
    except AuthenticationError as exc:
        raise SplunkAuthError("Splunk rejected the credentials", (str(exc),), 401) from None
    except ResponseTooLarge:
        raise SplunkResponseTooLarge("the Splunk response exceeded the size limit") from None
    except ssl.SSLCertVerificationError as exc:
        raise SplunkTlsError(f"TLS verification of Splunk failed: {exc.verify_message}") from None
    except ssl.SSLError as exc:
        raise SplunkTlsError(f"TLS handshake with Splunk failed: {exc.reason or 'ssl error'}") from None
    except TimeoutError:
        raise SplunkTimeout("Splunk did not answer in time") from None
    except socket.gaierror:
        raise SplunkUnreachable("Splunk host name does not resolve") from None
    except ConnectionRefusedError:
        raise SplunkUnreachable("Splunk refused the connection") from None
    except (ConnectionError, OSError) as exc:
        raise SplunkUnreachable(f"connection to Splunk failed ({type(exc).__name__})") from None
