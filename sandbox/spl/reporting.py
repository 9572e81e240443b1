"""Transforming commands: stats (and eventstats), timechart, chart, top, rare, fieldsummary."""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Any

from sandbox.spl.evalexpr import compile_expression, format_number, to_num, to_str
from sandbox.spl.lexer import field_list, split_options, unquote
from sandbox.spl.model import SplError, command_error
from sandbox.spl.records import Results, row_getter
from sandbox.spl.timemod import span_seconds

if TYPE_CHECKING:
    from sandbox.spl.engine import Context, Executor

_FUNCTIONS = {
    "count", "c", "dc", "distinct_count", "sum", "sumsq", "avg", "mean", "min", "max", "range", "values",
    "list", "latest", "earliest", "latest_time", "earliest_time", "first", "last", "median", "mode",
    "stdev", "stdevp", "var", "varp", "estdc", "rate",
}  # fmt: skip
_PERC = re.compile(r"(?:perc|p|exactperc|upperperc)(\d{1,2}(?:\.\d+)?)$")


@dataclass
class Aggregation:
    function: str  # normalised: "count", "dc", "avg", "perc", ...
    argument: str | None  # field name, or the text inside eval(...)
    name: str  # output column
    percentile: float = 0.0
    is_eval: bool = False


def fmt(value: float | int) -> str:
    return format_number(value)


# -- parsing ------------------------------------------------------------------------------------------

_IDENT = re.compile(r"\s*,?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.\d+)?)")


