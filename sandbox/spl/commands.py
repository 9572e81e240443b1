"""The command table and the streaming commands (search, where, eval, fields, table, sort, rex, ...)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.spl import generating, reporting
from sandbox.spl.engine import Context, Executor, format_subsearch
from sandbox.spl.evalexpr import compile_expression, pcre_to_python, to_num, to_str
from sandbox.spl.lexer import field_list, split_options, split_top_level, tokenize, unquote, wildcard_regex
from sandbox.spl.model import SplError, command_error
from sandbox.spl.records import Results, event_getter, row_getter
from sandbox.spl.searchexpr import _ALWAYS, compile_search, parse_search
from sandbox.spl.timemod import parse_time_modifier


@dataclass(frozen=True)
class CommandSpec:
    kind: str  # "generating" | "streaming" | "report" | "write"
    compile: Callable[[str, Context], Executor]
    transforming: bool = False
    may_follow: bool = False  # a generating command that may also appear later (search, inputlookup append=t)


# -- search -------------------------------------------------------------------------------------------


def _inline_time(value: str, term: str, ctx: Context) -> float | None:
    try:
        return parse_time_modifier(value, ctx.now)
    except SplError:
        raise SplError(f"Invalid value \"{value}\" for time term '{term}'") from None


def resolve_indexes(patterns: list[str], ctx: Context) -> list[str]:
    """Index names a search may read: named or wildcard-matched (`*` skips `_internal` and metric
    indexes, as Splunk does), or the role's defaults, always within what the role may read."""
    store = ctx.env.store
    if not patterns:
        chosen = [n for n in ctx.env.default_indexes if n in store.indexes]
    else:
        chosen = []
        for pattern in patterns:
            if "*" in pattern:
                rx = wildcard_regex(pattern)
                chosen += [
                    n
                    for n, info in store.indexes.items()
                    if rx.fullmatch(n)
                    and (pattern.startswith("_") or not n.startswith("_"))
                    and info.datatype == "event"
                ]
            else:
                chosen += [n for n in store.indexes if n.lower() == pattern.lower()]
    readable = ctx.env.readable_indexes
    if any("*" in r for r in readable):
        patterns_rx = [wildcard_regex(r) for r in readable]
        return [n for n in dict.fromkeys(chosen) if any(rx.fullmatch(n) for rx in patterns_rx)]
    return [n for n in dict.fromkeys(chosen) if n in readable]


def _search(args: str, ctx: Context) -> Executor:
    plan = parse_search(args)
    earliest = ctx.earliest if plan.earliest is None else _inline_time(plan.earliest, "earliest", ctx)
    latest = ctx.latest if plan.latest is None else _inline_time(plan.latest, "latest", ctx)
    limit = ctx.next_head

    def run(results: Results | None) -> Results:
        if results is not None:  # a filter later in the pipeline
            pred = compile_search(plan.node, results.getter, results.raw_of())
            results.records = [r for r in results.records if pred(r)]
            return results
        ctx.earliest, ctx.latest = (
            earliest,
            latest,
        )  # inline earliest=/latest= win; timechart's range uses them
        indexes = resolve_indexes(plan.index_patterns, ctx)
        events = ctx.env.store.window(indexes, earliest, latest)
        pred = compile_search(plan.node, event_getter, event_getter("_raw"))
        if limit is not None:
            matched = []
            scanned = 0
            for scanned, e in enumerate(events, 1):  # noqa: B007 - `scanned` is read after the loop
                if pred(e):
                    matched.append(e)
                    if len(matched) >= limit:
                        break
        else:
            matched = events if pred is _ALWAYS else [e for e in events if pred(e)]
            scanned = len(events)
        ctx.scan_count += scanned
        ctx.event_count += len(matched)
        return Results(list(matched), raw_events=True)

    return run


def _where(args: str, ctx: Context) -> Executor:
    if not args.strip():
        raise command_error("where", "The expression is malformed. Expected an expression.")
    compile_expression(args, row_getter, ctx.now, "where")  # parse errors surface before anything runs

    def run(results: Results | None) -> Results:
        results = results or Results([])
        test = compile_expression(args, results.getter, ctx.now, "where")
        results.records = [r for r in results.records if test(r) is True]
        return results

    return run


