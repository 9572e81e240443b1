"""SPL guardrails: every SPL-running path asks `SplPolicy.check` before Splunk sees the query.

The check tokenizes SPL (quotes, escapes, subsearches, macros, comments), expands macros and saved
searches through a caller-supplied resolver, and fails closed on anything it cannot read with certainty.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "DEFAULT_DENIED_COMMANDS",
    "DEFAULT_DENIED_REST_PATHS",
    "Command",
    "MacroDefinition",
    "PolicyVerdict",
    "PolicyViolation",
    "SplPolicy",
    "SplResolver",
    "SplSyntaxError",
    "normalize_query",
    "split_commands",
]

logger = logging.getLogger(__name__)

# Commands that write, send, execute or reach outside the search head. `map` is here because it
# builds new searches from result values at run time, which no static check can see.
DEFAULT_DENIED_COMMANDS: frozenset[str] = frozenset(
    {
        "delete",
        # index writers and summary-indexing
        "collect",
        "mcollect",
        "meventcollect",
        "tscollect",
        "summaryindex",
        "sichart",
        "sirare",
        "sistats",
        "sitimechart",
        "sitop",
        # file and lookup writers
        "outputlookup",
        "outputcsv",
        "outputtext",
        "dump",
        "copyresults",
        # messages and alert actions
        "sendemail",
        "sendalert",
        "sendresults",
        "outputtelemetry",
        # code execution and external systems
        "script",
        "run",
        "runshellscript",
        "dbxquery",
        "dbxoutput",
        "dbxlookup",
        # dynamic searches, crawling, inputs
        "map",
        "crawl",
        "input",
    }
)

# REST paths (after dropping /services or /servicesNS/<user>/<app>) that `| rest` may not read:
# secrets, session tokens, the admin mirror of every endpoint, and endpoints that run searches.
DEFAULT_DENIED_REST_PATHS: frozenset[str] = frozenset(
    {
        "storage/passwords",
        "authentication/users",
        "authentication/httpauth-tokens",
        "authorization/tokens",
        "admin",
        "configs/conf-passwords",
        "configs/conf-authentication",
        "properties/passwords",
        "properties/authentication",
        # the same secret-bearing .conf files the config tools refuse (pass4SymmKey, HEC and forwarder tokens)
        "configs/conf-server",
        "configs/conf-outputs",
        "configs/conf-inputs",
        "properties/server",
        "properties/outputs",
        "properties/inputs",
        "data/inputs/http",
        "search/jobs/export",
        "search/v2/jobs/export",
    }
)

# Built-in command names, used only to read the first word of a subsearch or saved search, where
# Splunk runs `[inputlookup x]` as a command but `[error]` as search terms.
_KNOWN_COMMAND_NAMES = """
    abstract accum addcoltotals addinfo addtotals analyzefields anomalies anomalousvalue
    anomalydetection append appendcols appendcsv appendlookup appendpipe arules associate audit
    autoregress bin bucket bucketdir chart cluster cofilter concurrency contingency convert correlate
    datamodel dbinspect dedup delta diff erex eval eventcount eventstats extract fieldformat fields
    fieldsummary filldown fillnull findtypes folderize foreach format from fromjson gauge gentimes geom
    geomfilter geostats head highlight history iconify inputcsv inputlookup iplocation join kmeans kv
    kvform loadjob localize localop lookup makecontinuous makejson makemv makeresults mcatalog metadata
    metasearch mpreview msearch mstats multikv multisearch mvcombine mvexpand nomv outlier overlap pivot
    predict rangemap rare redistribute regex relevancy reltime rename replace rest return reverse rex
    rtorder savedsearch scrub search searchtxn selfjoin set setfields sort spath stats strcat streamstats
    table tags tail timechart timewrap tojson top transaction transpose trendline tstats typeahead
    typelearner typer union uniq untable walklex where x11 xmlkv xmlunescape xpath xyseries
    """
_KNOWN_COMMANDS: frozenset[str] = frozenset(_KNOWN_COMMAND_NAMES.split())

# Commands whose arguments are eval expressions, where 'single quotes' wrap field names.
_EVAL_COMMANDS = frozenset({"eval", "where", "fieldformat"})
_BOOLEAN_WORDS = frozenset({"not", "and", "or", "xor"})
# After a backslash outside quotes these characters would change how the query splits, and Splunk's
# reading is not documented well enough to guess, so the check refuses them.
_STRUCTURAL = frozenset('"|[]`')
# A command name ends here; quotes and odd characters stay in it and are folded away by _canonical,
# so `| "delete"` still reads as delete.
_NAME_STOP = frozenset("[]|()=<>!,")
_PLAIN_RUN = re.compile(r'[^"\\`]+')
_MACRO_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")

_MAX_LOOKUPS = 256
# Each level repeats its inner text in the enclosing command's arguments, so nesting is bounded.
_MAX_SUBSEARCH_NESTING = 32

_HINT_READ_ONLY = "Remove it; this server only runs read-only searches."
_HINT_SYNTAX = "Fix the quoting, brackets or backticks and call again."
_HINT_EXPAND = "Write the SPL out in full instead of using the macro or saved search."


class SplSyntaxError(ValueError):
    """The query cannot be split with certainty (unbalanced quotes, brackets or backticks)."""


@dataclass(frozen=True)
class MacroDefinition:
    definition: str
    args: tuple[str, ...] = ()
    iseval: bool = False


class SplResolver(Protocol):
    """Looks up knowledge objects on the caller's own Splunk (synchronous; run in a worker thread)."""

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        """argc 0 => stanza `name`, else `name(argc)`; None if there is no such macro."""
        ...

    def saved_search(self, name: str) -> str | None:
        """The saved search's SPL, or None if there is no such saved search."""
        ...