def _matching_paren(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise SplError("Error in 'search' command: Unable to parse the search: unbalanced parentheses.")


def parse_aggregations(
    text: str, command: str, allow_by: bool = True
) -> tuple[list[Aggregation], list[str], str]:
    """`count, avg(bytes) AS avg_bytes by host, status` -> aggregations, by-fields, trailing text."""
    aggs: list[Aggregation] = []
    pos = 0
    rest = ""
    by: list[str] = []
    while True:
        m = _IDENT.match(text, pos)
        if not m:
            leftover = text[pos:].strip().lstrip(",").strip()
            if leftover:
                raise command_error(command, f"The argument '{leftover.split()[0]}' is invalid.")
            break
        word = m.group(1)
        if word.lower() in ("by", "over") and allow_by and aggs:
            rest = text[m.start(1) :]
            break
        pos = m.end()
        argument = None
        shown = word
        if pos < len(text) and text[pos] == "(":
            close = _matching_paren(text, pos)
            argument = text[pos + 1 : close].strip()
            shown = f"{word}({argument})"
            pos = close + 1
        agg = _aggregation(word, argument, shown, command)
        m_as = re.match(r'\s+(?:as|AS|As)\s+("(?:[^"\\]|\\.)*"|[^\s,]+)', text[pos:])
        if m_as:
            alias = m_as.group(1)
            agg.name = unquote(alias[1:-1]) if alias.startswith('"') else alias
            pos += m_as.end()
        aggs.append(agg)
    if not aggs:
        raise command_error(command, "The search specifies a stats function without any arguments.")
    if rest:
        by_text = re.sub(r"^\s*(?:by|over)\s+", "", rest, flags=re.IGNORECASE)
        by = field_list(by_text)
        if not by:
            raise command_error(command, "The argument 'by' is invalid.")
    return aggs, by, rest


def _aggregation(word: str, argument: str | None, shown: str, command: str) -> Aggregation:
    func = word.lower()
    percentile = 0.0
    if func not in _FUNCTIONS:
        m = _PERC.match(func)
        if not m:
            raise command_error(command, f"The argument '{shown}' is invalid.")
        percentile, func = float(m.group(1)), "perc"
    func = {"c": "count", "distinct_count": "dc", "estdc": "dc", "mean": "avg"}.get(func, func)
    if argument is None and func != "count":
        raise command_error(command, f"The argument '{shown}' is invalid.")
    is_eval = bool(argument and argument.lower().startswith("eval(") and argument.endswith(")"))
    if is_eval:
        argument = argument[5:-1]
        compile_expression(argument, row_getter, 0, "EvalCommand")
    return Aggregation(func, argument, shown, percentile, is_eval)


# -- computing ----------------------------------------------------------------------------------------


def _value_getter(agg: Aggregation, results: Results, ctx: Context) -> Callable[[Any], Any]:
    if agg.is_eval:
        return compile_expression(agg.argument or "", results.getter, ctx.now, "EvalCommand")
    return results.getter(agg.argument or "")


def _flat(values: list[Any]) -> list[Any]:
    out = []
    for v in values:
        if v is None:
            continue
        if type(v) is list:
            out.extend(x for x in v if x is not None)
        else:
            out.append(v)
    return out


def _numbers(values: list[Any]) -> list[float | int]:
    return [n for n in map(to_num, values) if n is not None]


def _percentile(nums: list[float | int], p: float) -> float | int | None:
    if not nums:
        return None
    ordered = sorted(nums)
    rank = (p / 100) * (len(ordered) - 1)
    lo = math.floor(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def compute(
    agg: Aggregation, records: list[Any], get: Callable[[Any], Any], time_of: Callable[[Any], Any]
) -> Any:
    f = agg.function
    if f == "count":
        if agg.argument is None:
            return len(records)
        if agg.is_eval:
            return sum(1 for r in records if (v := get(r)) is not None and v is not False)
        return len(_flat([get(r) for r in records]))
    if f in ("latest", "earliest", "latest_time", "earliest_time"):
        pairs = [(to_num(time_of(r)), v) for r in records if (v := get(r)) is not None]
        pairs = [(t, v) for t, v in pairs if t is not None]
        if not pairs:
            return None
        pick = max if f.startswith("latest") else min
        t, v = pick(pairs, key=lambda p: p[0])
        return t if f.endswith("_time") else v
    values = _flat([get(r) for r in records])
    if f == "first":
        return values[0] if values else None
    if f == "last":
        return values[-1] if values else None
    if f == "dc":
        return len({to_str(v) for v in values})
    if f == "values":
        distinct = sorted({to_str(v) or "" for v in values})
        return distinct or None
    if f == "list":
        return [to_str(v) or "" for v in values[:100]] or None
    if f == "mode":
        return Counter(to_str(v) for v in values).most_common(1)[0][0] if values else None
    if f in ("min", "max"):
        nums = _numbers(values)
        if nums:
            return min(nums) if f == "min" else max(nums)
        strs = [to_str(v) or "" for v in values]
        return (min(strs) if f == "min" else max(strs)) if strs else None
    nums = _numbers(values)
    if not nums:
        return None
    if f == "sum":
        return (
            math.fsum(nums)
            if any(isinstance(n, float) and not n.is_integer() for n in nums)
            else int(sum(nums))
        )
    if f == "sumsq":
        return math.fsum(n * n for n in nums)
    if f == "avg":
        return math.fsum(nums) / len(nums)
    if f == "range":
        return max(nums) - min(nums)
    if f == "median":
        return _percentile(nums, 50)
    if f == "perc":
        return _percentile(nums, agg.percentile)
    if f in ("stdev", "var"):
        return (
            None if len(nums) < 2 else (statistics.stdev(nums) if f == "stdev" else statistics.variance(nums))
        )
    if f in ("stdevp", "varp"):
        return statistics.pstdev(nums) if f == "stdevp" else statistics.pvariance(nums)
    if f == "rate":
        return None
    raise AssertionError(f)


def _time_getter(results: Results) -> Callable[[Any], Any]:
    return results.getter("_time")


def group(records: list[Any], getters: list[Callable[[Any], Any]]) -> dict[tuple, list[Any]]:
    """Records by the string values of the by-fields; records missing a by-field are dropped (as Splunk)."""
    groups: dict[tuple, list[Any]] = {}
    if len(getters) == 1:
        (g,) = getters
        for rec in records:
            v = g(rec)
            if v is None:
                continue
            if type(v) is str:
                bucket = groups.get((v,))
                if bucket is None:
                    groups[(v,)] = [rec]
                else:
                    bucket.append(rec)
                continue
            for x in v if type(v) is list else [v]:
                groups.setdefault((to_str(x),), []).append(rec)
        return groups
    for rec in records:
        values = [g(rec) for g in getters]
        if any(v is None for v in values):
            continue
        options = [[to_str(x) for x in v] if type(v) is list else [to_str(v)] for v in values]
        for key in product(*options):
            groups.setdefault(key, []).append(rec)
    return groups


def aggregate_rows(
    results: Results, aggs: list[Aggregation], by: list[str], ctx: Context
) -> list[dict[str, Any]]:
    getters = [_value_getter(a, results, ctx) for a in aggs]
    time_of = _time_getter(results)
    if by:
        groups = group(results.records, [results.getter(b) for b in by])
        keys = sorted(groups)
    else:
        groups = {(): results.records}
        keys = [()]
    rows = []
    for key in keys:
        row: dict[str, Any] = dict(zip(by, key, strict=True))
        for agg, get in zip(aggs, getters, strict=True):
            value = compute(agg, groups[key], get, time_of)
            if value is not None:
                row[agg.name] = value
        rows.append(row)
    return rows


def stats(args: str, ctx: Context) -> Executor:
    _, text = split_options(args, frozenset({"allnum", "delim", "partitions", "dedup_splitvals"}))
    aggs, by, _ = parse_aggregations(text, "stats")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        rows = aggregate_rows(results, aggs, by, ctx)
        return Results(rows, order=[*by, *(a.name for a in aggs)])

    return run


def eventstats(args: str, ctx: Context) -> Executor:
    _, text = split_options(args, frozenset({"allnum"}))
    aggs, by, _ = parse_aggregations(text, "eventstats")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        summary = aggregate_rows(results, aggs, by, ctx)
        table = {tuple(row.get(b) for b in by): row for row in summary}
        rows = results.rows()
        for row in rows:
            key = tuple(to_str(row.get(b)) for b in by)
            found = table.get(key)
            if found:
                row.update({a.name: found[a.name] for a in aggs if a.name in found})
        return results

    return run


# -- time buckets ---------------------------------------------------------------------------------------

_AUTO_SPANS = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400)


def parse_span(text: str | None, command: str) -> float | None:
    if text is None:
        return None
    try:
        return span_seconds(text)
    except SplError:
        raise command_error(command, f"The value for option span ({text}) is invalid.") from None


def _time_range(results: Results, ctx: Context) -> tuple[float | None, float | None]:
    times = [t for t in map(to_num, map(results.getter("_time"), results.records)) if t is not None]
    lo = ctx.earliest if ctx.earliest is not None and ctx.earliest > 0 else (min(times) if times else None)
    hi = ctx.latest if ctx.latest is not None else (max(times) + 1 if times else None)
    return lo, hi


def auto_span(results: Results, ctx: Context) -> float:
    lo, hi = _time_range(results, ctx)
    if lo is None or hi is None:
        return 1800
    width = max(hi - lo, 1)
    return next((s for s in _AUTO_SPANS if width / s <= 100), _AUTO_SPANS[-1])


def timechart(args: str, ctx: Context) -> Executor:
    options, text = split_options(
        args,
        frozenset({"span", "limit", "useother", "usenull", "bins", "otherstr", "nullstr", "partial", "cont"}),
    )
    span = parse_span(options.get("span"), "timechart")
    limit = int(options.get("limit", 10))
    useother = options.get("useother", "t").lower() in ("t", "true", "1")
    usenull = options.get("usenull", "t").lower() in ("t", "true", "1")
    aggs, by, _ = parse_aggregations(text, "timechart")
    if len(by) > 1:
        raise command_error("timechart", "The timechart command takes at most one split-by field.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        size = span or auto_span(results, ctx)
        time_of = _time_getter(results)
        buckets: dict[float, list[Any]] = {}
        for rec in results.records:
            t = to_num(time_of(rec))
            if t is not None:
                buckets.setdefault((t // size) * size, []).append(rec)
        lo, hi = _time_range(results, ctx)
        if lo is not None and hi is not None:
            starts = [
                (lo // size) * size + i * size for i in range(math.ceil((hi - (lo // size) * size) / size))
            ]
        else:
            starts = sorted(buckets)
        starts = starts[:5000]
        series_of = _series(results, by, limit, useother, usenull, ctx)
        order = ["_time"]
        rows = []
        zero_fill = all(a.function in ("count", "dc") for a in aggs)
        getters = [_value_getter(a, results, ctx) for a in aggs]
        for start in starts:
            recs = buckets.get(start, [])
            row: dict[str, Any] = {"_time": start}
            if by:
                split: dict[str, list[Any]] = {}
                for rec in recs:
                    name = series_of(rec)
                    if name is not None:
                        split.setdefault(name, []).append(rec)
                for agg, get in zip(aggs, getters, strict=True):
                    for name in series_of.names:  # type: ignore[attr-defined]
                        column = name if len(aggs) == 1 else f"{agg.name}: {name}"
                        value = compute(agg, split.get(name, []), get, time_of)
                        if value is None and zero_fill:
                            value = 0
                        if value is not None:
                            row[column] = value
                        if column not in order:
                            order.append(column)
            else:
                for agg, get in zip(aggs, getters, strict=True):
                    value = compute(agg, recs, get, time_of)
                    if value is not None:
                        row[agg.name] = value
                    if agg.name not in order:
                        order.append(agg.name)
            row["_span"] = int(size) if float(size).is_integer() else size
            rows.append(row)
        return Results(rows, order=[*order, "_span"])

    return run


def _series(results: Results, by: list[str], limit: int, useother: bool, usenull: bool, ctx: Context):
    """Which series a record belongs to: the `limit` biggest values of the split-by field, OTHER, NULL."""
    if not by:
        fn = lambda rec: None  # noqa: E731
        fn.names = []  # type: ignore[attr-defined]
        return fn
    get = results.getter(by[0])
    totals = Counter(to_str(v) for v in map(get, results.records) if v is not None)
    ranked = [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    keep = set(ranked[:limit] if limit else ranked)
    has_null = any(get(r) is None for r in results.records)
    names = sorted(keep)
    if useother and len(ranked) > len(keep):
        names.append("OTHER")
    if usenull and has_null:
        names.append("NULL")

    def series_of(rec: Any) -> str | None:
        v = get(rec)
        if v is None:
            return "NULL" if usenull else None
        s = to_str(v)
        if s in keep:
            return s
        return "OTHER" if useother else None

    series_of.names = names  # type: ignore[attr-defined]
    return series_of


def chart(args: str, ctx: Context) -> Executor:
    options, text = split_options(args, frozenset({"limit", "useother", "usenull", "span", "bins"}))
    limit = int(options.get("limit", 10))
    useother = options.get("useother", "t").lower() in ("t", "true", "1")
    aggs, by, rest = parse_aggregations(text, "chart")
    m = re.match(r"\s*over\s+(\S+)(?:\s+by\s+(\S+))?\s*$", rest, re.IGNORECASE)
    if m:
        by = [m.group(1)] + ([m.group(2)] if m.group(2) else [])
    if len(by) > 2:
        raise command_error("chart", "The chart command takes at most two split-by fields.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        if len(by) < 2:
            rows = aggregate_rows(results, aggs, by, ctx)
            return Results(rows, order=[*by, *(a.name for a in aggs)])
        row_field = by[0]
        series_of = _series(results, by[1:], limit, useother, True, ctx)
        getters = [_value_getter(a, results, ctx) for a in aggs]
        time_of = _time_getter(results)
        groups = group(results.records, [results.getter(row_field)])
        order = [row_field]
        rows = []
        for key in sorted(groups):
            row: dict[str, Any] = {row_field: key[0]}
            split: dict[str, list[Any]] = {}
            for rec in groups[key]:
                name = series_of(rec)
                if name is not None:
                    split.setdefault(name, []).append(rec)
            for agg, get in zip(aggs, getters, strict=True):
                for name in series_of.names:
                    column = name if len(aggs) == 1 else f"{agg.name}: {name}"
                    value = compute(agg, split.get(name, []), get, time_of)
                    row[column] = 0 if value is None and agg.function in ("count", "dc") else value
                    if column not in order:
                        order.append(column)
            rows.append({k: v for k, v in row.items() if v is not None})
        return Results(rows, order=order)

    return run


def _top_or_rare(args: str, ctx: Context, command: str) -> Executor:
    options, text = split_options(
        args,
        frozenset({"limit", "countfield", "percentfield", "showcount", "showperc", "useother", "otherstr"}),
    )
    parts = re.split(r"\s+by\s+", " " + text, maxsplit=1, flags=re.IGNORECASE)
    names = field_list(parts[0])
    by = field_list(parts[1]) if len(parts) > 1 else []
    if not names:
        raise command_error(command, "Must specify one or more fields.")
    limit = int(options.get("limit", 10))
    countfield = options.get("countfield", "count")
    percentfield = options.get("percentfield", "percent")
    showcount = options.get("showcount", "t").lower() in ("t", "true", "1")
    showperc = options.get("showperc", "t").lower() in ("t", "true", "1")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        value_getters = [results.getter(n) for n in names]
        outer = group(results.records, [results.getter(b) for b in by]) if by else {(): results.records}
        rows = []
        for okey in sorted(outer):
            counts = Counter(group(outer[okey], value_getters)).items()
            counted = [(key, len(recs)) for key, recs in counts]
            total = sum(c for _, c in counted)
            if command == "top":
                counted.sort(key=lambda kc: (-kc[1], kc[0]))
            else:
                counted.sort(key=lambda kc: (kc[1], kc[0]))
            for key, count in counted[:limit] if limit else counted:
                row: dict[str, Any] = dict(zip(by, okey, strict=True))
                row.update(zip(names, key, strict=True))
                if showcount:
                    row[countfield] = count
                if showperc:
                    row[percentfield] = f"{count * 100 / total:.6f}" if total else "0.000000"
                rows.append(row)
        order = [*by, *names] + ([countfield] if showcount else []) + ([percentfield] if showperc else [])
        return Results(rows, order=order)

    return run


def top(args: str, ctx: Context) -> Executor:
    return _top_or_rare(args, ctx, "top")


def rare(args: str, ctx: Context) -> Executor:
    return _top_or_rare(args, ctx, "rare")


def fieldsummary(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"maxvals"}))
    maxvals = int(options.get("maxvals", 100))
    only = field_list(rest)

    def run(results: Results | None) -> Results:
        results = results or Results([])
        per_field: dict[str, list[Any]] = {}
        for row in results.rows():
            for key, value in row.items():
                if key.startswith("_") and key != "_time":
                    continue
                if value is not None:
                    per_field.setdefault(key, []).append(value)
        rows = []
        for name in only or sorted(per_field, key=lambda n: (n.startswith("_"), n)):
            values = per_field.get(name, [])
            strs = [to_str(v) or "" for v in _flat(values)]
            counts = Counter(strs)
            nums = _numbers(strs)
            row: dict[str, Any] = {
                "field": name,
                "count": len(values),
                "distinct_count": len(counts),
                "is_exact": 1,
                "numeric_count": len(nums),
            }
            if nums:
                row["max"] = max(nums)
                row["mean"] = math.fsum(nums) / len(nums)
                row["min"] = min(nums)
                row["stdev"] = statistics.stdev(nums) if len(nums) > 1 else 0
            top_values = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:maxvals]
            row["values"] = json.dumps(
                [{"value": v, "count": c} for v, c in top_values], separators=(",", ":"), ensure_ascii=False
            )
            rows.append(row)
        order = [
            "field",
            "count",
            "distinct_count",
            "is_exact",
            "max",
            "mean",
            "min",
            "numeric_count",
            "stdev",
            "values",
        ]
        return Results(rows, order=order)

    return run
