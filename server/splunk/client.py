"""Typed, synchronous access to the Splunk REST API over one splunklib Service.

Everything reads JSON (`output_mode=json`): one request per page, with paging totals, and no
Atom parsing. Methods block; callers run them in worker threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from splunklib import client as splunk_client
from splunklib.binding import UrlEncoded

from server.splunk.errors import SplunkNotFound, SplunkRequestError, SplunkServerError, translated


@dataclass(frozen=True)
class EntityPage:
    """One page of a Splunk collection."""

    entries: list[dict[str, Any]]
    total: int
    offset: int


@dataclass(frozen=True)
class ResultSet:
    """Rows of a search (oneshot, job results, events or preview)."""

    fields: list[str]
    rows: list[dict[str, Any]]
    messages: list[dict[str, str]] = field(default_factory=list)
    ready: bool = True  # False when Splunk answered 204 (not ready yet)


FATAL_TYPES = frozenset({"FATAL", "ERROR"})


def entity_path(collection: str, name: str, *tail: str) -> UrlEncoded:
    """`collection/<name>[/tail...]` with the name percent-encoded (slashes too), marked as already
    encoded so splunklib does not encode it a second time."""
    parts = [collection.rstrip("/"), quote(name, safe=""), *(quote(part, safe="") for part in tail)]
    return UrlEncoded("/".join(parts), skip_encode=True)


class SplunkClient:
    """A thin typed wrapper over `splunklib.client.Service` for the tools."""

    def __init__(self, service: splunk_client.Service):
        self.service = service

    # --- transport -------------------------------------------------------------------------
    def _read(self, response: Any) -> dict[str, Any] | list[Any] | None:
        if response.status == 204:
            return None
        raw = response.body.read()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise SplunkServerError("Splunk answered with something that is not JSON") from None

    def get_json(self, path: str, **params: Any) -> Any:
        with translated():
            return self._read(self.service.get(path, output_mode="json", **params))

    def post_json(self, path: str, **params: Any) -> Any:
        with translated():
            return self._read(self.service.post(path, output_mode="json", **params))

    def post_body(self, path: str, body: Any, **params: Any) -> Any:
        """POST a JSON document (the KV store takes JSON bodies)."""
        with translated():
            response = self.service.post(
                path,
                headers=[("Content-Type", "application/json")],
                body=json.dumps(body),
                output_mode="json",
                **params,
            )
            return self._read(response)

    def delete(self, path: str, **params: Any) -> Any:
        with translated():
            return self._read(self.service.delete(path, output_mode="json", **params))

    # --- collections -----------------------------------------------------------------------
    def list_entities(self, path: str, *, count: int, offset: int = 0, **params: Any) -> EntityPage:
        document = self.get_json(path, count=count, offset=offset, **params) or {}
        entries = document.get("entry", []) if isinstance(document, dict) else []
        paging = document.get("paging", {}) if isinstance(document, dict) else {}
        total = int(paging.get("total", len(entries) + offset))
        return EntityPage(entries=entries, total=total, offset=offset)

    def get_entity(self, collection: str, name: str, **params: Any) -> dict[str, Any]:
        page = self.list_entities(entity_path(collection, name), count=1, **params)
        if not page.entries:
            raise SplunkNotFound(f"{collection} {name!r} not found")
        return page.entries[0]

    # --- server ----------------------------------------------------------------------------
    def server_info(self) -> dict[str, Any]:
        entry = self.list_entities("/services/server/info", count=1).entries
        return entry[0].get("content", {}) if entry else {}

    def current_user(self) -> dict[str, Any]:
        entry = self.list_entities("authentication/current-context", count=1).entries
        return entry[0].get("content", {}) if entry else {}

    # --- search ----------------------------------------------------------------------------
    def oneshot(
        self, query: str, *, earliest: str | None, latest: str | None, count: int, offset: int = 0
    ) -> ResultSet:
        params: dict[str, Any] = {"search": query, "exec_mode": "oneshot", "count": count, "offset": offset}
        if earliest:
            params["earliest_time"] = earliest
        if latest:
            params["latest_time"] = latest
        return _result_set(self.post_json("search/jobs", **params))

    def create_job(self, query: str, **params: Any) -> str:
        document = self.post_json("search/jobs", search=query, exec_mode="normal", **params) or {}
        sid = document.get("sid") if isinstance(document, dict) else None
        if not sid:
            raise SplunkServerError("Splunk created no search job")
        return str(sid)

    def job(self, sid: str) -> dict[str, Any] | None:
        """The job's entry, or None while Splunk still answers 204 right after dispatch."""
        document = self.get_json(entity_path("search/jobs", sid))
        if not document:
            return None
        entries = document.get("entry", [])
        return entries[0] if entries else None

    def job_rows(self, sid: str, kind: str, *, count: int, offset: int) -> ResultSet:
        """`kind` is results, events or results_preview."""
        document = self.get_json(entity_path("search/jobs", sid, kind), count=count, offset=offset)
        if document is None:
            return ResultSet(fields=[], rows=[], ready=False)
        return _result_set(document)

    def control_job(self, sid: str, action: str, **params: Any) -> None:
        self.post_json(entity_path("search/jobs", sid, "control"), action=action, **params)

    def parse(self, query: str) -> dict[str, Any]:
        return self.get_json("search/parser", q=query, parse_only="true") or {}


def _result_set(document: Any) -> ResultSet:
    if not isinstance(document, dict):
        return ResultSet(fields=[], rows=[])
    messages = [
        {"type": str(m.get("type", "")), "text": str(m.get("text", ""))}
        for m in document.get("messages", [])
        if isinstance(m, dict)
    ]
    fatal = [m["text"] for m in messages if m["type"] in FATAL_TYPES]
    if fatal:
        # splunkd reports run-time search failures in a 200 (oneshot, export): still an error.
        raise SplunkRequestError("Splunk could not run the search", tuple(fatal), 200)
    fields = [f["name"] if isinstance(f, dict) else str(f) for f in document.get("fields", [])]
    rows = [r for r in document.get("results", []) if isinstance(r, dict)]
    return ResultSet(fields=fields, rows=rows, messages=messages)
