"""The SPL engine's public types: what a search needs from its surroundings and what it returns."""

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
    fields: list[str]  # internal _* fields first as splunkd does, then first-seen order
    rows: list[
        dict[str, str | list[str]]
    ]  # strings or lists of strings; _time as ISO-8601 with ms and offset
    event_count: int  # events matched by the base search
    scan_count: int  # events scanned (>= event_count)
    is_transforming: bool  # stats/timechart/top/... => results are not events
    commands: list[str]  # every command executed, lower-case, in order (subsearches and macros included)
    messages: list[tuple[str, str]] = field(default_factory=list)  # (type, text)


class SplError(Exception):
    """A search splunkd would reject; .message uses splunkd's wording exactly."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def command_error(command: str, text: str) -> SplError:
    return SplError(f"Error in '{command}' command: {text}")