def _count_arg(args: str, command: str, default: int) -> int:
    options, rest = split_options(args, frozenset({"limit"}))
    text = options.get("limit", rest) or str(default)
    if not text.isdigit():
        raise command_error(command, f"The argument '{text}' is invalid.")
    return int(text)


def _head(args: str, ctx: Context) -> Executor:
    n = _count_arg(args, "head", 10)
    return lambda results: _slice(results, lambda recs: recs[:n])


def _tail(args: str, ctx: Context) -> Executor:
    n = _count_arg(args, "tail", 10)
    return lambda results: _slice(results, lambda recs: list(reversed(recs[-n:])) if n else [])


def _reverse(args: str, ctx: Context) -> Executor:
    return lambda results: _slice(results, lambda recs: recs[::-1])


def _slice(results: Results | None, fn: Callable[[list], list]) -> Results:
    results = results or Results([])
    results.records = fn(results.records)
    return results


def _expand_names(patterns: list[str], available: list[str]) -> list[str]:
    out: list[str] = []
    for p in patterns:
        if "*" in p:
            rx = wildcard_regex(p, 0)
            out += [f for f in available if rx.fullmatch(f) and f not in out]
        elif p not in out:
            out.append(p)
    return out


def _available(results: Results) -> list[str]:
    seen: dict[str, None] = dict.fromkeys(results.order)
    for row in results.rows():
        for key in row:
            seen.setdefault(key)
    return list(seen)


