"""The /__sandbox__ control endpoint: faults, request log, audit and job timing for a sandbox run as a process."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sandbox.http_types import Response, json_response

if TYPE_CHECKING:
    from sandbox.server import SplunkdState

LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


def _json(status: int, doc: Any) -> Response:
    return json_response(status, json.dumps(doc))


def handle_control(state: SplunkdState, method: str, path: str, body: bytes, client_ip: str) -> Response:
    if client_ip not in LOOPBACK and not client_ip.startswith("127."):
        return _json(403, {"error": "the sandbox control endpoint is served to loopback clients only"})
    parts = [p for p in path.split("/") if p][1:]
    try:
        doc = json.loads(body) if body else {}
    except ValueError as exc:
        return _json(400, {"error": f"invalid JSON: {exc}"})
    if parts == ["faults"]:
        if method == "GET":
            return _json(200, [f.to_dict() for f in state.faults.list()])
        if method == "POST":
            try:
                return _json(201, {"id": state.faults.add(**doc)})
            except (TypeError, ValueError) as exc:
                return _json(400, {"error": str(exc)})
        if method == "DELETE":
            state.faults.clear()
            return _json(200, {"cleared": True})
    if len(parts) == 2 and parts[0] == "faults" and method == "DELETE":
        return _json(200 if state.faults.remove(parts[1]) else 404, {"id": parts[1]})
    if parts == ["requests"] and method == "GET":
        return _json(200, [asdict(r) for r in list(state.requests)])
    if parts == ["requests"] and method == "DELETE":
        state.requests.clear()
        return _json(200, {"cleared": True})
    if parts == ["audit"] and method == "GET":
        return _json(200, [asdict(a) for a in list(state.audit)])
    if parts == ["config"]:
        if method == "POST" and "job_duration" in doc:
            state.job_duration = float(doc["job_duration"])
        return _json(200, {"job_duration": state.job_duration, "version": state.config.version})
    return _json(404, {"error": f"unknown control path {path}"})
