"""What splunkd's search/parser endpoint reports about a query, without running it."""

from __future__ import annotations

from typing import Any

from sandbox.spl.model import SearchEnvironment


def parse_query(query: str, env: SearchEnvironment | None = None) -> dict[str, Any]:
    """The parser endpoint's JSON: the query split into events and reports parts plus one entry per command.
    Macros are expanded when an environment is given; subsearches are not run. Raises SplError on bad SPL."""
    from sandbox.spl.commands import COMMANDS
    from sandbox.spl.engine import Context, parse_stages

    leading_pipe, stages = parse_stages(query, env)
    commands = []
    for i, (name, args) in enumerate(stages):
        if name.startswith("`"):
            commands.append(
                {"command": name, "rawargs": "", "pipeline": "streaming", "args": "", "isGenerating": False}
            )
            continue
        spec = COMMANDS[name]
        if "[" not in args and "`" not in args:  # argument errors, as splunkd reports them
            spec.compile(args, Context(env or _NoEnvironment(), None, None, [], []))
        report = spec.transforming
        entry: dict[str, Any] = {
            "command": name,
            "rawargs": args,
            "pipeline": "report" if report else "streaming",
            "args": {"search": [args]} if name == "search" else args,
            "isGenerating": i == 0 and (spec.kind == "generating" or not leading_pipe),
            "streamType": "SP_STREAMREPORT" if report else "SP_STREAM",
        }
        commands.append(entry)
    split = next(
        (i for i, (name, _) in enumerate(stages) if name in COMMANDS and COMMANDS[name].transforming),
        len(stages),
    )
    events_part = " | ".join(_text(n, a) for n, a in stages[:split])
    reports_part = " | ".join(_text(n, a) for n, a in stages[split:])
    return {
        "remoteSearch": f"litsearch {stages[0][1]}" if stages and stages[0][0] == "search" else events_part,
        "remoteTimeOrdered": True,
        "eventsSearch": events_part,
        "eventsTimeOrdered": True,
        "eventsStreaming": True,
        "reportsSearch": reports_part,
        "commands": commands,
    }


class _NoEnvironment:
    """Stands in when the parser runs without a user's context: lookups and saved searches exist."""

    store = None
    user = "nobody"
    readable_indexes: frozenset[str] = frozenset()
    default_indexes: tuple[str, ...] = ()
    now = 0.0

    def macro(self, name: str, argc: int) -> None:
        return None

    def lookup_rows(self, name: str) -> list[dict[str, str]]:
        return []

    def rest_rows(self, path: str, params: dict[str, str]) -> list[dict[str, object]]:
        return []

    def saved_search_query(self, name: str) -> str:
        return "search *"


def _text(name: str, args: str) -> str:
    return f"{name} {args}".strip()
