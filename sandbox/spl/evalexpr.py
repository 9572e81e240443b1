"""Eval expressions (`eval`, `where`, `stats count(eval(...))`): parsed once, compiled to closures."""

from __future__ import annotations

import calendar
import hashlib
import math
import re
import time
from collections.abc import Callable
from typing import Any

from sandbox.spl.model import SplError
from sandbox.spl.timemod import parse_time_modifier

Value = Any  # None | str | int | float | bool | list
Getter = Callable[[Any], Value]
MakeGetter = Callable[[str], Getter]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<qfield>'(?:[^'\\]|\\.)*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<>|[-+*/%.=<>(),!])
    )""",
    re.X,
)
_KEYWORDS = {"AND", "OR", "NOT", "XOR", "LIKE", "IN"}


def to_num(v: Value) -> float | int | None:
    """A field value as a number when it looks like one (Splunk compares such fields numerically)."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is str:
        if v and (v[0].isdigit() or v[0] in "-+."):
            try:
                f = float(v)
            except ValueError:
                return None
            return f if math.isfinite(f) else None
        return None
    if t is list and len(v) == 1:
        return to_num(v[0])
    return None


def to_str(v: Value) -> str | None:
    if v is None:
        return None
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return format_number(v)
    if t is list:
        return to_str(v[0]) if v else None
    return str(v)


def format_number(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(round(v, 9)) if math.isfinite(v) else repr(v)  # hides float noise like 595.7000000000025


def compare(a: Value, b: Value, op: str) -> bool:
    """Numeric when both sides look numeric, otherwise string order (case-sensitive, as eval is)."""
    if a is None or b is None:
        return False
    if type(a) is list:
        return any(compare(x, b, op) for x in a)
    na, nb = to_num(a), to_num(b)
    if na is not None and nb is not None:
        x, y = na, nb
    else:
        x, y = to_str(a), to_str(b)
    if op == "=":
        return x == y
    if op == "!=":
        return x != y
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def like_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.S)


def pcre_to_python(pattern: str) -> str:
    """PCRE named groups `(?<name>...)` become Python's `(?P<name>...)`; lookbehinds are left alone."""
    return re.sub(r"\(\?<(?![=!])", "(?P<", pattern)


_STRFTIME_EXTRA = re.compile(r"%(\d?)N|%Q|%s|%z|%Z|%:z")


