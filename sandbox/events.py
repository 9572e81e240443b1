"""Deterministic sample data for the sandbox splunkd: seeded events over a few realistic indexes."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from heapq import merge


@dataclass(slots=True)
class Event:
    time: float  # epoch seconds
    index: str
    host: str
    source: str
    sourcetype: str
    raw: str  # _raw
    fields: dict[str, str]  # search-time extracted key=value fields
    linecount: int = 1


@dataclass(frozen=True)
class IndexInfo:
    name: str
    datatype: str  # "event" | "metric"
    event_count: int
    size_mb: float
    earliest: float | None
    latest: float | None


@dataclass
class _IndexEvents:
    """One index's events, newest first, with the negated times ascending for bisect."""

    events: list[Event] = field(default_factory=list)
    neg_times: list[float] = field(default_factory=list)

    def window(self, earliest: float | None, latest: float | None) -> list[Event]:
        # Splunk's window is earliest <= _time < latest.
        lo = 0 if latest is None else bisect_right(self.neg_times, -latest)
        hi = len(self.events) if earliest is None else bisect_right(self.neg_times, -earliest)
        return self.events[lo:hi]


class EventStore:
    """Events per index, each list sorted newest first, so time bounds are two bisects."""

    def __init__(self, events_by_index: dict[str, list[Event]], datatypes: dict[str, str]) -> None:
        raise NotImplementedError

    indexes: dict[str, IndexInfo]

    def scan(self, index_names: Iterable[str], earliest: float | None, latest: float | None) -> Iterator[Event]:
        """Events of the named indexes with earliest <= time < latest, newest first."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


def build_event_store(
    *, seed: int = 42, count: int = 250_000, days: int = 7, now: float | None = None
) -> EventStore:
    raise NotImplementedError
