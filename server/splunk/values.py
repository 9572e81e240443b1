"""splunkd's REST values as Python: booleans come as "1"/"0"/true, numbers as strings, lists as lists or CSV."""

from __future__ import annotations

import datetime


def truthy(value: object) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "t", "yes", "y")


def as_int(value: object, default: int = 0) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError, OverflowError):
        return default


def as_float(value: object, default: float = 0.0) -> float:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return default


def text(value: object) -> str | None:
    """A Splunk setting as text, or None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def as_list(value: object) -> list[str]:
    """A list setting, sent either as a JSON list or as comma-separated text."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def iso_time(epoch: object) -> str | None:
    """Epoch seconds (number or numeric string) as ISO 8601 UTC, or None."""
    try:
        return datetime.datetime.fromtimestamp(float(str(epoch)), datetime.UTC).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        return None
