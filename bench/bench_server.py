"""Per-call cost of the MCP server, measured side by side against calling Splunk directly, in one run.

Three ways to get the same answer (Splunk version + the caller's identity) from the sandbox Splunk,
each run sequentially N times, medians compared:
  direct       splunklib straight to Splunk: a Service per call, as the server builds one (the floor)
  stateless    one POST of tools/call get_splunk_info to the server (what this project does)
  handshake    initialize + notifications/initialized + tools/call: what a one-shot client must do
               against a session-based server (the cost of sessions for curl-style clients)
Plus throughput of tools/call with 8 client threads, and the token decode share of a call.

The sandbox and the server run as their own processes (no shared GIL with this client), over
loopback HTTP; the sandbox speaks plain HTTP here so TLS handshakes do not dominate the figures.
Usage: python -m bench.bench_server [--calls 200] [--events 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx2
from splunklib import client as splunk_client

from server.auth import TokenKeyRing, TokenPolicy, decode_token, mint_token, new_jwk

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def start(
    args: list[str], env: dict[str, str], ready: Callable[[subprocess.Popen[str]], str]
) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return proc, ready(proc)


def sandbox_ready(proc: subprocess.Popen[str]) -> str:
    return json.loads(proc.stdout.readline())["url"]  # type: ignore[union-attr]  # stdout is a pipe


def wait_healthy(url: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url
        except httpx2.TransportError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def timed(call: Callable[[], object], n: int) -> list[float]:
    call()  # warm up
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def throughput(call: Callable[[], object], threads: int, seconds: float) -> float:
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        while time.perf_counter() < deadline:
            call()
            counts[slot] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    options = parser.parse_args()

    key = new_jwk("bench")
    ring = TokenKeyRing.from_jwks([key])
    sandbox, splunk_url = start(
        ["-m", "sandbox", "--port", "0", "--events", str(options.events), "--log-level", "WARNING"],
        {},
        sandbox_ready,
    )
    port = 18765
    server, _ = start(
        ["-m", "server.cli", "serve", "--port", str(port), "--log-level", "warning"],
        {"SPLUNK_MCP_KEYS": json.dumps({"keys": [key]}), "SPLUNK_MCP_ALLOW_INSECURE_HTTP": "true"},
        lambda _: "",
    )
    mcp_url = wait_healthy(f"http://127.0.0.1:{port}") + "/mcp"
    try:
        now = int(time.time())
        claims = {
            "iss": "bench",
            "aud": "splunk-mcp",
            "sub": "bench",
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            "scope": "splunk:read",
            "splunk": {"url": splunk_url, "auth": {"type": "bearer", "token": "sbx-admin-token"}},
        }
        token = mint_token(ring, claims)
        host, splunk_port = splunk_url.removeprefix("http://").split(":")
        http = httpx2.Client(headers={**HEADERS, "Authorization": f"Bearer {token}"}, timeout=30)

        def direct() -> object:
            service = splunk_client.Service(
                scheme="http", host=host, port=int(splunk_port), splunkToken="sbx-admin-token"
            )
            service.get("/services/server/info", output_mode="json").body.read()
            return service.get("authentication/current-context", output_mode="json").body.read()

        def rpc(method: str, params: dict | None = None, notify: bool = False) -> httpx2.Response:
            body: dict = {"jsonrpc": "2.0", "method": method}
            if not notify:
                body["id"] = 1
            if params is not None:
                body["params"] = params
            return http.post(mcp_url, content=json.dumps(body))

        def stateless() -> object:
            response = rpc("tools/call", {"name": "get_splunk_info", "arguments": {}})
            assert response.json()["result"]["isError"] is False
            return response

        def handshake() -> object:
            rpc(
                "initialize",
                {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"},
                },
            )
            rpc("notifications/initialized", notify=True)
            return stateless()

        policy = TokenPolicy(allow_insecure_http=True)
        results = {
            name: statistics.median(timed(fn, options.calls))
            for name, fn in (("direct", direct), ("stateless", stateless), ("handshake", handshake))
        }
        decode = statistics.median(timed(lambda: decode_token(ring, token, policy), options.calls * 5))
        rate_stateless = throughput(stateless, 8, options.seconds)
        rate_direct = throughput(direct, 8, options.seconds)
    finally:
        server.terminate()
        sandbox.terminate()
        server.wait(10)
        sandbox.wait(10)

    print(f"per call, median of {options.calls} sequential calls (get_splunk_info = 2 Splunk REST requests)")
    print(f"  direct splunklib               {results['direct']:7.2f} ms")
    print(
        f"  MCP stateless tools/call       {results['stateless']:7.2f} ms   "
        f"ratio to direct {results['stateless'] / results['direct']:.2f}x, overhead {results['stateless'] - results['direct']:.2f} ms"
    )
    print(
        f"  MCP with session handshake     {results['handshake']:7.2f} ms   "
        f"ratio to stateless {results['handshake'] / results['stateless']:.2f}x"
    )
    print(
        f"  token decrypt + validate       {decode * 1000:7.1f} us   "
        f"share of a stateless call {decode / results['stateless']:.1%}"
    )
    print(
        f"throughput, 8 client threads for {options.seconds:.0f} s (server: 1 uvicorn worker; 2-core machine shared with the sandbox)"
    )
    print(f"  direct splunklib               {rate_direct:7.0f} calls/s")
    print(
        f"  MCP stateless tools/call       {rate_stateless:7.0f} calls/s   ratio to direct {rate_stateless / rate_direct:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