def _fields(args: str, ctx: Context) -> Executor:
    text = args.strip()
    remove = text.startswith("-")
    if text[:1] in "+-":
        text = text[1:]
    names = field_list(text)
    if not names:
        raise command_error("fields", "Must specify one or more fields.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        matchers = [wildcard_regex(n, 0) for n in names]

        def listed(key: str) -> bool:
            return any(rx.fullmatch(key) for rx in matchers)

        rows = results.rows()
        if remove:
            results.records = [{k: v for k, v in row.items() if not listed(k)} for row in rows]
            results.order = [f for f in results.order if not listed(f)]
        else:
            results.records = [
                {k: v for k, v in row.items() if listed(k) or k.startswith("_")} for row in rows
            ]
            if results.order:
                kept = _expand_names(names, _available(results))
                results.order = [f for f in kept if f in results.order] + [
                    f for f in results.order if f not in kept and f.startswith("_")
                ]
        return results

    return run


def _table(args: str, ctx: Context) -> Executor:
    names = field_list(args)
    if not names:
        raise command_error("table", "Must specify one or more fields.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        columns = _expand_names(names, _available(results))
        results.records = [{c: row[c] for c in columns if c in row} for row in results.rows()]
        results.order = columns
        results.event_meta = False
        return results

    return run


def _rename(args: str, ctx: Context) -> Executor:
    pairs = []
    for part in split_top_level(args):
        tokens = [t for t in tokenize(part) if t.kind in ("WORD", "STR")]
        if len(tokens) != 3 or tokens[1].text.upper() != "AS":
            raise command_error("rename", "Usage: rename [old_name AS new_name]+")
        pairs.append((tokens[0].text, tokens[2].text))

    def new_name(key: str) -> str | None:
        for old, new in pairs:
            if "*" in old:
                m = re.fullmatch(".*".join(re.escape(p) for p in old.split("*")).replace(".*", "(.*)"), key)
                if m:
                    parts = new.split("*")
                    return parts[0] + "".join(g + p for g, p in zip(m.groups(), parts[1:], strict=False))
            elif key == old:
                return new
        return None

    def run(results: Results | None) -> Results:
        results = results or Results([])
        out = []
        for row in results.rows():
            renamed: dict[str, Any] = {}
            for key, value in row.items():
                target = new_name(key)
                if target is None:
                    renamed.setdefault(key, value)
                else:
                    renamed[target] = value
            out.append(renamed)
        results.records = out
        results.order = [new_name(f) or f for f in results.order]
        return results

    return run


def sort_key(value: Any) -> tuple:
    """Splunk's order: numbers (numerically), then strings (lexicographically), then missing values."""
    if value is None:
        return (2, "")
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return (2, "")
    n = to_num(value)
    if n is not None:
        return (0, n)
    return (1, to_str(value))


def _sort(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"limit"}))
    tokens = [t for t in tokenize(rest) if t.kind != "COMMA"]
    limit = int(options.get("limit", 10000))
    if tokens and tokens[0].kind == "WORD" and tokens[0].text.isdigit():
        limit = int(tokens.pop(0).text)
    keys: list[tuple[str, bool, str]] = []  # (field, descending, mode)
    sign = False
    i = 0
    while i < len(tokens):
        t = tokens[i]
        text = t.text
        if t.kind == "WORD" and text in ("-", "+"):
            sign = text == "-"
            i += 1
            continue
        descending = sign
        if t.kind == "WORD" and text[:1] in "+-" and len(text) > 1:
            descending, text = text[0] == "-", text[1:]
        mode = "auto"
        if i + 2 < len(tokens) and tokens[i + 1].kind == "LP":
            mode = text.lower()
            if mode not in ("num", "str", "auto", "ip"):
                raise command_error("sort", f"The argument '{text}' is invalid.")
            text = tokens[i + 2].text
            i += 3
        i += 1
        if i < len(tokens) and tokens[i].kind == "WORD" and tokens[i].text.lower() in ("d", "desc"):
            descending = True
            i += 1
        keys.append((text, descending, mode))
        sign = False
    if not keys:
        raise command_error("sort", "The sort command requires at least one field to sort by.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        records = list(results.records)
        for name, descending, mode in reversed(keys):
            get = results.getter(name)
            if mode == "str":
                key = lambda r, g=get: (0, to_str(g(r)) or "") if g(r) is not None else (2, "")  # noqa: E731
            else:
                key = lambda r, g=get: sort_key(g(r))  # noqa: E731
            records.sort(key=key, reverse=descending)
        results.records = records[:limit] if limit else records
        return results

    return run


def _dedup(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"keepempty", "consecutive", "keepevents"}))
    rest = re.split(r"\bsortby\b", rest, maxsplit=1)[0]
    names = field_list(rest)
    keep = 1
    if names and names[0].isdigit():
        keep = int(names.pop(0))
    if not names:
        raise command_error("dedup", "At least one field must be specified.")
    keepempty = options.get("keepempty", "f").lower() in ("t", "true", "1")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        getters = [results.getter(n) for n in names]
        counts: dict[tuple, int] = {}
        out = []
        for rec in results.records:
            key = tuple(_hashable(g(rec)) for g in getters)
            if None in key:
                if keepempty:
                    out.append(rec)
                continue
            seen = counts.get(key, 0)
            if seen < keep:
                counts[key] = seen + 1
                out.append(rec)
        results.records = out
        return results

    return run


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _eval(args: str, ctx: Context) -> Executor:
    assignments = []
    for part in split_top_level(args):
        m = re.match(r'\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s=]+)\s*=(?!=)(.*)$', part, re.S)
        if not m:
            raise SplError("Error in 'EvalCommand': The expression is malformed. Expected =.")
        name = m.group(1)
        if name[0] in "\"'":
            name = unquote(name[1:-1])
        compile_expression(m.group(2), row_getter, ctx.now, "EvalCommand")
        assignments.append((name, m.group(2)))
    if not assignments:
        raise SplError("Error in 'EvalCommand': The expression is malformed. Expected =.")

    def run(results: Results | None) -> Results:
        results = results or Results([])
        rows = results.rows()
        compiled = [
            (name, compile_expression(expr, row_getter, ctx.now, "EvalCommand")) for name, expr in assignments
        ]
        for row in rows:
            for name, fn in compiled:
                value = fn(row)
                if value is None:
                    row.pop(name, None)
                else:
                    row[name] = value
        if results.order:
            results.order += [n for n, _ in assignments if n not in results.order]
        return results

    return run


