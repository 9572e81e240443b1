"""splunkd's search endpoints: jobs (normal, blocking, oneshot), results, control, export, parser."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from sandbox import atom
from sandbox.accounts import User, default_indexes, readable_indexes
from sandbox.atom import Entity
from sandbox.events import EventStore
from sandbox.http_types import Request, Response, SplunkdError, json_response, xml_response
from sandbox.jobs import AuditRecord, Job
from sandbox.rest import Listing, is_admin
from sandbox.spl import MacroDef, SearchOutcome, SplError, parse_query, run_search

if TYPE_CHECKING:
    from sandbox.server import SplunkdState

JOB_LINKS = ("search.log", "events", "results", "results_preview", "timeline", "summary", "control")


@dataclass
class SandboxSearchEnvironment:
    """What one user's search may see: their indexes, macros, lookups, and this server's REST endpoints."""

    store: EventStore
    user: str
    readable_indexes: frozenset[str]
    default_indexes: tuple[str, ...]
    now: float
    state: SplunkdState = field(repr=False)
    account: User = field(repr=False)

    def macro(self, name: str, argc: int) -> MacroDef | None:
        key = name if argc == 0 else f"{name}({argc})"
        with self.state.catalogue.lock:
            obj = self.state.catalogue.macros.get(key)
            if obj is None or obj.content.get("disabled") in (True, "1", "true"):
                return None
            args = tuple(a.strip() for a in str(obj.content.get("args") or "").split(",") if a.strip())
            iseval = obj.content.get("iseval") in (True, "1", "true")
            return MacroDef(args, str(obj.content.get("definition", "")), iseval)

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        return self.state.catalogue.lookup_rows(name)

    def rest_rows(self, path: str, params: dict[str, str]) -> list[dict[str, object]]:
        return self.state.rest_rows(self.account, path, params)

    def saved_search_query(self, name: str) -> str | None:
        return self.state.catalogue.saved_search_query(name)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "t", "yes", "y"}


class SearchApi:
    def __init__(self, state: SplunkdState) -> None:
        self.state = state

    # -- environment & audit -----------------------------------------------------------------------

    def environment(self, user: User) -> SandboxSearchEnvironment:
        names = list(self.state.store.indexes)
        readable = readable_indexes(user, names)
        return SandboxSearchEnvironment(
            store=self.state.store,
            user=user.name,
            readable_indexes=readable,
            default_indexes=default_indexes(user, readable),
            now=time.time(),
            state=self.state,
            account=user,
        )

    def _audit(self, user: User, query: str, mode: str, sid: str | None, **extra: Any) -> AuditRecord:
        record = AuditRecord(user.name, query, mode, [], sid, **extra)
        self.state.audit.append(record)
        return record

    # -- routing -----------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response | Listing:
        rest = req.parts[1:]
        if rest and rest[0] == "v2":
            rest = rest[1:]
        if not rest:
            raise SplunkdError(404, "Not Found")
        if rest[0] == "parser":
            return self.parser(req)
        if rest[0] != "jobs":
            raise SplunkdError(404, "Not Found")
        rest = rest[1:]
        if not rest:
            if req.method == "POST":
                return self.create(req)
            return self.list_jobs(req)
        if rest[0] == "export":
            return self.export(req)
        sid = rest[0]
        job = self._job(req, sid)
        sub = rest[1] if len(rest) > 1 else None
        if sub is None:
            if req.method == "DELETE":
                self.state.jobs.remove(job.sid)
                return xml_response(200, atom.messages_xml([("INFO", "Search job cancelled.")]))
            return self.job_status(req, job)
        if sub in ("results", "events", "results_preview"):
            return self.results(req, job, sub)
        if sub == "control":
            return self.control(req, job)
        if sub in ("search.log", "summary", "timeline"):
            return Response(200, b"", "text/plain; charset=UTF-8")
        raise SplunkdError(404, "Not Found")

    def _job(self, req: Request, sid: str) -> Job:
        job = self.state.jobs.get(sid)
        assert req.user is not None
        if job is None or (job.owner != req.user.name and not is_admin(req.user)):
            raise SplunkdError(404, "Unknown sid.", "FATAL")
        return job

    # -- dispatch ----------------------------------------------------------------------------------

    def _validated_query(self, query: str | None) -> str:
        if query is None or not query.strip():
            raise SplunkdError(400, "Empty search.", "FATAL")
        try:
            parse_query(query)
        except SplError as exc:
            raise SplunkdError(exc.status if exc.status >= 400 else 400, exc.message, "FATAL") from None
        return query

    def create(self, req: Request) -> Response:
        assert req.user is not None
        mode = (req.get("exec_mode") or "normal").lower()
        if mode not in ("normal", "blocking", "oneshot"):
            raise SplunkdError(400, f"Argument exec_mode has an invalid value: {mode}", "FATAL")
        query = req.get("search")
        if mode == "oneshot":
            return self.oneshot(req, query)
        query = self._validated_query(query)
        sid = req.get("id") or self.state.jobs.new_sid()
        if self.state.jobs.get(sid) is not None:
            raise SplunkdError(400, f"Search id '{sid}' is already in use.", "FATAL")
        job = self._start_job(
            req, req.user, query, mode, sid, earliest=req.get("earliest_time"), latest=req.get("latest_time")
        )
        if mode == "blocking":
            self.state.jobs.wait(job, self.state.stopping)
        return self._sid_response(req, job.sid)

    def _start_job(
        self,
        req: Request,
        user: User,
        query: str,
        mode: str,
        sid: str,
        *,
        earliest: str | None,
        latest: str | None,
        saved_search: str | None = None,
        trigger_actions: bool = False,
        audit_mode: str | None = None,
        on_done: Callable[[Job], None] | None = None,
    ) -> Job:
        app = req.app if req.app not in (None, "-", "system") else "search"
        ttl = req.int("timeout", self.state.config.default_job_ttl)
        request = {k: v for k, v in req.single_params().items() if k != "output_mode"}
        request["search"] = query
        job = Job(
            sid=sid,
            owner=user.name,
            app=app,
            query=query,
            mode=mode,
            created=time.time(),
            duration=self.state.job_duration,
            earliest_time=earliest or None,
            latest_time=latest or None,
            ttl=ttl,
            label=saved_search or "",
            saved_search=saved_search,
            trigger_actions=trigger_actions,
            request=request,
            on_done=on_done,
        )
        job.touched = job.created
        extra: dict[str, Any] = {}
        if saved_search is not None:
            extra = {"saved_search": saved_search, "trigger_actions": trigger_actions}
        job.audit = self._audit(user, query, audit_mode or mode, sid, **extra)
        return self.state.jobs.dispatch(job, self.environment(user))

    @staticmethod
    def _sid_response(req: Request, sid: str) -> Response:
        headers = [("Location", f"/services/search/jobs/{sid}")]
        if req.json_mode:
            return json_response(201, json.dumps({"sid": sid}), headers)
        return xml_response(
            201,
            f'<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <sid>{sid}</sid>\n</response>\n',
            headers,
        )

    def dispatch_saved(self, req: Request, name: str) -> Response:
        assert req.user is not None
        cat = self.state.catalogue
        with cat.lock:
            obj = cat.saved_searches.get(name)
            if obj is None:
                raise SplunkdError(404, f"In handler 'savedsearch': Could not find object id={name}")
            content = dict(obj.content)
        if req.method != "POST":
            raise SplunkdError(405, "Method Not Allowed")
        query = str(content["search"]).strip()
        if not query.startswith("|") and not query.lower().startswith("search"):
            query = f"search {query}"
        self._validated_query(query)
        earliest = req.get("dispatch.earliest_time", content.get("dispatch.earliest_time") or None)
        latest = req.get("dispatch.latest_time", content.get("dispatch.latest_time") or None)
        owner = obj.owner
        sid = self.state.jobs.new_sid(name, req.user.name, owner, obj.app)
        trigger = _truthy(req.get("trigger_actions"))
        sreq = Request(req.method, req.raw_path, req.parts, req.owner, obj.app, req.params, user=req.user)
        on_done = None
        if trigger:

            def on_done(done: Job) -> None:
                cat.fire_alert(name, done.sid, len(done.outcome.rows) if done.outcome else 0)

        job = self._start_job(
            sreq,
            req.user,
            query,
            "normal",
            sid,
            earliest=earliest,
            latest=latest,
            saved_search=name,
            trigger_actions=trigger,
            audit_mode="saved",
            on_done=on_done,
        )
        job.app = obj.app
        with cat.lock:
            cat.history.setdefault(name, []).append(job.sid)
        return self._sid_response(req, job.sid)

    # -- job status --------------------------------------------------------------------------------

    def job_entity(self, job: Job, now: float | None = None) -> Entity:
        now = time.time() if now is None else now
        state, progress = job.state(now)
        events, scanned, results = job.counts(now)
        out = job.outcome
        done = state in ("DONE", "FAILED")
        messages: dict[str, list[str]] = {}
        if job.error is not None and job.ran.is_set():
            messages["fatal"] = [job.error.message]
        elif out is not None and done:
            for kind, text in out.messages:
                messages.setdefault(kind.lower(), []).append(text)
        transforming = bool(out and out.is_transforming)
        first_pipe = job.query.find("|", 1) if not job.query.startswith("|") else -1
        event_search = job.query if first_pipe < 0 else job.query[:first_pipe].strip()
        report_search = "" if first_pipe < 0 else job.query[first_pipe + 1 :].strip()
        run_duration = (
            min(job.elapsed(now), max(job.duration, job.engine_seconds)) if done else job.elapsed(now)
        )
        content: dict[str, Any] = {
            "canSummarize": False,
            "cursorTime": atom.iso_time(0, millis=True),
            "defaultSaveTTL": "604800",
            "defaultTTL": "600",
            "delegate": "scheduler" if job.sid.startswith("scheduler") else "",
            "diskUsage": 24576 + 512 * results,
            "dispatchState": state,
            "doneProgress": f"{progress:.5f}" if done else (f"{progress:.5f}" if progress else "0"),
            "dropCount": 0,
            "earliestTime": atom.iso_time(time.time() - 86400 if job.earliest_time else 0, millis=True),
            "eventAvailableCount": 0 if transforming else events,
            "eventCount": events,
            "eventFieldCount": len(out.fields) if out and not transforming else 0,
            "eventIsStreaming": not transforming,
            "eventIsTruncated": False,
            "eventSearch": event_search,
            "eventSorting": "desc" if not transforming else "none",
            "isBatchModeSearch": False,
            "isDone": done,
            "isEventsPreviewEnabled": False,
            "isFailed": state == "FAILED",
            "isFinalized": job.finalized,
            "isPaused": state == "PAUSED",
            "isPreviewEnabled": False,
            "isRealTimeSearch": False,
            "isRemoteTimeline": False,
            "isSaved": False,
            "isSavedSearch": job.saved_search is not None,
            "isTimeCursored": True,
            "isZombie": False,
            "keywords": " ".join(t for t in event_search.split()[1:] if "=" in t).replace("=", "::"),
            "label": job.label,
            "latestTime": atom.iso_time(now, millis=True),
            "normalizedSearch": f"litsearch {event_search[7:] if event_search.startswith('search ') else event_search}",
            "numPreviews": 0,
            "priority": job.priority,
            "remoteSearch": f"litsearch {event_search[7:] if event_search.startswith('search ') else event_search}",
            "reportSearch": report_search,
            "resultCount": results,
            "resultIsStreaming": not transforming,
            "resultPreviewCount": results,
            "runDuration": f"{run_duration:.6f}",
            "sampleRatio": "1",
            "sampleSeed": "0",
            "scanCount": scanned,
            "searchCanBeEventType": not transforming,
            "searchTotalBucketsCount": 3,
            "searchTotalEliminatedBucketsCount": 0,
            "sid": job.sid,
            "statusBuckets": 0,
            "ttl": max(int(job.ttl - (now - job.touched)), 0) if done else job.ttl,
            "messages": messages,
            "request": job.request,
            "runtime": {"auto_cancel": "0", "auto_pause": "0"},
            "searchProviders": [self.state.config.server_name],
            "performance": {
                f"command.{c}": {"invocations": 1, "input_count": scanned, "output_count": results}
                for c in (out.commands if out else [])
            },
        }
        if job.saved_search:
            content["savedSearchLabel"] = json.dumps({"owner": job.owner, "app": job.app, "sharing": "user"})
            content["triggerActions"] = job.trigger_actions
        return Entity(
            job.sid,
            content,
            "search/jobs",
            owner="nobody",
            app=job.app,
            sharing="global",
            title=job.query,
            perms={"read": [job.owner], "write": [job.owner]},
            links=JOB_LINKS,
            author=job.owner,
            published=job.created,
            updated=now,
            acl_extra={"owner": job.owner, "ttl": job.ttl, "can_write": True, "modifiable": True},
        )

    def job_status(self, req: Request, job: Job) -> Response:
        now = time.time()
        window = self.state.config.not_ready_window
        first = job.gets == 0
        job.gets += 1
        if first and window > 0 and job.mode == "normal" and now - job.created < window:
            return Response(204, b"", "text/xml; charset=UTF-8")
        ent = self.job_entity(job, now)
        if req.json_mode:
            return json_response(
                200,
                atom.feed_json(
                    request_path=req.raw_path.rstrip("/"),
                    entries=[ent],
                    total=1,
                    items_per_page=0,
                    offset=0,
                    version=self.state.config.version,
                    build=self.state.config.build,
                    create_link=False,
                    single=True,
                ),
            )
        return xml_response(200, atom.entry_xml(ent))

    def list_jobs(self, req: Request) -> Listing:
        assert req.user is not None
        user = req.user
        jobs = [j for j in self.state.jobs.all() if j.owner == user.name or is_admin(user)]
        now = time.time()
        return Listing([self.job_entity(j, now) for j in jobs], "jobs")

    # -- results -----------------------------------------------------------------------------------

    def results(self, req: Request, job: Job, kind: str) -> Response:
        now = time.time()
        done = job.is_done(now)
        if kind != "results_preview" and not done:
            return Response(204, b"", "text/xml; charset=UTF-8")
        out = job.outcome
        messages: list[tuple[str, str]] = []
        if job.error is not None and job.ran.is_set():
            messages = [("FATAL", job.error.message)]
            fields, rows = [], []
        elif out is None:
            fields, rows = [], []
        else:
            fields = out.fields
            rows = job.visible_rows(now)
            if kind == "events" and out.is_transforming:
                fields, rows = [], []  # no event timeline is kept (status_buckets=0)
            messages = list(out.messages)
        return self._render_rows(req, fields, rows, preview=not done, messages=messages, default_count=100)

    def _render_rows(
        self,
        req: Request,
        fields: list[str],
        rows: list[dict[str, Any]],
        *,
        preview: bool,
        messages: list[tuple[str, str]],
        default_count: int,
    ) -> Response:
        count = req.int("count", default_count)
        offset = req.int("offset", 0)
        if offset < 0:
            offset = max(len(rows) + offset, 0)
        page = rows[offset:] if count <= 0 else rows[offset : offset + count]
        wanted = [f for f in (req.getlist("f") + req.getlist("field_list")) if f]
        if wanted:
            patterns = [p.strip() for w in wanted for p in w.split(",") if p.strip()]
            fields = [f for f in fields if any(fnmatchcase(f, p) for p in patterns)]
            keep = set(fields)
            page = [{k: v for k, v in r.items() if k in keep} for r in page]
        mode = (req.get("output_mode") or "xml").lower()
        if mode == "json":
            return json_response(
                200, atom.results_json(fields, page, preview=preview, init_offset=offset, messages=messages)
            )
        if mode == "csv":
            return Response(200, atom.results_csv(fields, page).encode(), "text/csv; charset=UTF-8")
        if mode in ("xml", "atom"):
            return xml_response(
                200, atom.results_xml(fields, page, preview=preview, init_offset=offset, messages=messages)
            )
        raise SplunkdError(400, f"Invalid output_mode: {mode}", "FATAL")

    def oneshot(self, req: Request, query: str | None) -> Response:
        assert req.user is not None
        query = self._validated_query(query)
        record = self._audit(req.user, query, "oneshot", None)
        outcome = self._run_now(req, req.user, query, record)
        if isinstance(outcome, Response):
            return outcome
        return self._render_rows(
            req,
            outcome.fields,
            outcome.rows,
            preview=False,
            messages=list(outcome.messages),
            default_count=100,
        )

    def _run_now(self, req: Request, user: User, query: str, record: AuditRecord) -> SearchOutcome | Response:
        try:
            outcome = run_search(
                query,
                self.environment(user),
                earliest_time=req.get("earliest_time") or None,
                latest_time=req.get("latest_time") or None,
            )
        except SplError as exc:
            if exc.status >= 400:
                raise SplunkdError(exc.status, exc.message, "FATAL") from None
            # A search that fails while running still answers 200, with the FATAL inside.
            body = "<?xml version='1.0' encoding='UTF-8'?>\n\n" + atom.messages_xml([("FATAL", exc.message)])
            if req.json_mode:
                return json_response(
                    200,
                    atom.results_json(
                        [], [], preview=False, init_offset=0, messages=[("FATAL", exc.message)]
                    ),
                )
            return xml_response(200, body)
        record.commands.extend(outcome.commands)
        return outcome

    def export(self, req: Request) -> Response:
        assert req.user is not None
        query = self._validated_query(req.get("search"))
        record = self._audit(req.user, query, "export", None)
        outcome = self._run_now(req, req.user, query, record)
        if isinstance(outcome, Response):
            return outcome
        mode = (req.get("output_mode") or "xml").lower()
        if mode == "json":
            return Response(200, _export_json(outcome), "application/json; charset=UTF-8")
        if mode == "csv":
            return Response(
                200,
                iter([atom.results_csv(outcome.fields, outcome.rows).encode()]),
                "text/csv; charset=UTF-8",
            )
        if mode in ("xml", "atom"):
            return Response(200, _export_xml(outcome), "text/xml; charset=UTF-8")
        raise SplunkdError(400, f"Invalid output_mode: {mode}", "FATAL")

    # -- control & parser ----------------------------------------------------------------------------

    def control(self, req: Request, job: Job) -> Response:
        if req.method != "POST":
            raise SplunkdError(405, "Method Not Allowed")
        action = (req.get("action") or "").lower()
        now = time.time()
        if action == "cancel":
            self.state.jobs.remove(job.sid)
            text = "Search job cancelled."
        elif action == "finalize":
            job.finalized = True
            text = "Search job finalized."
        elif action == "pause":
            if job.paused_at is None and not job.is_done(now):
                job.paused_at = now
            text = "Search job paused."
        elif action == "unpause":
            if job.paused_at is not None:
                job.paused_total += now - job.paused_at
                job.paused_at = None
            text = "Search job unpaused."
        elif action == "touch":
            job.touched = now
            text = "Search job touched."
        elif action == "setttl":
            job.ttl = req.int("ttl", job.ttl)
            job.touched = now
            text = "Search job ttl set."
        elif action == "setpriority":
            job.priority = req.int("priority", job.priority)
            text = "Search job priority set."
        elif action in ("enablepreview", "disablepreview"):
            text = f"Search job preview {'enabled' if action == 'enablepreview' else 'disabled'}."
        elif action in ("save", "unsave"):
            text = f"Search job {'saved' if action == 'save' else 'unsaved'}."
        elif not action:
            raise SplunkdError(400, "Missing argument: action", "FATAL")
        else:
            raise SplunkdError(400, f"Unknown action: {action}", "FATAL")
        if req.json_mode:
            return json_response(200, atom.messages_json([("INFO", text)]))
        return xml_response(200, atom.messages_xml([("INFO", text)]))

    def parser(self, req: Request) -> Response:
        q = req.get("q")
        if not q:
            raise SplunkdError(400, "Missing argument: q", "FATAL")
        try:
            parsed = parse_query(q)
        except SplError as exc:
            raise SplunkdError(exc.status if exc.status >= 400 else 400, exc.message, "FATAL") from None
        if req.json_mode:
            return json_response(200, json.dumps(parsed, separators=(",", ":")))
        return xml_response(200, atom.response_xml(f"  <dict>{atom.xml_value(parsed, '    ')}</dict>\n"))


def _export_json(outcome: SearchOutcome) -> Iterator[bytes]:
    rows = outcome.rows
    if outcome.messages:
        msgs = [{"type": t, "text": m} for t, m in outcome.messages]
        yield (json.dumps({"preview": False, "messages": msgs}, separators=(",", ":")) + "\n").encode()
    if not rows:
        yield b'{"preview":false,"lastrow":true}\n'
        return
    last = len(rows) - 1
    batch: list[str] = []
    for n, row in enumerate(rows):
        line = {"preview": False, "offset": n}
        if n == last:
            line["lastrow"] = True
        line["result"] = row
        batch.append(json.dumps(line, separators=(",", ":")))
        if len(batch) >= 500:  # flush in batches, as splunkd does, so clients see data before the end
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def _export_xml(outcome: SearchOutcome) -> Iterator[bytes]:
    yield atom.results_xml(
        outcome.fields, outcome.rows, preview=False, init_offset=0, messages=list(outcome.messages)
    ).encode()
