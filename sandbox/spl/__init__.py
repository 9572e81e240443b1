"""A small SPL engine over the sandbox's EventStore: enough of Splunk's search language for the MCP tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sandbox.events import EventStore


@dataclass(frozen=True)
class MacroDef:
    args: tuple[str, ...]
    definition: str
    iseval: bool = False


class SearchEnvironment(Protocol):
    store: EventStore
    user: str
    readable_indexes: frozenset[str]  # others are invisible: silently no events, like Splunk
    default_indexes: tuple[str, ...]  # srchIndexesDefault, used when the search names no index
    now: float

    def macro(self, name: str, argc: int) -> MacroDef | None: ...

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None: ...

    def rest_rows(self, path: str, params: dict[str, str]) -> list[dict[str, object]]: ...

    def saved_search_query(self, name: str) -> str | None: ...


@dataclass
class SearchOutcome:
    fields: list[str]
    rows: list[dict[str, str | list[str]]]
    event_count: int
    scan_count: int
    is_transforming: bool
    commands: list[str]
    messages: list[tuple[str, str]] = field(default_factory=list)


class SplError(Exception):
    """A search splunkd would reject; .message uses splunkd's wording exactly."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def run_search(
    query: str, env: SearchEnvironment, *, earliest_time: str | None = None, latest_time: str | None = None
) -> SearchOutcome:
    raise NotImplementedError


def parse_time_modifier(value: str, now: float) -> float | None:
    raise NotImplementedError


def parse_query(query: str) -> dict:
    raise NotImplementedError