def _rex(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"field", "max_match", "mode", "offset_field"}))
    tokens = tokenize(rest)
    if len(tokens) != 1 or tokens[0].kind != "STR":
        raise command_error("rex", "The regex must be a quoted string.")
    pattern = tokens[0].text
    source = options.get("field", "_raw")
    max_match = int(options.get("max_match", "1") or 1)
    if options.get("mode") == "sed":
        m = re.fullmatch(r"s/((?:[^/\\]|\\.)*)/((?:[^/\\]|\\.)*)/(g|\d*)", pattern)
        if not m:
            raise command_error(
                "rex", f"Failed to initialize sed. Failed to parse the replacement string '{pattern}'."
            )
        rx = _compile_rex(m.group(1), pattern)
        repl = re.sub(r"\\(\d)", r"\\g<\1>", m.group(2))
        count = 0 if m.group(3) == "g" else 1

        def sed(results: Results | None) -> Results:
            results = results or Results([])
            for row in results.rows():
                value = to_str(row.get(source))
                if value is not None:
                    row[source] = rx.sub(repl, value, count=count)
            return results

        return sed
    rx = _compile_rex(pattern, pattern)
    names = list(rx.groupindex)
    if not names:
        raise command_error(
            "rex",
            f"The regex '{pattern}' does not extract anything. It should specify at least one named group. "
            "Format: (?<name>...).",
        )

    def run(results: Results | None) -> Results:
        results = results or Results([])
        for row in results.rows():
            value = to_str(row.get(source))
            if value is None:
                continue
            if max_match == 1:
                m = rx.search(value)
                if m:
                    row.update({k: v for k, v in m.groupdict().items() if v is not None})
                continue
            found: dict[str, list[str]] = {}
            for m in itertools.islice(rx.finditer(value), max_match or None):
                for k, v in m.groupdict().items():
                    if v is not None:
                        found.setdefault(k, []).append(v)
            row.update({k: v[0] if len(v) == 1 else v for k, v in found.items()})
        return results

    return run


def _compile_rex(pattern: str, shown: str) -> re.Pattern[str]:
    try:
        return re.compile(pcre_to_python(pattern))
    except re.error as exc:
        raise command_error(
            "rex", f"Encountered the following error while compiling the regex '{shown}': {exc}."
        ) from None


def _fillnull(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"value"}))
    value = options.get("value", "0")
    names = field_list(rest)

    def run(results: Results | None) -> Results:
        results = results or Results([])
        targets = names or [f for f in _available(results) if not f.startswith("_")]
        for row in results.rows():
            for name in targets:
                if row.get(name) in (None, ""):
                    row[name] = value
        return results

    return run


def _makemv(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"delim", "tokenizer", "allowempty", "setsv"}))
    names = field_list(rest)
    if len(names) != 1:
        raise command_error("makemv", "A single field must be specified.")
    name = names[0]
    delim = options.get("delim", " ")
    tokenizer = re.compile(pcre_to_python(options["tokenizer"])) if "tokenizer" in options else None

    def run(results: Results | None) -> Results:
        results = results or Results([])
        for row in results.rows():
            value = to_str(row.get(name))
            if value is None:
                continue
            if tokenizer is not None:
                parts = [m.group(1) if m.groups() else m.group(0) for m in tokenizer.finditer(value)]
            else:
                parts = [p for p in value.split(delim) if p]
            row[name] = parts[0] if len(parts) == 1 else parts
        return results

    return run


def _mvexpand(args: str, ctx: Context) -> Executor:
    _options, rest = split_options(args, frozenset({"limit"}))
    names = field_list(rest)
    if len(names) != 1:
        raise command_error("mvexpand", "A single field must be specified.")
    name = names[0]

    def run(results: Results | None) -> Results:
        results = results or Results([])
        out = []
        for row in results.rows():
            value = row.get(name)
            if isinstance(value, list):
                out += [{**row, name: v} for v in value]
            else:
                out.append(row)
        results.records = out
        return results

    return run


