"""Lexing SPL: quote-aware pipeline splitting, macro expansion, subsearch spans and argument tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.spl.model import MacroDef, SplError

MAX_MACRO_DEPTH = 10
UNBALANCED_PARENS = "Error in 'search' command: Unable to parse the search: unbalanced parentheses."
UNBALANCED_QUOTES = "Error in 'search' command: Unable to parse the search: unbalanced quotes."
UNBALANCED_BRACKETS = "Error in 'SearchParser': Mismatched ']'."


def _skip_quoted(text: str, pos: int) -> int:
    """Index just past the closing quote of the string starting at text[pos] == '"'."""
    i = pos + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        i += 1
    raise SplError(UNBALANCED_QUOTES)


def split_pipeline(query: str) -> list[str]:
    """Split at top-level pipes (not inside quotes or subsearch brackets)."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(query)
    while i < n:
        c = query[i]
        if c == '"':
            i = _skip_quoted(query, i)
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth < 0:
                raise SplError(UNBALANCED_BRACKETS)
        elif c == "|" and depth == 0:
            parts.append(query[start:i])
            start = i + 1
        i += 1
    if depth != 0:
        raise SplError("Error in 'SearchParser': Missing a closing bracket ']'.")
    parts.append(query[start:])
    return parts


def subsearch_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `[ ... ]`, brackets included."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _skip_quoted(text, i)
            continue
        if c == "[":
            if depth == 0:
                start = i
            depth += 1
        elif c == "]":
            depth -= 1
            if depth < 0:
                raise SplError(UNBALANCED_BRACKETS)
            if depth == 0:
                spans.append((start, i + 1))
        i += 1
    if depth:
        raise SplError("Error in 'SearchParser': Missing a closing bracket ']'.")
    return spans


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside quotes and parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _skip_quoted(text, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


_MACRO_CALL = re.compile(r"\s*([A-Za-z0-9_.:-]+)\s*(?:\((.*)\))?\s*", re.S)


def expand_macros(
    query: str,
    lookup: Callable[[str, int], MacroDef | None],
    evaluate: Callable[[str], str],
    depth: int = 0,
) -> str:
    """Replace every `name` / `name(a,b)` outside quotes by its definition, recursively."""
    if "`" not in query:
        return query
    if depth >= MAX_MACRO_DEPTH:
        raise SplError(
            f"Error in 'SearchParser': Reached maximum recursion depth ({MAX_MACRO_DEPTH}) while expanding macros."
            " Check for infinitely recursive macro definitions."
        )
    out: list[str] = []
    i = 0
    n = len(query)
    while i < n:
        c = query[i]
        if c == '"':
            j = _skip_quoted(query, i)
            out.append(query[i:j])
            i = j
            continue
        if c == "`":
            j = query.find("`", i + 1)
            if j < 0:
                raise SplError("Error in 'SearchParser': Missing a closing backtick (`) for a macro.")
            out.append(_expand_one(query[i + 1 : j], lookup, evaluate, depth))
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _expand_one(call: str, lookup, evaluate, depth: int) -> str:
    m = _MACRO_CALL.fullmatch(call)
    if not m:
        raise SplError(
            f"Error in 'SearchParser': The search specifies a macro '{call.strip()}' that cannot be found."
        )
    name, argtext = m.group(1), m.group(2)
    args = [a.strip() for a in split_top_level(argtext)] if argtext is not None and argtext.strip() else []
    macro = lookup(name, len(args))
    if macro is None:
        shown = f"{name}({len(args)})" if args else name
        raise SplError(
            f"Error in 'SearchParser': The search specifies a macro '{shown}' that cannot be found. Reasons include: "
            'the macro name is misspelled, you do not have "read" permission for the macro, or the macro has not '
            "been shared with this application. Click Settings, Advanced search, Search Macros to view macro "
            "information."
        )
    body = macro.definition
    for param, value in zip(macro.args, args, strict=False):
        body = body.replace(f"${param}$", value)
    if macro.iseval:
        body = evaluate(body)
    return expand_macros(body, lookup, evaluate, depth + 1)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # WORD, STR, OP, LP, RP, COMMA
    text: str

    def is_word(self, *values: str) -> bool:
        return self.kind == "WORD" and self.text.upper() in values


_OPS = ("!=", "<=", ">=", "==", "=", "<", ">")
_WORD_STOP = frozenset(' \t\r\n"(),=<>')


def unquote(body: str) -> str:
    r"""The content of a quoted string: `\"` and `\\` are escapes, other backslashes stay (regexes)."""
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == '"':
            j = _skip_quoted(text, i)
            tokens.append(Token("STR", unquote(text[i + 1 : j - 1])))
            i = j
        elif c == "(":
            tokens.append(Token("LP", c))
            i += 1
        elif c == ")":
            tokens.append(Token("RP", c))
            i += 1
        elif c == ",":
            tokens.append(Token("COMMA", c))
            i += 1
        elif c in "=<>" or (c == "!" and text.startswith("!=", i)):
            op = next(o for o in _OPS if text.startswith(o, i))
            tokens.append(Token("OP", "=" if op == "==" else op))
            i += len(op)
        else:
            j = i
            while j < n and text[j] not in _WORD_STOP and not text.startswith("!=", j):
                j += 1
            tokens.append(Token("WORD", text[i:j]))
            i = j
    return tokens


def split_options(text: str, known: frozenset[str]) -> tuple[dict[str, str], str]:
    """Pull leading `key=value` options (keys in `known`) off an argument string."""
    options: dict[str, str] = {}
    rest = text
    while True:
        m = re.match(r'\s*([A-Za-z_]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)\s*', rest)
        if not m or m.group(1).lower() not in known:
            return options, rest.strip()
        value = m.group(2)
        options[m.group(1).lower()] = unquote(value[1:-1]) if value.startswith('"') else value
        rest = rest[m.end() :]


def field_list(text: str) -> list[str]:
    """`a, b c "d e"` -> ['a', 'b', 'c', 'd e']."""
    return [t.text for t in tokenize(text) if t.kind in ("WORD", "STR")]


def wildcard_regex(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")), flags | re.S)
