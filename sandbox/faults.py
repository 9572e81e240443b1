"""Fault injection by path glob: latency, error statuses, resets, hangs, slow streams, session expiry."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any

KINDS = ("latency", "status", "reset", "hang", "slow_stream", "expire_sessions")


@dataclass
class Fault:
    id: str
    path: str  # fnmatch glob over the request path (raw and /services-normalised)
    kind: str
    seconds: float = 0.0  # latency
    status: int = 500  # status
    message: str | None = None  # status: the splunkd error text
    bytes_per_second: float | None = None  # slow_stream
    chunk_delay: float | None = None  # slow_stream: seconds between chunks (alternative to bytes_per_second)
    chunk_size: int = 256  # slow_stream
    method: str | None = None  # only this HTTP method, when set
    times: int | None = None  # fire this many times, then retire; None = until removed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultSet:
    """Active faults; the server asks `match()` once per request."""

    def __init__(self, expire_sessions: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._ids = itertools.count(1)
        self._expire_sessions = expire_sessions
        self.changed = threading.Condition(self._lock)

    def add(self, path: str = "*", kind: str = "latency", **options: Any) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        fid = f"fault-{next(self._ids)}"
        if kind == "expire_sessions":
            # An action, not a standing fault: every session key issued so far stops working now.
            self._expire_sessions()
            return fid
        fault = Fault(id=fid, path=path, kind=kind, **options)
        with self._lock:
            self._faults[fid] = fault
            self.changed.notify_all()
        return fid

    def remove(self, fault_id: str) -> bool:
        with self._lock:
            found = self._faults.pop(fault_id, None) is not None
            self.changed.notify_all()
            return found

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.changed.notify_all()

    def active(self, fault_id: str) -> bool:
        with self._lock:
            return fault_id in self._faults

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.values())

    def match(self, method: str, paths: tuple[str, ...]) -> Fault | None:
        if not self._faults:  # fast path: no lock when nothing is injected
            return None
        with self._lock:
            for fault in self._faults.values():
                if fault.method and fault.method.upper() != method:
                    continue
                if any(fnmatchcase(p, fault.path) for p in paths):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            del self._faults[fault.id]
                    return fault
        return None

    def __len__(self) -> int:
        return len(self._faults)