def _lookup(args: str, ctx: Context) -> Executor:
    _options, rest = split_options(args, frozenset({"local", "update", "event_time_field"}))
    m = re.split(r"\b(OUTPUTNEW|OUTPUT)\b", rest, maxsplit=1, flags=re.IGNORECASE)
    head = field_list(m[0])
    if len(head) < 2:
        raise command_error("lookup", "Usage: lookup <table> <field> [AS <local field>] [OUTPUT <fields>]")
    table = head[0]
    matches = _as_pairs(head[1:])
    outputs = _as_pairs(field_list(m[2])) if len(m) > 1 else []
    output_new = len(m) > 1 and m[1].upper() == "OUTPUTNEW"
    table_rows = ctx.env.lookup_rows(table)
    if table_rows is None:
        field_names = ", ".join(lookup for lookup, _ in matches)
        raise command_error(
            "lookup", f"Could not construct lookup '{table}, {field_names}'. See search.log for more details."
        )

    index: dict[tuple, list[dict[str, str]]] = {}
    for trow in table_rows:
        index.setdefault(tuple(trow.get(lf) for lf, _ in matches), []).append(trow)
    match_fields = {lf for lf, _ in matches}
    if not outputs:
        columns = dict.fromkeys(k for trow in table_rows for k in trow if k not in match_fields)
        outputs = [(c, c) for c in columns]

    def run(results: Results | None) -> Results:
        results = results or Results([])
        for row in results.rows():
            key = tuple(to_str(row.get(local)) for _, local in matches)
            hits = index.get(key)
            if not hits:
                continue
            for source, target in outputs:
                if output_new and row.get(target) is not None:
                    continue
                values = [h[source] for h in hits if h.get(source) not in (None, "")]
                if values:
                    row[target] = values[0] if len(values) == 1 else values
        return results

    return run


def _as_pairs(names: list[str]) -> list[tuple[str, str]]:
    pairs = []
    i = 0
    while i < len(names):
        if i + 2 < len(names) and names[i + 1].upper() == "AS":
            pairs.append((names[i], names[i + 2]))
            i += 3
        else:
            pairs.append((names[i], names[i]))
            i += 1
    return pairs


def _spath(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"input", "output", "path"}))
    source = options.get("input", "_raw")
    path = options.get("path") or (field_list(rest)[0] if field_list(rest) else None)
    output = options.get("output", path)

    def run(results: Results | None) -> Results:
        results = results or Results([])
        for row in results.rows():
            text = to_str(row.get(source))
            if not text:
                continue
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            flat: dict[str, list[str]] = {}
            _flatten(doc, "", flat)
            if path is not None:
                values = flat.get(path)
                if values:
                    row[output] = values[0] if len(values) == 1 else values
            else:
                for key, values in flat.items():
                    row[key] = values[0] if len(values) == 1 else values
        return results

    return run