def strftime(t: float, fmt: str) -> str:
    def extra(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok.endswith("N") or tok == "%Q":
            digits = int(m.group(1) or (3 if tok == "%Q" else 9))
            return f"{int((t % 1) * 10**digits):0{digits}d}"
        if tok == "%s":
            return str(int(t))
        return "UTC" if tok == "%Z" else ("+00:00" if tok == "%:z" else "+0000")

    return time.strftime(_STRFTIME_EXTRA.sub(lambda m: extra(m).replace("%", "%%"), fmt), time.gmtime(t))


def strptime(text: str, fmt: str) -> float | None:
    frac = 0.0
    m = re.search(r"%(\d?)N|%Q", fmt)
    if m:  # sub-second digits: parse them ourselves, Python's %f wants 6 digits
        fmt = fmt.replace(m.group(0), "%f")
    fmt = fmt.replace("%:z", "%z")
    try:
        st = time.strptime(text, fmt)
    except ValueError:
        return None
    if m:
        from datetime import datetime

        frac = datetime.strptime(text, fmt).microsecond / 1e6
    offset = st.tm_gmtoff or 0
    return calendar.timegm(st) - offset + frac


class _Parser:
    def __init__(self, text: str, label: str) -> None:
        self.text = text
        self.label = label
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if not m or m.end() == pos:
                self.fail(f"An unexpected character is reached at '{stripped[pos:].strip()[:20]}'.")
            kind = m.lastgroup or "op"
            value = m.group(kind)
            if kind == "name" and value.upper() in _KEYWORDS:
                kind, value = "kw", value.upper()
            self.tokens.append((kind, value))
            pos = m.end()
        self.pos = 0

    def fail(self, detail: str) -> SplError:
        raise SplError(f"Error in '{self.label}': The expression is malformed. {detail}")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def accept(self, kind: str, *values: str) -> str | None:
        tok = self.peek()
        if tok and tok[0] == kind and (not values or tok[1] in values):
            self.pos += 1
            return tok[1]
        return None

    def expect_op(self, value: str) -> None:
        if self.accept("op", value) is None:
            self.fail(f"Expected {value}.")

    def parse(self) -> tuple:
        if not self.tokens:
            self.fail("Expected an expression.")
        node = self.or_expr()
        if self.peek() is not None:
            self.fail(f"An unexpected character is reached at '{self.peek()[1]}'.")
        return node

    def or_expr(self) -> tuple:
        node = self.and_expr()
        while (kw := self.accept("kw", "OR", "XOR")) is not None:
            node = (kw.lower(), node, self.and_expr())
        return node

    def and_expr(self) -> tuple:
        node = self.not_expr()
        while self.accept("kw", "AND") is not None:
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> tuple:
        if self.accept("kw", "NOT") is not None or self.accept("op", "!") is not None:
            return ("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> tuple:
        node = self.additive()
        while True:
            if (op := self.accept("op", "=", "==", "!=", "<>", "<", "<=", ">", ">=")) is not None:
                op = {"==": "=", "<>": "!="}.get(op, op)
                node = ("cmp", op, node, self.additive())
            elif self.accept("kw", "LIKE") is not None:
                node = ("call", "like", [node, self.additive()])
            elif self.accept("kw", "IN") is not None:
                self.expect_op("(")
                items = [self.or_expr()]
                while self.accept("op", ","):
                    items.append(self.or_expr())
                self.expect_op(")")
                node = ("call", "in", [node, *items])
            else:
                return node

    def additive(self) -> tuple:
        node = self.multiplicative()
        while (op := self.accept("op", "+", "-", ".")) is not None:
            node = ("arith", op, node, self.multiplicative())
        return node

    def multiplicative(self) -> tuple:
        node = self.unary()
        while (op := self.accept("op", "*", "/", "%")) is not None:
            node = ("arith", op, node, self.unary())
        return node

    def unary(self) -> tuple:
        if self.accept("op", "-") is not None:
            return ("arith", "-", ("lit", 0), self.unary())
        if self.accept("op", "+") is not None:
            return self.unary()
        return self.primary()

    def primary(self) -> tuple:
        tok = self.peek()
        if tok is None:
            self.fail("Expected an expression.")
        kind, value = tok
        self.pos += 1
        if kind == "num":
            return ("lit", float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "str":
            return ("lit", _unescape(value[1:-1]))
        if kind == "qfield":
            return ("field", _unescape(value[1:-1]))
        if kind == "kw" and value in ("LIKE", "IN") and self.peek() == ("op", "("):
            kind, value = "name", value.lower()  # like(x, "a%") and in(x, ...) are functions too
        if kind == "name":
            if self.accept("op", "(") is not None:
                args: list[tuple] = []
                if self.accept("op", ")") is None:
                    args.append(self.or_expr())
                    while self.accept("op", ","):
                        args.append(self.or_expr())
                    self.expect_op(")")
                return ("call", value.lower(), args)
            return ("field", value)
        if kind == "op" and value == "(":
            node = self.or_expr()
            self.expect_op(")")
            return node
        self.fail(f"An unexpected character is reached at '{value}'.")
        raise AssertionError  # unreachable


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)


def _arith(op: str, a: Value, b: Value) -> Value:
    if a is None or b is None:
        return None
    if op == ".":
        return (to_str(a) or "") + (to_str(b) or "")
    na, nb = to_num(a), to_num(b)
    if na is None or nb is None:
        if op == "+" and isinstance(a, str) and isinstance(b, str):
            return a + b
        return None
    if op == "+":
        r = na + nb
    elif op == "-":
        r = na - nb
    elif op == "*":
        r = na * nb
    elif op == "/":
        if nb == 0:
            return None
        r = na / nb
    else:
        if nb == 0:
            return None
        r = math.fmod(na, nb)
    if isinstance(r, float) and r.is_integer() and abs(r) < 1e15:
        return int(r)
    return r


def truthy(v: Value) -> bool:
    return v is True


class Compiler:
    """Turns a parsed expression into a closure over a record; `make_getter` decides how fields are read."""

    def __init__(self, make_getter: MakeGetter, now: float, label: str) -> None:
        self.make_getter = make_getter
        self.now = now
        self.label = label

    def compile(self, node: tuple) -> Getter:
        kind = node[0]
        if kind == "lit":
            value = node[1]
            return lambda rec: value
        if kind == "field":
            return self.make_getter(node[1])
        if kind == "and":
            a, b = self.compile(node[1]), self.compile(node[2])
            return lambda rec: a(rec) is True and b(rec) is True
        if kind == "or":
            a, b = self.compile(node[1]), self.compile(node[2])
            return lambda rec: a(rec) is True or b(rec) is True
        if kind == "xor":
            a, b = self.compile(node[1]), self.compile(node[2])
            return lambda rec: (a(rec) is True) != (b(rec) is True)
        if kind == "not":
            a = self.compile(node[1])
            return lambda rec: a(rec) is not True
        if kind == "cmp":
            op, a, b = node[1], self.compile(node[2]), self.compile(node[3])
            return lambda rec: compare(a(rec), b(rec), op)
        if kind == "arith":
            op, a, b = node[1], self.compile(node[2]), self.compile(node[3])
            return lambda rec: _arith(op, a(rec), b(rec))
        return self.call(node[1], node[2])

    def call(self, name: str, arg_nodes: list[tuple]) -> Getter:
        args = [self.compile(a) for a in arg_nodes]
        spec = _FUNCTIONS.get(name)
        if spec is None:
            raise SplError(f"Error in '{self.label}': The '{name}' function is unsupported or undefined.")
        lo, hi, impl = spec
        if not lo <= len(args) <= hi:
            raise SplError(f"Error in '{self.label}': The arguments to the '{name}' function are invalid.")
        if name == "now" or name == "time":
            now = self.now
            return lambda rec: now
        if name == "relative_time":
            a, b = args
            return lambda rec: _relative_time(a(rec), b(rec))
        if name == "if":
            c, t, f = args
            return lambda rec: t(rec) if c(rec) is True else f(rec)
        if name == "case":
            pairs = list(zip(args[0::2], args[1::2], strict=False))
            return lambda rec: next((v(rec) for c, v in pairs if c(rec) is True), None)
        if name == "coalesce":
            return lambda rec: next((v for v in (a(rec) for a in args) if v is not None and v != ""), None)
        if (
            name in ("like", "match") and arg_nodes[1][0] == "lit"
        ):  # the common case: compile the pattern once
            pattern = str(arg_nodes[1][1])
            rx = like_regex(pattern) if name == "like" else _regex(pattern, self.label)
            a = args[0]
            if name == "like":
                return lambda rec: (s := to_str(a(rec))) is not None and rx.fullmatch(s) is not None
            return lambda rec: (s := to_str(a(rec))) is not None and rx.search(s) is not None
        if len(args) == 1:
            (a,) = args
            return lambda rec: impl(a(rec))
        return lambda rec: impl(*(a(rec) for a in args))


def _regex(pattern: str, label: str) -> re.Pattern[str]:
    try:
        return re.compile(pcre_to_python(pattern))
    except re.error as exc:
        raise SplError(f"Error in '{label}': Regex: {exc}.") from None


def _relative_time(t: Value, spec: Value) -> Value:
    n = to_num(t)
    s = to_str(spec)
    if n is None or s is None:
        return None
    try:
        return parse_time_modifier(s, float(n))
    except SplError:
        return None


def _num1(fn: Callable[[float], Value]) -> Callable[[Value], Value]:
    def wrapped(v: Value) -> Value:
        n = to_num(v)
        if n is None:
            return None
        try:
            r = fn(n)
        except (ValueError, OverflowError):
            return None
        return int(r) if isinstance(r, float) and r.is_integer() and abs(r) < 1e15 else r

    return wrapped


def _round(v: Value, digits: Value = 0) -> Value:
    n = to_num(v)
    d = int(to_num(digits) or 0)
    if n is None:
        return None
    r = round(n + 0.0, d)  # Python rounds half to even; Splunk half away from zero
    if abs(n * 10**d - int(n * 10**d)) == 0.5:
        r = math.copysign(math.floor(abs(n) * 10**d + 0.5) / 10**d, n)
    return int(r) if d <= 0 else r


def _substr(v: Value, start: Value, length: Value = None) -> Value:
    s = to_str(v)
    st = to_num(start)
    if s is None or st is None:
        return None
    st = int(st)
    begin = st - 1 if st > 0 else (len(s) + st if st < 0 else 0)
    begin = max(begin, 0)
    if length is None:
        return s[begin:]
    ln = to_num(length)
    return None if ln is None else s[begin : begin + int(ln)]


def _replace(v: Value, pattern: Value, repl: Value) -> Value:
    s, p, r = to_str(v), to_str(pattern), to_str(repl)
    if s is None or p is None or r is None:
        return None
    return re.sub(pcre_to_python(p), re.sub(r"\\(\d)", r"\\g<\1>", r), s)


def _tonumber(v: Value, base: Value = None) -> Value:
    s = to_str(v)
    if s is None:
        return None
    if base is not None:
        try:
            return int(s, int(to_num(base) or 10))
        except ValueError:
            return None
    n = to_num(s.strip())
    if isinstance(n, float) and n.is_integer() and "." not in s and "e" not in s.lower():
        return int(n)
    return n


def _tostring(v: Value, fmt: Value = None) -> Value:
    if v is None:
        return None
    f = to_str(fmt)
    n = to_num(v) if not isinstance(v, str) or f else None
    if f and n is not None:
        if f == "commas":
            return f"{n:,.2f}" if isinstance(n, float) and not n.is_integer() else f"{int(n):,}"
        if f == "hex":
            return hex(int(n))
        if f == "duration":
            secs = int(n)
            return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return to_str(v)


def _as_list(v: Value) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _mv(v: list) -> Value:
    return None if not v else v[0] if len(v) == 1 else v


def _split(v: Value, sep: Value) -> Value:
    s, d = to_str(v), to_str(sep)
    if s is None or d is None:
        return None
    return _mv(list(s) if d == "" else s.split(d))


def _mvindex(v: Value, start: Value, end: Value = None) -> Value:
    items = _as_list(v)
    a = to_num(start)
    if a is None:
        return None
    a = int(a)
    if end is None:
        try:
            return items[a]
        except IndexError:
            return None
    b = int(to_num(end) or 0)
    b = len(items) + b if b < 0 else b
    return _mv(items[a : b + 1])


def _like(v: Value, pattern: Value) -> Value:
    s, p = to_str(v), to_str(pattern)
    return None if s is None or p is None else like_regex(p).fullmatch(s) is not None


def _match(v: Value, pattern: Value) -> Value:
    s, p = to_str(v), to_str(pattern)
    return None if s is None or p is None else re.search(pcre_to_python(p), s) is not None


def _in(v: Value, *items: Value) -> Value:
    return any(compare(v, item, "=") for item in items)


def _cidrmatch(cidr: Value, ip: Value) -> Value:
    import ipaddress

    try:
        return ipaddress.ip_address(to_str(ip) or "") in ipaddress.ip_network(
            to_str(cidr) or "", strict=False
        )
    except ValueError:
        return False


def _typeof(v: Value) -> str:
    if v is None:
        return "Invalid"
    if isinstance(v, bool):
        return "Boolean"
    if isinstance(v, int | float):
        return "Number"
    return "MultiValue" if isinstance(v, list) else "String"


def _strftime(t: Value, fmt: Value) -> Value:
    n, f = to_num(t), to_str(fmt)
    return None if n is None or f is None else strftime(float(n), f)


def _strptime(s: Value, fmt: Value) -> Value:
    a, f = to_str(s), to_str(fmt)
    return None if a is None or f is None else strptime(a, f)


def _minmax(pick: Callable) -> Callable[..., Value]:
    def fn(*values: Value) -> Value:
        vals = [x for v in values for x in _as_list(v) if x is not None]
        nums = [n for n in map(to_num, vals) if n is not None]
        if nums and len(nums) == len(vals):
            return pick(nums)
        return pick(to_str(x) for x in vals) if vals else None

    return fn


_INF = 99
_FUNCTIONS: dict[str, tuple[int, int, Callable[..., Value]]] = {
    "if": (3, 3, lambda c, t, f: None),
    "case": (2, _INF, lambda *a: None),
    "coalesce": (1, _INF, lambda *a: None),
    "now": (0, 0, lambda: None),
    "time": (0, 0, lambda: None),
    "relative_time": (2, 2, lambda a, b: None),
    "len": (1, 1, lambda v: None if (s := to_str(v)) is None else len(s)),
    "lower": (1, 1, lambda v: None if (s := to_str(v)) is None else s.lower()),
    "upper": (1, 1, lambda v: None if (s := to_str(v)) is None else s.upper()),
    "trim": (1, 2, lambda v, c=None: None if (s := to_str(v)) is None else s.strip(to_str(c))),
    "ltrim": (1, 2, lambda v, c=None: None if (s := to_str(v)) is None else s.lstrip(to_str(c))),
    "rtrim": (1, 2, lambda v, c=None: None if (s := to_str(v)) is None else s.rstrip(to_str(c))),
    "substr": (2, 3, _substr),
    "replace": (3, 3, _replace),
    "round": (1, 2, _round),
    "abs": (1, 1, _num1(abs)),
    "ceil": (1, 1, _num1(math.ceil)),
    "ceiling": (1, 1, _num1(math.ceil)),
    "floor": (1, 1, _num1(math.floor)),
    "sqrt": (1, 1, _num1(math.sqrt)),
    "exp": (1, 1, _num1(math.exp)),
    "ln": (1, 1, _num1(math.log)),
    "log": (1, 2, lambda v, b=10: _num1(lambda x: math.log(x, float(to_num(b) or 10)))(v)),
    "pow": (
        2,
        2,
        lambda a, b: _num1(lambda x: x ** float(to_num(b) or 0))(a) if to_num(b) is not None else None,
    ),
    "pi": (0, 0, lambda: math.pi),
    "tonumber": (1, 2, _tonumber),
    "tostring": (1, 2, _tostring),
    "isnull": (1, 1, lambda v: v is None),
    "isnotnull": (1, 1, lambda v: v is not None),
    "isnum": (1, 1, lambda v: to_num(v) is not None),
    "isint": (1, 1, lambda v: (n := to_num(v)) is not None and float(n).is_integer()),
    "isstr": (1, 1, lambda v: isinstance(v, str) and to_num(v) is None),
    "typeof": (1, 1, _typeof),
    "null": (0, 0, lambda: None),
    "true": (0, 0, lambda: True),
    "false": (0, 0, lambda: False),
    "like": (2, 2, _like),
    "match": (2, 2, _match),
    "in": (1, _INF, _in),
    "cidrmatch": (2, 2, _cidrmatch),
    "split": (2, 2, _split),
    "mvcount": (1, 1, lambda v: None if v is None else len(_as_list(v))),
    "mvindex": (2, 3, _mvindex),
    "mvjoin": (2, 2, lambda v, d: None if v is None else (to_str(d) or "").join(map(str, _as_list(v)))),
    "mvappend": (1, _INF, lambda *vs: _mv([x for v in vs for x in _as_list(v)])),
    "mvdedup": (1, 1, lambda v: _mv(list(dict.fromkeys(_as_list(v))))),
    "mvsort": (1, 1, lambda v: _mv(sorted(map(str, _as_list(v))))),
    "min": (1, _INF, _minmax(min)),
    "max": (1, _INF, _minmax(max)),
    "strftime": (2, 2, _strftime),
    "strptime": (2, 2, _strptime),
    "md5": (1, 1, lambda v: None if (s := to_str(v)) is None else hashlib.md5(s.encode()).hexdigest()),
    "sha256": (1, 1, lambda v: None if (s := to_str(v)) is None else hashlib.sha256(s.encode()).hexdigest()),
    "urldecode": (
        1,
        1,
        lambda v: None if (s := to_str(v)) is None else __import__("urllib.parse").parse.unquote(s),
    ),
    "validate": (
        2,
        _INF,
        lambda *a: next((a[i + 1] for i in range(0, len(a) - 1, 2) if a[i] is not True), None),
    ),
}


def compile_expression(text: str, make_getter: MakeGetter, now: float, label: str) -> Getter:
    node = _Parser(text, label).parse()
    return Compiler(make_getter, now, label).compile(node)


def evaluate_constant(text: str, now: float, label: str = "SearchParser") -> Value:
    """An expression with no fields (eval-based macros)."""
    return compile_expression(text, lambda name: lambda rec: None, now, label)(None)