@dataclass(frozen=True)
class Command:
    name: str
    args_text: str
    depth: int
    location: str = "query"


@dataclass(frozen=True)
class PolicyViolation:
    command: str
    reason: str
    location: str
    hint: str = _HINT_READ_ONLY


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    commands: tuple[str, ...]
    violations: tuple[PolicyViolation, ...]

    def explain(self) -> str:
        if self.allowed:
            return "Allowed: every command in this search is permitted by this server's SPL policy."
        first, *rest = self.violations
        text = f"Blocked: {first.reason} (found in {first.location}). {first.hint}"
        if rest:
            more = "; ".join(f"{v.reason} (found in {v.location})" for v in rest[:3])
            extra = f" and {len(rest) - 3} more" if len(rest) > 3 else ""
            text += f" Also: {more}{extra}."
        return text


class _Denied(Exception):
    """Stops a check at the first problem that makes the rest of the query unreadable."""

    def __init__(self, violation: PolicyViolation) -> None:
        super().__init__(violation.reason)
        self.violation = violation


def normalize_query(query: str) -> str:
    """The text to send to Splunk: `search ` is prepended unless the query starts with `|` or `search`."""
    text = query.strip()
    if text.startswith("|"):
        return text
    head = text[:6]
    if head.lower() == "search" and (len(text) == 6 or text[6].isspace()):
        return text
    return f"search {text}"


def split_commands(query: str) -> list[Command]:
    """Every command of every pipeline in `normalize_query(query)`, macros left unexpanded.

    A macro in command position shows up with its backticks as the name. Raises SplSyntaxError.
    """
    expansion = _Expansion(session=None)
    expansion.feed(normalize_query(query), (), 0)
    expansion.finish()
    found = _parse(expansion.text(), expansion.origin_at, keep_macros=True, first_word=_first_word_known)
    return [command for _, command in found]


def _first_word_known(word: str) -> bool:
    return word in _KNOWN_COMMANDS or word in DEFAULT_DENIED_COMMANDS


def _canonical(token: str) -> str:
    """A command name as Splunk might read it: NFKC-folded, lower-case, letters, digits and `_` only."""
    folded = unicodedata.normalize("NFKC", token).casefold()
    return "".join(ch for ch in folded if ch.isalnum() or ch == "_")


