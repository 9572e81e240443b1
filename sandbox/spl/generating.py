"""Generating commands (after a leading `|`): makeresults, metadata, tstats, eventcount, inputlookup,
rest, savedsearch."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from sandbox.events import SERVER_NAME
from sandbox.spl import reporting
from sandbox.spl.evalexpr import to_num
from sandbox.spl.lexer import field_list, split_options, tokenize
from sandbox.spl.model import SplError, command_error
from sandbox.spl.records import Results
from sandbox.spl.searchexpr import compile_search, parse_search

if TYPE_CHECKING:
    from sandbox.spl.engine import Context, Executor


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.lower() in ("t", "true", "1", "yes")


def _index_options(args: str) -> tuple[dict[str, str], list[str]]:
    """`key=value` options plus every `index=` (there may be several)."""
    options: dict[str, str] = {}
    indexes: list[str] = []
    tokens = tokenize(args)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if (
            t.kind == "WORD"
            and i + 2 < len(tokens)
            and tokens[i + 1].kind == "OP"
            and tokens[i + 1].text == "="
        ):
            key, value = t.text.lower(), tokens[i + 2].text
            if key == "index":
                indexes.append(value)
            else:
                options[key] = value
            i += 3
        else:
            i += 1
    return options, indexes


def makeresults(args: str, ctx: Context) -> Executor:
    options, _ = split_options(args, frozenset({"count", "annotate", "splunk_server", "splunk_server_group"}))
    count = options.get("count", "1")
    if not count.isdigit():
        raise command_error("makeresults", f"Invalid argument: 'count={count}'")

    def run(results: Results | None) -> Results:
        now = float(int(ctx.now))
        rows: list[dict[str, Any]] = [{"_time": now} for _ in range(int(count))]
        if _flag(options.get("annotate"), False):
            for row in rows:
                row.update(host=SERVER_NAME, source="", sourcetype="", splunk_server=SERVER_NAME)
        return Results(rows, order=["_time"])

    return run


def metadata(args: str, ctx: Context) -> Executor:
    from sandbox.spl.commands import resolve_indexes

    options, indexes = _index_options(args)
    kind = options.get("type")
    fields = {"hosts": "host", "sources": "source", "sourcetypes": "sourcetype"}
    if kind not in fields:
        raise command_error(
            "metadata", "The 'type' argument must be one of 'hosts', 'sources', or 'sourcetypes'."
        )
    name = fields[kind]

    def run(results: Results | None) -> Results:
        stats: dict[str, list[float]] = {}
        events = ctx.env.store.window(resolve_indexes(indexes, ctx), ctx.earliest, ctx.latest)
        ctx.scan_count += len(events)
        for e in events:
            value = getattr(e, name)
            entry = stats.get(value)
            if entry is None:
                stats[value] = [e.time, e.time, 1]
            else:
                entry[0] = min(entry[0], e.time)
                entry[1] = max(entry[1], e.time)
                entry[2] += 1
        rows = [
            {
                "firstTime": str(int(first)),
                name: value,
                "lastTime": str(int(last)),
                "recentTime": str(int(last) + 2),
                "totalCount": str(count),
                "type": kind,
            }
            for value, (first, last, count) in sorted(stats.items())
        ]
        return Results(rows, order=["firstTime", name, "lastTime", "recentTime", "totalCount", "type"])

    return run


_INDEXED = frozenset({"index", "host", "source", "sourcetype", "_time", "splunk_server", "_indextime"})


def tstats(args: str, ctx: Context) -> Executor:
    from sandbox.spl.commands import resolve_indexes

    _options, text = split_options(
        args, frozenset({"summariesonly", "allow_old_summaries", "prestats", "local", "append", "chunk_size"})
    )
    m = re.match(r"(.*?)(?:\bwhere\b(.*?))?(?:\bby\b(.*))?$", text, re.IGNORECASE | re.S)
    agg_text, where_text, by_text = (m.group(1), m.group(2) or "", m.group(3) or "") if m else (text, "", "")
    aggs, _, _ = reporting.parse_aggregations(agg_text, "tstats", allow_by=False)
    for agg in aggs:
        if agg.argument and agg.argument not in _INDEXED and not agg.argument.startswith("_"):
            pass  # a non-indexed field simply has no values in tstats: Splunk returns nothing for it
    span_m = re.search(r"\bspan\s*=\s*(\S+)", by_text)
    span = reporting.parse_span(span_m.group(1), "tstats") if span_m else None
    by = field_list(re.sub(r"\bspan\s*=\s*\S+", "", by_text))
    plan = parse_search(where_text)

    def indexed_getter(name: str):
        if name not in _INDEXED:
            return lambda e: None
        from sandbox.spl.records import event_getter

        return event_getter(name)

    def run(results: Results | None) -> Results:
        events = ctx.env.store.window(resolve_indexes(plan.index_patterns, ctx), ctx.earliest, ctx.latest)
        ctx.scan_count += len(events)
        pred = compile_search(plan.node, indexed_getter, lambda e: None)
        matched = [e for e in events if pred(e)]
        staged = Results(matched, raw_events=True)
        if "_time" in by:
            size = span or reporting.auto_span(staged, ctx)
            rows = [
                {"_time": (e.time // size) * size, **{b: indexed_getter(b)(e) for b in by if b != "_time"}}
                for e in matched
            ]
            staged = Results(rows)
        original = staged.getter

        def getter(name: str):
            return original(name) if name in _INDEXED else (lambda r: None)

        staged.getter = getter  # type: ignore[method-assign]
        rows = reporting.aggregate_rows(staged, aggs, by, ctx)
        if not by and not matched:
            rows = [{a.name: 0 for a in aggs if a.function in ("count", "dc")}]
        return Results(rows, order=[*by, *(a.name for a in aggs)])

    return run


def eventcount(args: str, ctx: Context) -> Executor:
    from sandbox.spl.commands import resolve_indexes

    options, indexes = _index_options(args)
    summarize = _flag(options.get("summarize"), True)
    report_size = _flag(options.get("report_size"), False)

    def run(results: Results | None) -> Results:
        names = resolve_indexes(indexes, ctx)
        infos = [ctx.env.store.indexes[n] for n in names]
        if summarize:
            row: dict[str, Any] = {"count": sum(i.event_count for i in infos)}
            if report_size:
                row["size_bytes"] = int(sum(i.size_mb for i in infos) * 1_048_576)
            return Results([row], order=["count", "size_bytes"] if report_size else ["count"])
        rows = []
        for info in infos:
            row = {"count": info.event_count, "index": info.name, "server": SERVER_NAME}
            if report_size:
                row["size_bytes"] = int(info.size_mb * 1_048_576)
            rows.append(row)
        order = ["count", "index", "server"] + (["size_bytes"] if report_size else [])
        return Results(rows, order=order)

    return run


def inputlookup(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"append", "start", "max", "strict"}))
    where = re.split(r"\bwhere\b", rest, maxsplit=1, flags=re.IGNORECASE)
    names = field_list(where[0])
    if len(names) != 1:
        raise command_error(
            "inputlookup", "Usage: inputlookup [append=<bool>] [start=<int>] [max=<int>] <filename>"
        )
    name = names[0]
    plan = parse_search(where[1]) if len(where) > 1 else None
    rows_in = ctx.env.lookup_rows(name)
    if rows_in is None:
        raise command_error("inputlookup", f"The lookup table '{name}' does not exist or is not available.")
    start = int(options.get("start", 0))
    maximum = int(options.get("max", 0))

    def run(results: Results | None) -> Results:
        rows = [dict(r) for r in rows_in[start:]]
        if maximum:
            rows = rows[:maximum]
        order = list(dict.fromkeys(k for r in rows for k in r))
        out = Results(rows, order=order)
        if plan is not None:
            pred = compile_search(plan.node, out.getter, out.raw_of())
            out.records = [r for r in out.records if pred(r)]
        if results is not None and _flag(options.get("append"), False):
            prior = results.rows()
            return Results(prior + out.records, order=list(dict.fromkeys([*results.order, *order])))
        return out

    return run


def rest(args: str, ctx: Context) -> Executor:
    tokens = tokenize(args)
    if not tokens or tokens[0].kind not in ("WORD", "STR") or not tokens[0].text.startswith("/"):
        raise command_error("rest", "Missing the REST URI.")
    path = tokens[0].text
    params: dict[str, str] = {}
    i = 1
    while i + 2 < len(tokens):
        if tokens[i + 1].kind == "OP":
            params[tokens[i].text] = tokens[i + 2].text
            i += 3
        else:
            i += 1
    count = params.get("count")

    def run(results: Results | None) -> Results:
        rows = [{k: _rest_value(v) for k, v in row.items()} for row in ctx.env.rest_rows(path, dict(params))]
        n = to_num(count) if count is not None else None
        if n:
            rows = rows[: int(n)]
        for row in rows:
            row.setdefault("splunk_server", SERVER_NAME)
        order = list(dict.fromkeys(k for r in rows for k in r))
        return Results(rows, order=order)

    return run


def _rest_value(value: object) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return [str(_rest_value(v)) for v in value]
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return None if value is None else str(value)


def savedsearch(args: str, ctx: Context) -> Executor:
    from sandbox.spl.engine import run_pipeline

    names = field_list(args.split("=")[0] if "=" in args and not args.strip().startswith('"') else args)
    if not names:
        raise command_error("savedsearch", "Missing saved search name.")
    name = names[0]
    if name in ctx.saved_searches:
        raise command_error("savedsearch", f"Saved search '{name}' calls itself recursively.")
    query = ctx.env.saved_search_query(name)
    if query is None:
        raise command_error("savedsearch", f"Unable to find saved search named '{name}'.")
    text = query.strip()
    if not text.startswith("|") and not re.match(r"search\b", text, re.IGNORECASE):
        text = "search " + text  # saved searches are stored without the leading `search`

    def run(results: Results | None) -> Results:
        child = ctx.nested()
        child.saved_searches = (*ctx.saved_searches, name)
        out = run_pipeline(text, child)
        ctx.event_count += child.event_count
        ctx.scan_count += child.scan_count
        ctx.transforming = ctx.transforming or child.transforming
        return out

    return run


__all__ = [
    "SplError",
    "eventcount",
    "inputlookup",
    "makeresults",
    "metadata",
    "rest",
    "savedsearch",
    "tstats",
]
