"""Search time windows: resolve Splunk time modifiers enough to enforce the operator's maximum window.

Supports what models write: `now`, `0` (all time), epoch seconds, ISO 8601, and relative modifiers
`[+-]N<unit>[@<snap>]` / `@<snap>`. Anything else is refused when a maximum is set, rather than
guessed (fail closed).
"""

from __future__ import annotations

import datetime
import re

UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "mon": 2_592_000,
    "month": 2_592_000,
    "months": 2_592_000,
    "q": 7_776_000,
    "qtr": 7_776_000,
    "quarter": 7_776_000,
    "quarters": 7_776_000,
    "y": 31_536_000,
    "yr": 31_536_000,
    "year": 31_536_000,
    "years": 31_536_000,
}
_RELATIVE = re.compile(r"^(?:([+-])(\d*)([a-z]+))?(?:@([a-z]+)\d*)?$")
_INLINE = re.compile(
    r"(?<![\w.])(earliest|latest|starttime|endtime)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s|\]\)]+)", re.I
)


class TimeWindowError(ValueError):
    """The window cannot be resolved or is wider than allowed; the message says how to fix it."""


def resolve(modifier: str, now: float) -> float:
    """Epoch seconds for a time modifier (snapping approximated to the unit's length)."""
    text = modifier.strip().strip("\"'").lower()
    if text in ("", "now"):
        return now
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        parsed = datetime.datetime.fromisoformat(modifier.strip().strip("\"'"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)).timestamp()
    except ValueError:
        pass
    match = _RELATIVE.match(text)
    if not match or not (match.group(3) or match.group(4)):
        raise TimeWindowError(f"cannot read the time modifier {modifier!r}")
    value = now
    if match.group(3):
        unit = UNITS.get(match.group(3))
        if unit is None:
            raise TimeWindowError(f"unknown time unit in {modifier!r}")
        amount = int(match.group(2) or 1) * unit
        value += amount if match.group(1) == "+" else -amount
    if match.group(4):
        snap = UNITS.get(match.group(4), 86400 if match.group(4).startswith("w") else None)
        if snap is None:
            raise TimeWindowError(f"unknown snap unit in {modifier!r}")
        value -= value % snap
    return value


def inline_modifiers(query: str) -> dict[str, list[str]]:
    """`earliest=` / `latest=` (and starttime/endtime) written inside the SPL, which override the API window."""
    found: dict[str, list[str]] = {"earliest": [], "latest": []}
    for name, value in _INLINE.findall(query):
        found["earliest" if name.lower() in ("earliest", "starttime") else "latest"].append(value)
    return found


def check_window(query: str, earliest: str, latest: str, max_seconds: int | None, now: float) -> None:
    """Raise TimeWindowError when the widest window the query could cover exceeds `max_seconds`."""
    if max_seconds is None:
        return
    inline = inline_modifiers(query)
    starts = [earliest, *inline["earliest"]]
    ends = [latest, *inline["latest"]]
    start = min(resolve(value, now) for value in starts)
    end = max(resolve(value, now) for value in ends)
    if end - start > max_seconds:
        raise TimeWindowError(
            f"the time window is {int(end - start)} s; this server allows at most {max_seconds} s. "
            "Narrow earliest_time/latest_time (and any earliest=/latest= in the SPL)."
        )
