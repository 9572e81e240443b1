"""Search jobs: dispatch runs the SPL engine in a worker pool; state is derived from the clock like splunkd's."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sandbox.spl import SearchEnvironment, SearchOutcome, SplError, run_search


@dataclass
class AuditRecord:
    user: str
    query: str
    mode: str  # "normal" | "blocking" | "oneshot" | "export" | "saved"
    commands: list[str]  # the engine's commands, macros expanded; filled once the search has run
    sid: str | None
    saved_search: str | None = None
    trigger_actions: bool = False


@dataclass
class Job:
    sid: str
    owner: str
    app: str
    query: str
    mode: str
    created: float
    duration: float
    earliest_time: str | None = None
    latest_time: str | None = None
    ttl: int = 600
    priority: int = 5
    label: str = ""
    saved_search: str | None = None
    trigger_actions: bool = False
    request: dict[str, Any] = field(default_factory=dict)
    outcome: SearchOutcome | None = None
    error: SplError | None = None
    ran: threading.Event = field(default_factory=threading.Event)
    engine_seconds: float = 0.0
    paused_at: float | None = None
    paused_total: float = 0.0
    finalized: bool = False
    touched: float = 0.0
    gets: int = 0  # how many status GETs, for splunkd's 204-right-after-dispatch quirk
    audit: AuditRecord | None = None
    on_done: Callable[[Job], None] | None = None  # e.g. a saved search dispatched with trigger_actions

    # -- lifecycle ---------------------------------------------------------------------------------

    def elapsed(self, now: float) -> float:
        paused = self.paused_total + ((now - self.paused_at) if self.paused_at is not None else 0.0)
        return max(now - self.created - paused, 0.0)

    def state(self, now: float | None = None) -> tuple[str, float]:
        """(dispatchState, doneProgress)."""
        now = time.time() if now is None else now
        if self.error is not None and self.ran.is_set():
            return "FAILED", 1.0
        if self.paused_at is not None:
            return "PAUSED", self._progress(now)
        if self.ran.is_set() and (self.finalized or self.elapsed(now) >= self.duration):
            return "DONE", 1.0
        progress = self._progress(now)
        fraction = self.elapsed(now) / self.duration if self.duration > 0 else 1.0
        if fraction < 0.1:
            return "QUEUED", 0.0
        if fraction < 0.2:
            return "PARSING", 0.0
        if fraction < 0.9 or not self.ran.is_set():
            return "RUNNING", progress
        return "FINALIZING", progress

    def _progress(self, now: float) -> float:
        if self.duration <= 0:
            return 0.99 if not self.ran.is_set() else 1.0
        return min(max((self.elapsed(now) / self.duration - 0.2) / 0.7, 0.0), 0.99)

    def is_done(self, now: float | None = None) -> bool:
        return self.state(now)[0] in ("DONE", "FAILED")

    def counts(self, now: float | None = None) -> tuple[int, int, int]:
        """(eventCount, scanCount, resultCount) as seen at `now`: they grow while RUNNING."""
        if self.outcome is None:
            return 0, 0, 0
        state, progress = self.state(now)
        out = self.outcome
        if state == "DONE":
            return out.event_count, out.scan_count, len(out.rows)
        results = 0 if out.is_transforming else int(len(out.rows) * progress)
        return int(out.event_count * progress), int(out.scan_count * progress), results

    def visible_rows(self, now: float | None = None) -> list[dict[str, Any]]:
        """Rows results_preview can show so far."""
        if self.outcome is None:
            return []
        if self.is_done(now):
            return self.outcome.rows
        return self.outcome.rows[: self.counts(now)[2]]

    def expired(self, now: float) -> bool:
        return self.is_done(now) and now - max(self.touched, self.created) > self.ttl + self.duration


class JobRegistry:
    """All jobs of the instance; runs the engine off the request thread."""

    def __init__(self, workers: int = 4, default_ttl: int = 600) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._counter = itertools.count(1)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox-search")
        self.default_ttl = default_ttl

    def new_sid(self, saved_search: str | None = None, user: str = "", owner: str = "", app: str = "") -> str:
        n = next(self._counter)
        now = int(time.time())
        if saved_search is None:
            return f"{now}.{n}"
        digest = hashlib.md5(saved_search.encode(), usedforsecurity=False).hexdigest()[:16]
        return f"{user}__{owner}__{app}__RMD5{digest}_at_{now}_{n}"

    def dispatch(self, job: Job, env: SearchEnvironment) -> Job:
        with self._lock:
            self._jobs[job.sid] = job
        self._pool.submit(self._run, job, env)
        return job

    @staticmethod
    def _run(job: Job, env: SearchEnvironment) -> None:
        started = time.perf_counter()
        try:
            job.outcome = run_search(
                job.query, env, earliest_time=job.earliest_time, latest_time=job.latest_time
            )
            if job.audit is not None:
                job.audit.commands.extend(job.outcome.commands)
        except SplError as exc:
            job.error = exc
        except Exception as exc:  # an engine bug must fail the job, not wedge it in RUNNING forever
            job.error = SplError(f"Search process failed: {exc}", status=500)
        finally:
            job.engine_seconds = time.perf_counter() - started
            job.ran.set()
        if job.on_done is not None and job.error is None:
            job.on_done(job)

    def get(self, sid: str) -> Job | None:
        now = time.time()
        with self._lock:
            job = self._jobs.get(sid)
            if job is not None and job.expired(now):
                del self._jobs[sid]
                return None
            return job

    def remove(self, sid: str) -> Job | None:
        with self._lock:
            return self._jobs.pop(sid, None)

    def all(self) -> list[Job]:
        now = time.time()
        with self._lock:
            for sid in [s for s, j in self._jobs.items() if j.expired(now)]:
                del self._jobs[sid]
            return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def wait(self, job: Job, stop: threading.Event) -> None:
        """Block until the job is DONE/FAILED (blocking mode) or the server stops."""
        while not stop.is_set():
            job.ran.wait(0.05)
            if job.is_done():
                return
            remaining = job.duration - job.elapsed(time.time())
            stop.wait(min(max(remaining, 0.005), 0.05))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
