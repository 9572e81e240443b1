"""The search language proper (`search ...` terms, field comparisons, boolean logic) compiled to predicates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.spl.evalexpr import to_num
from sandbox.spl.lexer import UNBALANCED_PARENS, Token, tokenize
from sandbox.spl.model import SplError

Predicate = Callable[[Any], bool]
_ALWAYS: Predicate = lambda rec: True  # noqa: E731 - a constant predicate reads best as a lambda


@dataclass
class SearchPlan:
    node: tuple  # ("and"|"or", a, b) | ("not", a) | ("term", text) | ("cmp", field, op, value) | ("true",)
    earliest: str | None = None
    latest: str | None = None
    index_patterns: list[str] = field(default_factory=list)  # positive index= terms (scope)


class _SearchParser:
    def __init__(self, text: str) -> None:
        self.tokens = [t for t in tokenize(text) if t.kind != "COMMA"]
        self.pos = 0
        self.plan = SearchPlan(("true",))

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> SearchPlan:
        if self.tokens:
            node = self.or_expr(negated=False)
            if self.peek() is not None:
                raise SplError(UNBALANCED_PARENS)
            self.plan.node = node
        return self.plan

    def or_expr(self, negated: bool) -> tuple:
        node = self.and_expr(negated)
        while (t := self.peek()) and t.kind == "WORD" and t.text == "OR":
            self.pos += 1
            node = ("or", node, self.and_expr(negated))
        return node

    def and_expr(self, negated: bool) -> tuple:
        node = self.not_expr(negated)
        while (t := self.peek()) and t.kind != "RP" and not (t.kind == "WORD" and t.text == "OR"):
            if t.kind == "WORD" and t.text == "AND":
                self.pos += 1
            node = ("and", node, self.not_expr(negated))
        return node

    def not_expr(self, negated: bool) -> tuple:
        t = self.peek()
        if t and t.kind == "WORD" and t.text == "NOT":
            if [k.kind for k in self.tokens[self.pos + 1 : self.pos + 3]] == ["LP", "RP"]:
                self.pos += 3  # `NOT ()` is what an empty subsearch becomes: it matches nothing
                return ("false",)
            self.pos += 1
            return ("not", self.not_expr(not negated))
        return self.primary(negated)

    def primary(self, negated: bool) -> tuple:
        t = self.peek()
        if t is None:
            raise SplError(
                "Error in 'search' command: Unable to parse the search: Comparator '' is missing a term."
            )
        self.pos += 1
        if t.kind == "LP":
            node = self.or_expr(negated)
            close = self.peek()
            if close is None or close.kind != "RP":
                raise SplError(UNBALANCED_PARENS)
            self.pos += 1
            return node
        if t.kind == "RP":
            raise SplError(UNBALANCED_PARENS)
        if t.kind == "OP":
            raise SplError(
                f"Error in 'search' command: Unable to parse the search: Comparator '{t.text}' is missing a term "
                "on the left hand side."
            )
        nxt = self.peek()
        if t.kind == "WORD" and nxt is not None and nxt.kind == "OP":
            self.pos += 1
            value = self.peek()
            if value is None or value.kind not in ("WORD", "STR"):
                raise SplError(
                    f"Error in 'search' command: Unable to parse the search: Comparator '{nxt.text}' has an "
                    "invalid term on the right hand side."
                )
            self.pos += 1
            return self.comparison(t.text, nxt.text, value.text, negated)
        if t.kind == "WORD" and nxt is not None and nxt.kind == "WORD" and nxt.text == "IN":
            self.pos += 1
            values = self.in_list()
            node: tuple = ("false",)
            for v in values:
                cmp = self.comparison(t.text, "=", v, negated)
                node = cmp if node == ("false",) else ("or", node, cmp)
            return node
        return ("term", t.text)

    def in_list(self) -> list[str]:
        t = self.peek()
        if t is None or t.kind != "LP":
            raise SplError(
                "Error in 'search' command: Unable to parse the search: Right hand side of IN must be a collection of literals. '' is not a literal."
            )
        self.pos += 1
        values = []
        while (t := self.peek()) is not None and t.kind != "RP":
            values.append(t.text)
            self.pos += 1
        if t is None:
            raise SplError(UNBALANCED_PARENS)
        self.pos += 1
        return values

    def comparison(self, name: str, op: str, value: str, negated: bool) -> tuple:
        lowered = name.lower()
        if lowered in ("earliest", "latest") and op == "=":
            setattr(self.plan, lowered, value)
            return ("true",)
        if lowered == "index" and op == "=" and not negated:
            self.plan.index_patterns.append(value)
        if lowered in ("index", "host", "source", "sourcetype"):
            name = lowered  # default fields are matched case-insensitively by name
        return ("cmp", name, op, value)


def parse_search(text: str) -> SearchPlan:
    return _SearchParser(text).parse()


_WORDCH = re.compile(r"[A-Za-z0-9_]")


def term_predicate(term: str, raw_of: Callable[[Any], str | None]) -> Predicate:
    """A keyword or phrase: case-insensitive, `*` wildcards, and only on token boundaries (like Splunk's
    segments: `error` does not match `errors`). A substring test filters before the exact check."""
    lowered = term.lower()
    pieces = [p for p in lowered.split("*") if p]
    if not pieces:
        return _ALWAYS
    needle = max(pieces, key=len)
    head = "" if lowered.startswith("*") or not _WORDCH.match(lowered[0]) else r"(?<![A-Za-z0-9_])"
    tail = "" if lowered.endswith("*") or not _WORDCH.match(lowered[-1]) else r"(?![A-Za-z0-9_])"
    rx = re.compile(head + r"\S*?".join(re.escape(p) for p in lowered.split("*")) + tail, re.IGNORECASE)
    search = rx.search

    def matches(rec: Any) -> bool:
        raw = raw_of(rec)
        if raw is None:
            return False
        return needle in raw.lower() and search(raw) is not None

    return matches


def value_matcher(pattern: str) -> Callable[[str], bool]:
    """field=value: values compare case-insensitively, `*` is a wildcard."""
    lowered = pattern.lower()
    if "*" not in lowered:
        return lambda v: v.lower() == lowered
    if lowered == "*":
        return lambda v: True
    parts = lowered.split("*")
    if len(parts) == 2 and parts[0] and not parts[1]:
        prefix = parts[0]
        return lambda v: v.lower().startswith(prefix)
    if len(parts) == 2 and parts[1] and not parts[0]:
        suffix = parts[1]
        return lambda v: v.lower().endswith(suffix)
    rx = re.compile(".*".join(re.escape(p) for p in parts), re.IGNORECASE | re.S)
    return lambda v: rx.fullmatch(v) is not None


def compile_search(
    node: tuple,
    make_getter: Callable[[str], Callable[[Any], Any]],
    raw_of: Callable[[Any], str | None],
) -> Predicate:
    kind = node[0]
    if kind == "true":
        return _ALWAYS
    if kind == "false":
        return lambda rec: False
    if kind == "and":
        a, b = compile_search(node[1], make_getter, raw_of), compile_search(node[2], make_getter, raw_of)
        if a is _ALWAYS:
            return b
        if b is _ALWAYS:
            return a
        return lambda rec: a(rec) and b(rec)
    if kind == "or":
        a, b = compile_search(node[1], make_getter, raw_of), compile_search(node[2], make_getter, raw_of)
        return lambda rec: a(rec) or b(rec)
    if kind == "not":
        a = compile_search(node[1], make_getter, raw_of)
        return lambda rec: not a(rec)
    if kind == "term":
        return term_predicate(node[1], raw_of)
    _, name, op, value = node
    get = make_getter(name)
    if op in ("=", "!="):
        match = value_matcher(value)

        def equal(rec: Any) -> bool | None:
            v = get(rec)
            if v is None:
                return None
            if type(v) is list:
                return any(match(str(x)) for x in v)
            return match(v if type(v) is str else _plain(v))

        if op == "=":
            return lambda rec: equal(rec) is True
        return lambda rec: equal(rec) is False  # a missing field matches neither = nor !=
    return _ordering(get, op, value)


def _plain(v: Any) -> str:
    from sandbox.spl.evalexpr import to_str

    return to_str(v) or ""


def _ordering(get: Callable[[Any], Any], op: str, value: str) -> Predicate:
    target = to_num(value)
    import operator

    cmp = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]
    if target is None:
        return lambda rec: (v := get(rec)) is not None and cmp(_plain(v), value)

    def numeric(rec: Any) -> bool:
        v = get(rec)
        if v is None:
            return False
        if type(v) is str:
            try:
                return cmp(float(v), target)
            except ValueError:
                return False
        n = to_num(v)
        return n is not None and cmp(n, target)

    return numeric