def _flatten(node: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(node, list):
        for value in node:
            _flatten(value, f"{prefix}{{}}", out)
    elif node is not None:
        text = json.dumps(node) if isinstance(node, bool) else str(node)
        out.setdefault(prefix, []).append(text)


def _bin(args: str, ctx: Context) -> Executor:
    options, rest = split_options(args, frozenset({"span", "bins", "minspan", "aligntime"}))
    names = field_list(re.split(r"\s+AS\s+", rest, flags=re.IGNORECASE)[0])
    alias = re.split(r"\s+AS\s+", rest, flags=re.IGNORECASE)
    name = names[0] if names else "_time"
    target = field_list(alias[1])[0] if len(alias) > 1 else name
    span = reporting.parse_span(options.get("span"), "bin") if "span" in options else None

    def run(results: Results | None) -> Results:
        results = results or Results([])
        size = span or (reporting.auto_span(results, ctx) if name == "_time" else 1.0)
        for row in results.rows():
            n = to_num(row.get(name))
            if n is None:
                continue
            low = (n // size) * size
            if name == "_time":
                row[target] = low
            else:
                row[target] = f"{reporting.fmt(low)}-{reporting.fmt(low + size)}"
        return results

    return run


def _addinfo(args: str, ctx: Context) -> Executor:
    def run(results: Results | None) -> Results:
        results = results or Results([])
        for row in results.rows():
            row["info_min_time"] = ctx.earliest if ctx.earliest is not None else 0
            row["info_max_time"] = ctx.latest if ctx.latest is not None else "+Infinity"
            row["info_search_time"] = ctx.now
        return results

    return run


def _return(args: str, ctx: Context) -> Executor:
    tokens = field_list(args)
    count = int(tokens.pop(0)) if tokens and tokens[0].isdigit() else 1

    def run(results: Results | None) -> Results:
        results = results or Results([])
        clauses = []
        for row in results.rows()[:count]:
            parts = []
            for token in tokens:
                if token.startswith("$"):
                    value = to_str(row.get(token[1:]))
                    if value is not None:
                        parts.append(value)
                    continue
                alias, _, name = token.partition("=")
                name = name or alias
                value = to_str(row.get(name))
                if value is not None:
                    parts.append(f'{alias}="{value}"')
            if parts:
                clauses.append(" ".join(parts))
        text = " OR ".join(f"({c})" for c in clauses) if len(clauses) > 1 else (clauses[0] if clauses else "")
        return Results([{"search": text}], order=["search"])

    return run


def _format(args: str, ctx: Context) -> Executor:
    def run(results: Results | None) -> Results:
        return Results([{"search": format_subsearch(results or Results([]))}], order=["search"])

    return run


def _write(name: str) -> Callable[[str, Context], Executor]:
    """Write/side-effect commands: accepted and recorded in the audit, results pass through unchanged."""

    def compile_write(args: str, ctx: Context) -> Executor:
        return lambda results: results or Results([])

    return compile_write


_WRITE_COMMANDS = (
    "delete", "collect", "mcollect", "meventcollect", "outputlookup", "outputcsv", "outputtext", "sendemail",
    "sendalert", "tscollect", "summaryindex", "sichart", "sistats", "sitimechart", "sitop", "script", "run",
    "runshellscript", "map", "dbxquery", "dbxoutput", "dbxlookup", "sendresults", "stash",
)  # fmt: skip

COMMANDS: dict[str, CommandSpec] = {
    "search": CommandSpec("generating", _search, may_follow=True),
    "where": CommandSpec("streaming", _where),
    "head": CommandSpec("streaming", _head),
    "tail": CommandSpec("streaming", _tail),
    "reverse": CommandSpec("streaming", _reverse),
    "fields": CommandSpec("streaming", _fields),
    "table": CommandSpec("streaming", _table),
    "rename": CommandSpec("streaming", _rename),
    "sort": CommandSpec("streaming", _sort),
    "dedup": CommandSpec("streaming", _dedup),
    "eval": CommandSpec("streaming", _eval),
    "rex": CommandSpec("streaming", _rex),
    "fillnull": CommandSpec("streaming", _fillnull),
    "makemv": CommandSpec("streaming", _makemv),
    "mvexpand": CommandSpec("streaming", _mvexpand),
    "lookup": CommandSpec("streaming", _lookup),
    "spath": CommandSpec("streaming", _spath),
    "bin": CommandSpec("streaming", _bin),
    "bucket": CommandSpec("streaming", _bin),
    "addinfo": CommandSpec("streaming", _addinfo),
    "return": CommandSpec("report", _return, transforming=True),
    "format": CommandSpec("report", _format, transforming=True),
    "stats": CommandSpec("report", reporting.stats, transforming=True),
    "eventstats": CommandSpec("streaming", reporting.eventstats),
    "timechart": CommandSpec("report", reporting.timechart, transforming=True),
    "chart": CommandSpec("report", reporting.chart, transforming=True),
    "top": CommandSpec("report", reporting.top, transforming=True),
    "rare": CommandSpec("report", reporting.rare, transforming=True),
    "fieldsummary": CommandSpec("report", reporting.fieldsummary, transforming=True),
    "makeresults": CommandSpec("generating", generating.makeresults, transforming=True),
    "metadata": CommandSpec("generating", generating.metadata, transforming=True),
    "tstats": CommandSpec("generating", generating.tstats, transforming=True),
    "eventcount": CommandSpec("generating", generating.eventcount, transforming=True),
    "inputlookup": CommandSpec("generating", generating.inputlookup, transforming=True),
    "rest": CommandSpec("generating", generating.rest, transforming=True),
    "savedsearch": CommandSpec("generating", generating.savedsearch),
    **{name: CommandSpec("write", _write(name)) for name in _WRITE_COMMANDS},
}
