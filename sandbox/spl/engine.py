"""Running a query: macro expansion, parsing every command up front, subsearches, then the pipeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.spl.evalexpr import evaluate_constant, to_str
from sandbox.spl.lexer import expand_macros, split_pipeline, subsearch_spans
from sandbox.spl.model import SearchEnvironment, SearchOutcome, SplError
from sandbox.spl.records import Results, render
from sandbox.spl.timemod import parse_time_modifier

MAX_NESTING = 10
SUBSEARCH_MAXOUT = 10_000
Executor = Callable[[Results | None], Results]


@dataclass
class Context:
    env: SearchEnvironment
    earliest_text: str | None
    latest_text: str | None
    commands: list[str]
    messages: list[tuple[str, str]]
    depth: int = 0
    earliest: float | None = None
    latest: float | None = None
    event_count: int = 0
    scan_count: int = 0
    transforming: bool = False
    next_head: int | None = None  # set while compiling a base search directly followed by `head N`
    saved_searches: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        self.earliest = _api_time(self.earliest_text, self.env.now, "earliest_time")
        self.latest = _api_time(self.latest_text, self.env.now, "latest_time")

    @property
    def now(self) -> float:
        return self.env.now

    def nested(self) -> Context:
        """A subsearch or saved search: same time range and audit trail, its own counts."""
        if self.depth >= MAX_NESTING:
            raise SplError("Error in 'SearchParser': Subsearches and saved searches are nested too deeply.")
        return Context(
            self.env,
            self.earliest_text,
            self.latest_text,
            self.commands,
            self.messages,
            depth=self.depth + 1,
            saved_searches=self.saved_searches,
        )


def _api_time(text: str | None, now: float, name: str) -> float | None:
    if text is None or text.strip() == "":
        return None
    try:
        return parse_time_modifier(text, now)
    except SplError:
        raise SplError(f"Invalid {name}.") from None


@dataclass
class Stage:
    name: str
    args: str
    executor: Executor | None  # None until subsearches in `args` have run


_FIRST_WORD = re.compile(r"\s*([^\s\[\]()=|]*)")


def _split_command(segment: str) -> tuple[str, str]:
    m = _FIRST_WORD.match(segment)
    word = m.group(1) if m else ""
    return word, segment[m.end() if m else 0 :].strip()


def expand(query: str, env: SearchEnvironment) -> str:
    return expand_macros(query, env.macro, lambda body: to_str(evaluate_constant(body, env.now)) or "")


def parse_stages(query: str, env: SearchEnvironment | None) -> tuple[bool, list[tuple[str, str]]]:
    """(leading pipe?, [(command, args)]) with every command name checked, subsearches included."""
    from sandbox.spl.commands import COMMANDS

    text = query.strip()
    if env is not None:
        text = expand(text, env).strip()
    if not text:
        raise SplError("Error in 'SearchParser': Empty search.")
    segments = split_pipeline(text)
    leading_pipe = text.startswith("|")
    if leading_pipe:
        segments = segments[1:]
    stages: list[tuple[str, str]] = []
    for i, segment in enumerate(segments):
        if env is None and segment.strip().startswith("`"):
            stages.append((segment.strip(), ""))  # an unexpanded macro: only the environment knows it
            continue
        word, args = _split_command(segment)
        if not word:
            if not segment.strip():
                raise SplError("Error in 'SearchParser': Missing a search command before '|'.")
            raise SplError(f"Unknown search command '{segment.strip().split()[0]}'.")
        name = word.lower()
        if name not in COMMANDS or (i == 0 and not leading_pipe and name != "search"):
            raise SplError(f"Unknown search command '{word}'.")
        spec = COMMANDS[name]
        if spec.kind == "generating" and i > 0 and not spec.may_follow:
            raise SplError(f"Error in '{name}' command: This command must be the first command of a search.")
        for start, end in subsearch_spans(args):
            inner = args[start + 1 : end - 1].strip()
            parse_stages(inner, None)  # names only: macros were expanded with the outer text
        stages.append((name, args))
    return leading_pipe, stages


def run_pipeline(query: str, ctx: Context) -> Results:
    from sandbox.spl.commands import COMMANDS

    _, parsed = parse_stages(query, ctx.env)
    stages: list[Stage] = []
    for i, (name, args) in enumerate(parsed):
        executor = None
        if not subsearch_spans(args):
            ctx.next_head = _head_limit(parsed, i)
            executor = COMMANDS[name].compile(args, ctx)
        stages.append(Stage(name, args, executor))
    ctx.next_head = None
    results: Results | None = None
    for i, stage in enumerate(stages):
        executor = stage.executor
        if executor is None:
            args = _run_subsearches(stage.args, ctx)
            ctx.next_head = _head_limit(parsed, i)
            executor = COMMANDS[stage.name].compile(args, ctx)
            ctx.next_head = None
        ctx.commands.append(stage.name)
        if COMMANDS[stage.name].transforming:
            ctx.transforming = True
        results = executor(results)
    return results if results is not None else Results([])


def _head_limit(parsed: list[tuple[str, str]], i: int) -> int | None:
    """A base search followed by a plain `head N` may stop scanning early (splunkd finalizes too)."""
    if i == 0 and len(parsed) > 1 and parsed[1][0] == "head":
        arg = parsed[1][1].strip()
        if arg == "":
            return 10
        m = re.fullmatch(r"(?:limit\s*=\s*)?(\d+)", arg)
        if m:
            return int(m.group(1))
    return None


def _run_subsearches(args: str, ctx: Context) -> str:
    out = []
    last = 0
    for start, end in subsearch_spans(args):
        out.append(args[last:start])
        inner = args[start + 1 : end - 1].strip()
        child = ctx.nested()
        results = run_pipeline(inner, child)
        out.append(format_subsearch(results))
        last = end
    out.append(args[last:])
    return "".join(out)


def format_subsearch(results: Results) -> str:
    """Splunk's implicit `format`: ( ( a="1" AND b="2" ) OR ( ... ) ); a `search`/`query` field is used verbatim."""
    rows = results.rows()[:SUBSEARCH_MAXOUT]
    clauses = []
    for row in rows:
        if "search" in row or "query" in row:
            verbatim = to_str(row.get("search", row.get("query")))
            if verbatim:
                clauses.append(f"( {verbatim} )")
            continue
        terms = []
        for key, value in row.items():
            if key.startswith("_") or value is None:
                continue
            values = value if isinstance(value, list) else [value]
            alts = [f'{key}="{_quote(to_str(v) or "")}"' for v in values]
            terms.append(alts[0] if len(alts) == 1 else "( " + " OR ".join(alts) + " )")
        if terms:
            clauses.append("( " + " AND ".join(terms) + " )")
    if not clauses:
        return "NOT ( )"
    return "( " + " OR ".join(clauses) + " )"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def run_search(
    query: str, env: SearchEnvironment, *, earliest_time: str | None = None, latest_time: str | None = None
) -> SearchOutcome:
    ctx = Context(env, earliest_time, latest_time, commands=[], messages=[])
    results = run_pipeline(query, ctx)
    fields, rows = render(results)
    return SearchOutcome(
        fields=fields,
        rows=rows,
        event_count=ctx.event_count,
        scan_count=max(ctx.scan_count, ctx.event_count),
        is_transforming=ctx.transforming,
        commands=ctx.commands,
        messages=ctx.messages,
    )
