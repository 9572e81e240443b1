"""Result sets between commands: raw Event objects straight from the base search (cheap to filter and
count), or dict rows once a command reshapes them; plus the final rendering into splunkd's strings."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sandbox.events import SERVER_NAME, Event
from sandbox.spl.evalexpr import format_number, to_str
from sandbox.spl.timemod import iso_time

Getter = Callable[[Any], Any]

EVENT_META_FIELDS = ("_bkt", "_cd", "_indextime", "_raw", "_serial", "_si", "_sourcetype", "_time")
EVENT_DEFAULT_FIELDS = ("host", "index", "linecount", "source", "sourcetype", "splunk_server")

_EVENT_GETTERS: dict[str, Getter] = {
    "_raw": attrgetter("raw"),
    "_time": attrgetter("time"),
    "host": attrgetter("host"),
    "index": attrgetter("index"),
    "source": attrgetter("source"),
    "sourcetype": attrgetter("sourcetype"),
    "_sourcetype": attrgetter("sourcetype"),
    "linecount": lambda e: str(e.linecount),
    "splunk_server": lambda e: SERVER_NAME,
}


def event_getter(name: str) -> Getter:
    getter = _EVENT_GETTERS.get(name)
    if getter is not None:
        return getter
    return lambda e: e.fields.get(name)


def row_getter(name: str) -> Getter:
    return lambda row: row.get(name)


def event_row(e: Event) -> dict[str, Any]:
    row: dict[str, Any] = {
        "_raw": e.raw,
        "_time": e.time,
        "host": e.host,
        "index": e.index,
        "linecount": str(e.linecount),
        "source": e.source,
        "sourcetype": e.sourcetype,
        "splunk_server": SERVER_NAME,
    }
    row.update(e.fields)
    return row


@dataclass
class Results:
    records: list[Any]  # Event objects while `raw_events`, else dict rows
    raw_events: bool = False
    order: list[str] = field(default_factory=list)  # the field order a command imposed (table, stats, ...)
    event_meta: bool = False  # rows are still events: add _bkt/_cd/_si/... when rendering

    def getter(self, name: str) -> Getter:
        return event_getter(name) if self.raw_events else row_getter(name)

    def raw_of(self) -> Getter:
        if self.raw_events:
            return _EVENT_GETTERS["_raw"]

        def raw(row: dict[str, Any]) -> str | None:
            value = row.get("_raw")
            if value is not None:
                return to_str(value)
            # rows without _raw (after stats, lookups...): search terms look at every value
            return " ".join(str(v) for k, v in row.items() if not k.startswith("_"))

        return raw

    def rows(self) -> list[dict[str, Any]]:
        """Switch to dict rows (once) so a command may add, rename or drop fields."""
        if self.raw_events:
            self.records = [event_row(e) for e in self.records]
            self.raw_events = False
            self.event_meta = True
        return self.records


def _bucket_guid(index: str) -> str:
    h = hashlib.md5(index.encode()).hexdigest().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _render_value(value: Any) -> str | list[str] | None:
    if value is None:
        return None
    t = type(value)
    if t is str:
        return value
    if t is list:
        items = [s for s in (to_str(v) for v in value) if s is not None]
        if not items:
            return None
        return items[0] if len(items) == 1 else items
    if t is float or t is int:
        return format_number(value)
    return to_str(value)


def _render_events(events: list[Event]) -> tuple[list[str], list[dict[str, Any]]]:
    """The common case, plain event searches, straight from the Event objects (several times faster)."""
    out: list[dict[str, Any]] = []
    extracted: dict[str, None] = {}
    guids: dict[str, str] = {}
    for serial, e in enumerate(events):
        t = e.time
        index = e.index
        bucket = int(t // 86400) % 1000
        guid = guids.get(index) or guids.setdefault(index, _bucket_guid(index))
        row = {
            "_bkt": f"{index}~{bucket}~{guid}",
            "_cd": f"{bucket}:{int(t * 1000) % 100_000_000}",
            "_indextime": str(int(t) + 2),
            "_raw": e.raw,
            "_serial": str(serial),
            "_si": [SERVER_NAME, index],
            "_sourcetype": e.sourcetype,
            "_time": iso_time(t),
            "host": e.host,
            "index": index,
            "linecount": str(e.linecount),
            "source": e.source,
            "sourcetype": e.sourcetype,
            "splunk_server": SERVER_NAME,
        }
        fields = e.fields
        row.update(fields)
        for key in fields:
            if key not in extracted:
                extracted[key] = None
        out.append(row)
    if not events:
        return [], out
    internal = [k for k in extracted if k.startswith("_") and k not in EVENT_META_FIELDS]
    rest = [k for k in extracted if not k.startswith("_") and k not in EVENT_DEFAULT_FIELDS]
    return [*EVENT_META_FIELDS, *internal, *EVENT_DEFAULT_FIELDS, *rest], out


def render(results: Results) -> tuple[list[str], list[dict[str, Any]]]:
    """The final fields list and rows: every value a string or a list of strings, _time in ISO-8601."""
    if results.raw_events and not results.order:
        return _render_events(results.records)
    records = results.rows()
    out: list[dict[str, Any]] = []
    seen: dict[str, None] = {}
    guids: dict[str, str] = {}
    for serial, row in enumerate(records):
        rendered: dict[str, Any] = {}
        if results.event_meta and "index" in row and "_time" in row:
            index = str(row["index"])
            t = float(row["_time"])
            bucket = int(t // 86400) % 1000
            guid = guids.get(index) or guids.setdefault(index, _bucket_guid(index))
            rendered["_bkt"] = f"{index}~{bucket}~{guid}"
            rendered["_cd"] = f"{bucket}:{int(t * 1000) % 100_000_000}"
            rendered["_indextime"] = str(int(t) + 2)
            rendered["_serial"] = str(serial)
            rendered["_si"] = [SERVER_NAME, index]
            if "sourcetype" in row:
                rendered["_sourcetype"] = str(row["sourcetype"])
        for key, value in row.items():
            v = _time_value(value) if key == "_time" or key == "_indextime_" else _render_value(value)
            if v is not None:
                rendered[key] = v
        for key in rendered:
            if key not in seen:
                seen[key] = None
        out.append(rendered)
    return _field_order(results, seen), out


def _time_value(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return iso_time(float(value))
    except (TypeError, ValueError):
        return to_str(value)


def _field_order(results: Results, seen: dict[str, None]) -> list[str]:
    if results.order:
        ordered = list(results.order)
        ordered += [f for f in seen if f not in results.order]
        return ordered
    internal = [f for f in EVENT_META_FIELDS if f in seen]
    internal += [f for f in seen if f.startswith("_") and f not in internal]
    defaults = [f for f in EVENT_DEFAULT_FIELDS if f in seen]
    rest = [f for f in seen if not f.startswith("_") and f not in defaults]
    return internal + defaults + rest
