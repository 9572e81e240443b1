"""The request/response/error values passed between the HTTP layer and the REST handlers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox.accounts import User

TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})


class SplunkdError(Exception):
    """An error answered as splunkd does: <response><messages><msg type=...>text</msg>."""

    def __init__(
        self, status: int, message: str, msg_type: str = "ERROR", headers: list[tuple[str, str]] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.msg_type = msg_type
        self.headers = headers or []


@dataclass
class Request:
    method: str
    raw_path: str
    parts: list[str]  # decoded path segments after /services or /servicesNS/{owner}/{app}
    owner: str | None
    app: str | None
    params: dict[str, list[str]]
    body: bytes = b""
    content_type: str = ""
    user: User | None = None
    auth_scheme: str | None = None
    internal: bool = False  # issued by the `rest` search command, not a socket

    @property
    def path(self) -> str:
        return "/services/" + "/".join(self.parts)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        return default if value is None else value.strip().lower() in TRUE_WORDS

    def int(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value))
        except ValueError:
            raise SplunkdError(400, f'Argument "{name}" is not a valid integer: {value}') from None

    @property
    def json_mode(self) -> bool:
        return (self.get("output_mode") or "").lower() == "json"

    def single_params(self) -> dict[str, Any]:
        return {k: v[-1] if len(v) == 1 else list(v) for k, v in self.params.items()}


@dataclass
class Response:
    status: int
    body: bytes | Iterator[bytes] = b""
    content_type: str = "text/xml; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def xml_response(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode(), "text/xml; charset=UTF-8", headers or [])


def json_response(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode(), "application/json; charset=UTF-8", headers or [])