def _location(origin: tuple[str, ...], in_subsearch: bool) -> str:
    base = origin[-1] if origin else "query"
    if in_subsearch:
        base = f"subsearch in {base}" if origin else "subsearch"
    callers = list(reversed(origin[:-1]))
    if len(callers) > 3:
        callers = [*callers[:3], f"{len(callers) - 3} more"]
    if callers:
        base += ", via " + ", ".join(callers)
    return base


# --- phase 1: comments and macros -------------------------------------------------------------------

_OUT, _OUT_ESC, _IN, _IN_ESC = range(4)


@dataclass
class _MacroCall:
    name: str
    args: tuple[str, ...]


def _parse_macro_call(text: str) -> _MacroCall | None:
    """`name` or `name(a, "b, c")` as Splunk writes macro calls; None if it is not one."""
    text = text.strip()
    paren = text.find("(")
    name = (text if paren < 0 else text[:paren]).strip()
    if not _MACRO_NAME.fullmatch(name):
        return None
    if paren < 0:
        return _MacroCall(name, ())
    if not text.endswith(")"):
        return None
    inner = text[paren + 1 : -1]
    if not inner.strip():
        return _MacroCall(name, ())
    args: list[str] = []
    start, depth, i, in_string = 0, 0, 0, False
    while i < len(inner):
        ch = inner[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return None
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(inner[start:i].strip())
            start = i + 1
        i += 1
    if in_string or depth:
        return None
    args.append(inner[start:].strip())
    return _MacroCall(name, tuple(args))


def _substitute(template: str, values: dict[str, str]) -> str:
    """Replace `$name$` tokens in one left-to-right pass (no re-scan of substituted text)."""
    out: list[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        k = template.find("$", j + 1)
        if k < 0:
            out.append(template[i:])
            return "".join(out)
        key = template[j + 1 : k]
        if key in values:
            out.append(template[i:j])
            out.append(values[key])
            i = k + 1
        else:
            out.append(template[i : j + 1])
            i = j + 1


class _Expansion:
    """Expands comments and macros into one text, remembering which macro each character came from."""

    def __init__(self, session: _Session | None) -> None:
        self._session = session
        self._parts: list[str] = []
        self._size = 0
        self._offsets: list[int] = []
        self._origins: list[tuple[str, ...]] = []
        self._state = _OUT

    def text(self) -> str:
        return "".join(self._parts)

    def origin_at(self, pos: int) -> tuple[str, ...]:
        idx = bisect.bisect_right(self._offsets, pos) - 1
        return self._origins[idx] if idx >= 0 else ()

    def _emit(self, chunk: str, origin: tuple[str, ...]) -> None:
        if not chunk:
            return
        if not self._origins or self._origins[-1] != origin:
            self._offsets.append(self._size)
            self._origins.append(origin)
        self._parts.append(chunk)
        self._size += len(chunk)
        if self._session is not None and self._size > self._session.policy.max_expanded_length:
            raise _Denied(
                PolicyViolation(
                    "",
                    f"the search grows past {self._session.policy.max_expanded_length} characters "
                    "once its macros are expanded",
                    _location(origin, False),
                    _HINT_EXPAND,
                )
            )

    def feed(self, text: str, origin: tuple[str, ...], depth: int) -> None:
        i, n = 0, len(text)
        while i < n:
            state = self._state
            if state in (_OUT_ESC, _IN_ESC):
                if state == _IN_ESC and text[i] == "`" and self._macro_at(text, i) is not None:
                    raise SplSyntaxError("a backslash before a macro inside a quoted string is ambiguous")
                self._emit(text[i], origin)
                self._state = _OUT if state == _OUT_ESC else _IN
                i += 1
                continue
            run = _PLAIN_RUN.match(text, i)
            if run:
                self._emit(run.group(), origin)
                i = run.end()
                continue
            ch = text[i]
            if ch == "\\":
                self._state = _OUT_ESC if state == _OUT else _IN_ESC
                self._emit(ch, origin)
                i += 1
            elif ch == '"':
                self._state = _IN if state == _OUT else _OUT
                self._emit(ch, origin)
                i += 1
            else:
                i = self._backtick(text, i, origin, depth)

    def _macro_at(self, text: str, i: int) -> tuple[int, _MacroCall] | None:
        end = text.find("`", i + 1)
        if end < 0:
            return None
        call = _parse_macro_call(text[i + 1 : end])
        return None if call is None else (end, call)

    def _backtick(self, text: str, i: int, origin: tuple[str, ...], depth: int) -> int:
        run_end = i
        while run_end < len(text) and text[run_end] == "`":
            run_end += 1
        if run_end - i >= 3:
            if self._state == _IN:
                raise SplSyntaxError("a ``` comment marker inside a quoted string is ambiguous")
            close = text.find("```", run_end)
            if close < 0:
                raise SplSyntaxError("a ``` comment is not closed")
            self._emit(" ", origin)
            return close + 3
        found = self._macro_at(text, i)
        if found is None:
            if self._state == _OUT:
                if text.find("`", i + 1) < 0:
                    raise SplSyntaxError("a backtick is not closed")
                raise SplSyntaxError("text between backticks is not a valid macro reference")
            self._emit("`", origin)  # a literal backtick inside a quoted string
            return i + 1
        end, call = found
        if self._session is None:
            self._emit(text[i : end + 1], origin)
        else:
            self._session.expand_macro(self, call, origin, depth)
        return end + 1

    def finish(self) -> None:
        if self._state in (_IN, _IN_ESC):
            raise SplSyntaxError("a double quote is not closed")


# --- phase 2: pipelines and commands ---------------------------------------------------------------


@dataclass
class _Frame:
    start: int
    depth: int
    first: bool = True
    parens: int = 0
    eval_like: bool = False


def _leading_token(text: str) -> tuple[str, str]:
    """Split a command segment into its first word and the rest."""
    stripped = text.lstrip()
    if stripped.startswith("`"):  # an unexpanded macro (split_commands only)
        close = stripped.find("`", 1)
        end = len(stripped) if close < 0 else close + 1
        return stripped[:end], stripped[end:]
    end = 0
    while end < len(stripped) and not stripped[end].isspace() and stripped[end] not in _NAME_STOP:
        end += 1
    return stripped[:end], stripped[end:]


def _segment_command(
    text: str, frame_first: bool, first_word: Callable[[str], bool]
) -> tuple[str, str] | None:
    """(name, args) of one pipe segment; a pipeline's first segment may be implicit `search`."""
    if not text.strip():
        return None
    token, rest = _leading_token(text)
    name = token if token.startswith("`") else _canonical(token)
    if not frame_first:
        return name, rest.strip()
    # `[inputlookup x]` runs a command; `[host=a]`, `[host::a]`, `["phrase"]` and `[err*]` are terms.
    plain = bool(token) and token[0].isalpha() and all(ch.isalnum() or ch == "_" for ch in token)
    ends_plainly = not rest or rest[0].isspace() or rest[0] == "["
    if plain and ends_plainly and (name == "search" or (name not in _BOOLEAN_WORDS and first_word(name))):
        return name, rest.strip()
    return "search", text.strip()


def _parse(
    text: str,
    origin_at: Callable[[int], tuple[str, ...]],
    *,
    keep_macros: bool,
    first_word: Callable[[str], bool],
) -> list[tuple[int, Command]]:
    """Split expanded SPL into (offset, command) pairs, subsearches included, in order of appearance."""
    found: list[tuple[int, Command]] = []
    stack = [_Frame(0, 0)]

    def close(end: int) -> None:
        frame = stack[-1]
        segment = text[frame.start : end]
        parsed = _segment_command(segment, frame.first, first_word)
        if parsed is not None:
            offset = frame.start + len(segment) - len(segment.lstrip())
            location = _location(origin_at(offset), frame.depth > 0)
            found.append((offset, Command(parsed[0], parsed[1], frame.depth, location)))

    def open_segment(start: int) -> None:
        frame = stack[-1]
        frame.start = start
        j = start
        while j < n and text[j].isspace():
            j += 1
        token, _ = _leading_token(text[j : j + 64])
        frame.eval_like = _canonical(token) in _EVAL_COMMANDS

    n = len(text)
    open_segment(0)
    i = 0
    while i < n:
        ch = text[i]
        frame = stack[-1]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise SplSyntaxError("a double quote is not closed")
            i = j + 1
            continue
        if ch == "\\":
            if i + 1 < n and text[i + 1] in _STRUCTURAL:
                raise SplSyntaxError(f"a backslash before {text[i + 1]!r} outside quotes is ambiguous")
            i += 2
            continue
        if ch == "`":
            end = text.find("`", i + 1)
            if not keep_macros or end < 0:
                raise SplSyntaxError("a backtick outside quotes is not a macro reference")
            i = end + 1
            continue
        if ch == "'" and frame.eval_like:
            end = text.find("'", i + 1)
            if end >= 0:
                if any(c in _STRUCTURAL for c in text[i + 1 : end]):
                    raise SplSyntaxError(
                        "a 'single-quoted' field name containing a quote, pipe, bracket or backtick is ambiguous"
                    )
                i = end + 1
                continue
        elif ch == "(":
            frame.parens += 1
        elif ch == ")":
            if frame.parens == 0:
                raise SplSyntaxError("a closing parenthesis has no opening one")
            frame.parens -= 1
        elif ch == "[":
            if len(stack) > _MAX_SUBSEARCH_NESTING:
                raise SplSyntaxError(f"subsearches are nested more than {_MAX_SUBSEARCH_NESTING} levels deep")
            stack.append(_Frame(i + 1, len(stack)))
            open_segment(i + 1)
        elif ch == "]":
            if len(stack) == 1:
                raise SplSyntaxError("a closing bracket has no opening one")
            if frame.parens:
                raise SplSyntaxError("a parenthesis is not closed")
            close(i)
            stack.pop()
        elif ch == "|":
            close(i)
            frame.first = False
            open_segment(i + 1)
        i += 1
    if len(stack) > 1:
        raise SplSyntaxError("a subsearch bracket is not closed")
    if stack[0].parens:
        raise SplSyntaxError("a parenthesis is not closed")
    close(n)
    found.sort(key=lambda item: item[0])
    return found


# --- arguments of the commands that reach other searches or endpoints ------------------------------


@dataclass(frozen=True)
class _Arg:
    key: str | None
    value: str
    has_subsearch: bool


def _split_args(text: str) -> list[_Arg]:
    """Whitespace-separated arguments; quoted parts are unescaped, `[...]` marks a subsearch."""
    args: list[_Arg] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        key: str | None = None
        value: list[str] = []
        subsearch, seen_quote = False, False
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch == '"':
                seen_quote = True
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    value.append(text[i])
                    i += 1
                i += 1
            elif ch == "[":
                subsearch, level = True, 0
                while i < n:
                    level += {"[": 1, "]": -1}.get(text[i], 0)
                    i += 1
                    if level == 0:
                        break
            elif ch == "=" and key is None and not seen_quote:
                key = "".join(value).strip().lower()
                value = []
                i += 1
            else:
                value.append(ch)
                i += 1
        args.append(_Arg(key, "".join(value), subsearch))
    return args


def _rest_path(raw: str) -> str:
    """A REST path in one spelling: decoded, lower-case, no /services or /servicesNS/<u>/<a> prefix."""
    text = raw.strip()
    for _ in range(4):
        decoded = urllib.parse.unquote(text)
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", text).casefold().replace("\\", "/")
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    if "://" in text:
        text = text.split("://", 1)[1].partition("/")[2]
    segments: list[str] = []
    for segment in text.split("/"):
        segment = segment.split(";", 1)[0].strip()
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if segments and segments[0] == "services":
        segments = segments[1:]
    elif segments and segments[0] == "servicesns":
        segments = segments[3:]
    return "/".join(segments)


# --- the policy ------------------------------------------------------------------------------------


class _Session:
    """One `check()` call: caches resolver answers and counts look-ups."""

    def __init__(self, policy: SplPolicy, resolver: SplResolver | None) -> None:
        self.policy = policy
        self.resolver = resolver
        self._lookups = 0
        self._cache: dict[tuple[str, str, int], object] = {}

    def _lookup(self, kind: str, name: str, argc: int, label: str, location: str) -> object:
        if self.resolver is None:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"the search uses {label}, which this server cannot check without looking it up",
                    location,
                    _HINT_EXPAND,
                )
            )
        key = (kind, name, argc)
        if key in self._cache:
            return self._cache[key]
        self._lookups += 1
        if self._lookups > _MAX_LOOKUPS:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"the search needs more than {_MAX_LOOKUPS} macro or saved-search look-ups",
                    location,
                )
            )
        try:
            result = self.resolver.macro(name, argc) if kind == "macro" else self.resolver.saved_search(name)
        except Exception as exc:
            logger.warning("SPL policy: looking up a %s failed (%s)", kind, type(exc).__name__)
            raise _Denied(
                PolicyViolation(
                    label,
                    f"{label} could not be looked up in Splunk, so the search was not run",
                    location,
                    "Try again, or write the SPL out in full.",
                )
            ) from None
        self._cache[key] = result
        return result

    def _check_depth(self, depth: int, label: str, location: str) -> None:
        if depth >= self.policy.max_expansion_depth:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"{label} nests macros or saved searches more than "
                    f"{self.policy.max_expansion_depth} levels deep",
                    location,
                    _HINT_EXPAND,
                )
            )

    def expand_macro(self, out: _Expansion, call: _MacroCall, origin: tuple[str, ...], depth: int) -> None:
        argc = len(call.args)
        label = f"macro `{call.name}`" if not argc else f"macro `{call.name}({argc})`"
        location = _location(origin, False)
        self._check_depth(depth, label, location)
        definition = self._lookup("macro", call.name, argc, label, location)
        if definition is None:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"{label} does not exist for this user (or takes a different number of arguments)",
                    location,
                    "Check the macro name and argument count, or write the SPL out in full.",
                )
            )
        if not isinstance(definition, MacroDefinition):
            raise _Denied(
                PolicyViolation(label, f"{label} has a definition this server cannot read", location)
            )
        if definition.iseval:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"{label} is an eval-based macro (iseval=1) whose expansion cannot be checked before it runs",
                    location,
                    _HINT_EXPAND,
                )
            )
        if len(definition.args) != argc:
            raise _Denied(
                PolicyViolation(
                    label,
                    f"{label} declares {len(definition.args)} arguments but is called with {argc}",
                    location,
                )
            )
        body = _substitute(definition.definition, dict(zip(definition.args, call.args, strict=True)))
        out.feed(body, (*origin, f"macro `{call.name}`"), depth + 1)

    def saved_search(
        self, name: str, replacements: dict[str, str], origin: tuple[str, ...], depth: int, location: str
    ) -> tuple[list[Command], list[PolicyViolation]]:
        label = f"saved search '{name}'"
        try:
            self._check_depth(depth, label, location)
            body = self._lookup("saved", name, 0, label, location)
            if body is None:
                raise _Denied(
                    PolicyViolation(
                        label,
                        f"{label} does not exist for this user",
                        location,
                        "Check the saved search name (list saved searches first).",
                    )
                )
            if not isinstance(body, str):
                raise _Denied(PolicyViolation(label, f"{label} has SPL this server cannot read", location))
            if replacements:
                body = _substitute(body, replacements)
            return self.check_text(body, (*origin, label), depth + 1)
        except _Denied as denied:
            return [], [denied.violation]

    def check_text(
        self, text: str, origin: tuple[str, ...], depth: int
    ) -> tuple[list[Command], list[PolicyViolation]]:
        expansion = _Expansion(session=self)
        try:
            expansion.feed(text, origin, depth)
            expansion.finish()
            commands = _parse(
                expansion.text(), expansion.origin_at, keep_macros=False, first_word=self.policy.first_word
            )
        except SplSyntaxError as exc:
            raise _Denied(
                PolicyViolation("", f"the SPL cannot be read: {exc}", _location(origin, False), _HINT_SYNTAX)
            ) from None
        found: list[Command] = []
        violations: list[PolicyViolation] = []
        for offset, command in commands:
            found.append(command)
            violations.extend(self.policy.command_violations(command))
            sub_commands, sub_violations = self._follow(command, expansion.origin_at(offset), depth)
            found.extend(sub_commands)
            violations.extend(sub_violations)
        return found, violations

    def _follow(
        self, command: Command, chain: tuple[str, ...], depth: int
    ) -> tuple[list[Command], list[PolicyViolation]]:
        """Checks the searches a command runs by name: saved searches, `from`, `union`, `map`.

        `chain` is where the command's own text came from (the query, or a macro inside it).
        """
        name, loc = command.name, command.location
        if name == "savedsearch":
            args = _split_args(command.args_text)
            if any(a.has_subsearch for a in args):
                return [], [_dynamic(name, loc)]
            positional = [a.value for a in args if a.key is None]
            if not positional:
                return [], []
            options = {a.key: a.value for a in args if a.key is not None}
            nosub = options.pop("nosubstitution", "false").lower() in ("1", "t", "true", "yes")
            return self.saved_search(positional[0], {} if nosub else options, chain, depth, loc)
        if name in ("from", "union"):
            found: list[Command] = []
            violations: list[PolicyViolation] = []
            for arg in _split_args(command.args_text):
                if arg.has_subsearch and name == "from":
                    violations.append(_dynamic(name, loc))
                value = arg.value.strip()
                if arg.key is None and value.lower().startswith("savedsearch:"):
                    sub = self.saved_search(value.split(":", 1)[1].strip(), {}, chain, depth, loc)
                    found.extend(sub[0])
                    violations.extend(sub[1])
            return found, violations
        if name == "map":
            return self._follow_map(command, chain, depth)
        return [], []

    def _follow_map(
        self, command: Command, origin: tuple[str, ...], depth: int
    ) -> tuple[list[Command], list[PolicyViolation]]:
        found: list[Command] = []
        violations: list[PolicyViolation] = []
        map_allowed = not self.policy.command_violations(command)
        for arg in _split_args(command.args_text):
            if arg.has_subsearch:
                continue  # `map [search ...]`: its commands were already read as a subsearch
            if arg.key == "search":
                if "$" in arg.value and map_allowed:
                    violations.append(
                        PolicyViolation(
                            "map",
                            "map's search uses $field$ tokens, which build a new search from result values",
                            command.location,
                            "Remove the $field$ tokens, or run the searches one by one.",
                        )
                    )
                label = "map search"
                try:
                    self._check_depth(depth, label, command.location)
                    sub = self.check_text(arg.value, (*origin, label), depth + 1)
                except _Denied as denied:
                    sub = ([], [denied.violation])
                found.extend(sub[0])
                violations.extend(sub[1])
            elif arg.key is None and arg.value:
                sub = self.saved_search(arg.value, {}, origin, depth, command.location)
                found.extend(sub[0])
                violations.extend(sub[1])
        return found, violations


