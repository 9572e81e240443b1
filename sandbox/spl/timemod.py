"""Splunk time modifiers (`-24h`, `-7d@d`, `@w1+8h`, epoch, ISO-8601) and the ISO form results carry."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime

from sandbox.spl.model import SplError

_UNITS = {
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "week": "w", "weeks": "w",
    "mon": "mon", "month": "mon", "months": "mon",
    "q": "q", "qtr": "q", "qtrs": "q", "quarter": "q", "quarters": "q",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}  # fmt: skip
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"([+-])(\d*)([a-zA-Z]+)|@([a-zA-Z]+\d?)")
_EPOCH = re.compile(r"\d+(\.\d+)?")
_SPLUNK_FORMAT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}):(\d{1,2}):(\d{2}):(\d{2})")


def parse_time_modifier(value: str, now: float) -> float | None:
    """Epoch seconds for a time modifier; None means unbounded. Raises SplError on junk."""
    text = value.strip()
    if text == "":
        return None
    lowered = text.lower()
    if lowered.startswith("rt"):  # real-time windows behave like their historical twins here
        lowered = lowered[2:] or "now"
    if lowered == "now":
        return float(now)
    if _EPOCH.fullmatch(lowered):
        return float(lowered)
    if m := _SPLUNK_FORMAT.fullmatch(lowered):
        mo, d, y, hh, mm, ss = (int(g) for g in m.groups())
        return float(calendar.timegm((y, mo, d, hh, mm, ss)))
    if lowered[0] in "+-@":
        return _relative(lowered, now, value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SplError(f"Invalid time modifier '{value}'.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _relative(text: str, now: float, original: str) -> float:
    t = float(now)
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise SplError(f"Invalid time modifier '{original}'.")
        if m.group(4) is not None:
            t = _snap(t, m.group(4), original)
        else:
            unit = _UNITS.get(m.group(3))
            if unit is None:
                raise SplError(f"Invalid time modifier '{original}'.")
            amount = int(m.group(2) or 1) * (-1 if m.group(1) == "-" else 1)
            t = _shift(t, amount, unit)
        pos = m.end()
    return t


def _shift(t: float, amount: int, unit: str) -> float:
    if unit in _SECONDS:
        return t + amount * _SECONDS[unit]
    months = amount * {"mon": 1, "q": 3, "y": 12}[unit]
    g = time.gmtime(t)
    total = g.tm_year * 12 + (g.tm_mon - 1) + months
    year, month = divmod(total, 12)
    day = min(g.tm_mday, calendar.monthrange(year, month + 1)[1])
    frac = t - int(t)
    return calendar.timegm((year, month + 1, day, g.tm_hour, g.tm_min, g.tm_sec)) + frac


def _snap(t: float, spec: str, original: str) -> float:
    if spec[0] == "w" and spec[1:].isdigit():  # @w0 = Sunday ... @w6 = Saturday
        day = int(t // 86400) * 86400
        weekday = (time.gmtime(day).tm_wday + 1) % 7  # Sunday = 0
        return float(day - ((weekday - int(spec[1:])) % 7) * 86400)
    unit = _UNITS.get(spec)
    if unit is None:
        raise SplError(f"Invalid time modifier '{original}'.")
    if unit == "w":
        return _snap(t, "w0", original)
    if unit in _SECONDS:
        size = _SECONDS[unit]
        return float(int(t // size) * size)
    g = time.gmtime(t)
    if unit == "mon":
        return float(calendar.timegm((g.tm_year, g.tm_mon, 1, 0, 0, 0)))
    if unit == "q":
        return float(calendar.timegm((g.tm_year, (g.tm_mon - 1) // 3 * 3 + 1, 1, 0, 0, 0)))
    return float(calendar.timegm((g.tm_year, 1, 1, 0, 0, 0)))


_DATES: dict[int, str] = {}


def iso_time(t: float) -> str:
    """`_time` as splunkd renders it: 2026-11-21T21:17:56.000+00:00 (the sandbox runs in UTC)."""
    ms_total = round(t * 1000)
    secs, ms = divmod(ms_total, 1000)
    day, sod = divmod(secs, 86400)
    date = _DATES.get(day)
    if date is None:
        g = time.gmtime(day * 86400)
        date = _DATES[day] = f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}T"
    hh, rem = divmod(sod, 3600)
    mm, ss = divmod(rem, 60)
    return f"{date}{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}+00:00"


def span_seconds(text: str) -> float:
    """`span=1h` and friends; months are approximated as 30 days."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)?\s*([a-zA-Z]+)", text.strip())
    unit = _UNITS.get(m.group(2).lower()) if m else None
    if not m or unit is None:
        raise SplError(f"Invalid span '{text}'.")  # the caller wraps it in the command's error
    amount = float(m.group(1) or 1)
    return amount * {**_SECONDS, "mon": 30 * 86400, "q": 91 * 86400, "y": 365 * 86400}[unit]
