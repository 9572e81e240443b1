"""Requests per second the sandbox splunkd serves: server/info and a small oneshot, via splunklib and keep-alive.

Runs the sandbox as its own process (as the demo and the MCP benchmarks do), so client and server do not
share a GIL. Usage: python bench/bench_sandbox.py [--seconds 3] [--events 250000] [--threads 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import splunklib.client as client

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"Authorization": "Bearer sbx-admin-token"}
ONESHOT = urlencode({"search": "search index=web | head 5", "exec_mode": "oneshot", "output_mode": "json"})


def start_sandbox(events: int) -> tuple[subprocess.Popen[str], str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--events", str(events), "--log-level", "WARNING"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    ready = json.loads(proc.stdout.readline())  # type: ignore[union-attr]  # stdout is a pipe
    return proc, ready["url"], time.perf_counter() - started


def rate(call: Callable[[], None], seconds: float, threads: int = 1) -> float:
    """Calls per second of `call`, run back to back in `threads` threads for `seconds`."""
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        while time.perf_counter() < deadline:
            call()
            counts[slot] += 1

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    begun = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - begun)


def keep_alive_client(port: int) -> Callable[[str, str, str | None], bytes]:
    local = threading.local()

    def request(method: str, path: str, body: str | None = None) -> bytes:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=body, headers={**AUTH, "Connection": "keep-alive"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 400:
            raise RuntimeError(f"{resp.status} {data[:200]!r}")
        return data

    return request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--events", type=int, default=250_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    proc, url, startup = start_sandbox(args.events)
    try:
        port = int(url.rsplit(":", 1)[1])
        service = client.connect(host="127.0.0.1", port=port, scheme="http", splunkToken="sbx-admin-token")
        request = keep_alive_client(port)
        assert len(json.loads(request("POST", "/services/search/v2/jobs", ONESHOT))["results"]) == 5
        print(f"sandbox: {args.events} events, ready in {startup:.2f}s (process start to ready line)")
        print(f"{'operation':<44}{'1 thread':>12}{f'{args.threads} threads':>14}")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("GET server/info  splunklib (new conn each)", lambda: service.info),
            ("GET server/info  http.client keep-alive", lambda: request("GET", "/services/server/info")),
            (
                "oneshot head 5   splunklib (new conn each)",
                lambda: service.jobs.oneshot("search index=web | head 5", output_mode="json").read(),
            ),
            (
                "oneshot head 5   http.client keep-alive",
                lambda: request("POST", "/services/search/v2/jobs", ONESHOT),
            ),
        ]
        for name, call in cases:
            single = rate(call, args.seconds)  # type: ignore[arg-type]  # return value ignored
            multi = rate(call, args.seconds, args.threads)  # type: ignore[arg-type]
            print(f"{name:<44}{single:>10.0f}/s{multi:>12.0f}/s")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout:
            proc.stdout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