def _dynamic(name: str, location: str) -> PolicyViolation:
    return PolicyViolation(
        name,
        f"the arguments of '{name}' come from a subsearch, so what it reads cannot be checked",
        location,
        f"Give '{name}' a literal value instead of a subsearch.",
    )


class SplPolicy:
    """An immutable SPL policy: a deny list, an optional allow list, and expansion bounds.

    A command runs only if it is not denied and, in allow-list mode, it is listed (`search` too).
    The verdict is about `normalize_query(query)`: that is the text the caller must send to Splunk.
    """

    __slots__ = (
        "allowed_commands",
        "denied_commands",
        "denied_rest_paths",
        "max_expanded_length",
        "max_expansion_depth",
        "max_query_length",
    )

    denied_commands: frozenset[str]
    allowed_commands: frozenset[str] | None
    denied_rest_paths: frozenset[str]
    max_expansion_depth: int
    max_query_length: int
    max_expanded_length: int

    def __init__(
        self,
        *,
        denied_commands: Iterable[str] = DEFAULT_DENIED_COMMANDS,
        allowed_commands: Iterable[str] | None = None,
        max_expansion_depth: int = 8,
        max_query_length: int = 100_000,
        denied_rest_paths: Iterable[str] = DEFAULT_DENIED_REST_PATHS,
    ) -> None:
        if isinstance(denied_commands, str) or isinstance(allowed_commands, str):
            raise TypeError("command lists must be iterables of names, not one string")
        if max_expansion_depth < 0 or max_query_length < 1:
            raise ValueError("max_expansion_depth must be >= 0 and max_query_length >= 1")
        setter = object.__setattr__
        setter(self, "denied_commands", frozenset(_canonical(c) for c in denied_commands))
        setter(
            self,
            "allowed_commands",
            None if allowed_commands is None else frozenset(_canonical(c) for c in allowed_commands),
        )
        setter(self, "denied_rest_paths", frozenset(_rest_path(p) for p in denied_rest_paths))
        setter(self, "max_expansion_depth", int(max_expansion_depth))
        setter(self, "max_query_length", int(max_query_length))
        setter(self, "max_expanded_length", 10 * int(max_query_length))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SplPolicy is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("SplPolicy is immutable")

    def __repr__(self) -> str:
        mode = "allow-list" if self.allowed_commands is not None else "deny-list"
        return f"SplPolicy({mode}, denied={len(self.denied_commands)}, depth={self.max_expansion_depth})"

    def check(self, query: str, resolver: SplResolver | None = None) -> PolicyVerdict:
        """Decide whether `normalize_query(query)` may run. Never raises; anything unreadable is denied."""
        if not isinstance(query, str):
            return _deny(PolicyViolation("", "the query is not text", "query", "Send the SPL as a string."))
        if len(query) > self.max_query_length:
            return _deny(
                PolicyViolation(
                    "",
                    f"the query is {len(query)} characters long, over this server's limit of {self.max_query_length}",
                    "query",
                    "Shorten the query.",
                )
            )
        try:
            commands, violations = _Session(self, resolver).check_text(normalize_query(query), (), 0)
        except _Denied as denied:
            return _deny(denied.violation)
        except Exception as exc:  # a bug here must not let a query through
            logger.error("SPL policy: unexpected %s while checking a query", type(exc).__name__)
            return _deny(
                PolicyViolation("", "the SPL policy could not read this query", "query", _HINT_SYNTAX)
            )
        return PolicyVerdict(not violations, tuple(c.name for c in commands), tuple(violations))

    def first_word(self, word: str) -> bool:
        """Whether a bare first word of a subsearch or saved search is read as a command."""
        if self.allowed_commands is not None:
            return True  # allow-list mode: an unlisted custom command must not pass as a search term
        return word in _KNOWN_COMMANDS or word in self.denied_commands

    def command_violations(self, command: Command) -> list[PolicyViolation]:
        name, loc = command.name, command.location
        if name in self.denied_commands:
            return [
                PolicyViolation(name, f"the command '{name}' is not allowed by this server's SPL policy", loc)
            ]
        if self.allowed_commands is not None and name not in self.allowed_commands:
            listed = ", ".join(sorted(self.allowed_commands)) or "none"
            return [
                PolicyViolation(
                    name,
                    f"the command '{name}' is not in this server's list of allowed SPL commands",
                    loc,
                    f"Rewrite the search with the allowed commands only: {listed}.",
                )
            ]
        if name == "rest":
            return self._rest_violations(command)
        return []

    def _rest_violations(self, command: Command) -> list[PolicyViolation]:
        args = _split_args(command.args_text)
        if any(a.has_subsearch for a in args):
            return [_dynamic("rest", command.location)]
        for arg in args:
            path = _rest_path(arg.value)
            for denied in self.denied_rest_paths:
                if path == denied or path.startswith(denied + "/"):
                    return [
                        PolicyViolation(
                            "rest",
                            f"'rest' may not read the endpoint '{denied}', which holds credentials, "
                            "admin settings or runs searches",
                            command.location,
                            "Query a different endpoint; this server does not read credential or admin endpoints.",
                        )
                    ]
        return []


def _deny(violation: PolicyViolation) -> PolicyVerdict:
    return PolicyVerdict(False, (), (violation,))
