"""Per-call cost of the MCP server, measured side by side against calling Splunk directly, in one run.

Ways to get the same answer (Splunk version + the caller's identity: two Splunk REST requests) from
the sandbox Splunk over HTTPS with a verified CA, each run sequentially N times, medians compared:
  direct       splunklib straight to Splunk: a Service per call, a new TLS connection per request
  per-request  one POST of tools/call get_splunk_info to a server that opens a connection per request
  pooled       the same to a server that keeps keep-alive connections to Splunk (the default)
  handshake    initialize + notifications/initialized + tools/call (pooled server): what a one-shot
               client must do against a session-based server
Plus throughput with 8 client threads, and the token decode share of a call.

The sandbox and both servers run as their own processes (no shared GIL with this client).
Usage: python -m bench.bench_server [--calls 200] [--events 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
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
    keys_env = {"SPLUNK_MCP_KEYS": json.dumps({"keys": [key]})}
    sandbox, ready = start(
        ["-m", "sandbox", "--port", "0", "--tls", "--events", str(options.events), "--log-level", "WARNING"],
        {},
        lambda proc: proc.stdout.readline(),  # type: ignore[union-attr]  # stdout is a pipe
    )
    splunk_url, ca_file = json.loads(ready)["url"], json.loads(ready)["ca_file"]
    servers = {
        "per-request": start(
            ["-m", "server.cli", "serve", "--port", "18765", "--log-level", "warning"],
            {**keys_env, "SPLUNK_MCP_SPLUNK_POOL_CONNECTIONS": "0"},
            lambda _: "",
        )[0],
        "pooled": start(
            ["-m", "server.cli", "serve", "--port", "18766", "--log-level", "warning"], keys_env, lambda _: ""
        )[0],
    }
    urls = {
        "per-request": wait_healthy("http://127.0.0.1:18765") + "/mcp",
        "pooled": wait_healthy("http://127.0.0.1:18766") + "/mcp",
    }
    try:
        ca_pem = Path(ca_file).read_text(encoding="ascii")
        now = int(time.time())
        claims = {
            "iss": "bench",
            "aud": "splunk-mcp",
            "sub": "bench",
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            "scope": "splunk:read",
            "splunk": {
                "url": splunk_url,
                "ca_pem": ca_pem,
                "auth": {"type": "bearer", "token": "sbx-admin-token"},
            },
        }
        token = mint_token(ring, claims)
        host, splunk_port = splunk_url.removeprefix("https://").split(":")
        context = ssl.create_default_context(cafile=ca_file)
        http = httpx2.Client(headers={**HEADERS, "Authorization": f"Bearer {token}"}, timeout=30)

        def direct() -> object:
            service = splunk_client.Service(
                scheme="https",
                host=host,
                port=int(splunk_port),
                splunkToken="sbx-admin-token",
                verify=True,
                context=context,
            )
            service.get("/services/server/info", output_mode="json").body.read()
            return service.get("authentication/current-context", output_mode="json").body.read()

        def rpc(url: str, method: str, params: dict | None = None, notify: bool = False) -> httpx2.Response:
            body: dict = {"jsonrpc": "2.0", "method": method}
            if not notify:
                body["id"] = 1
            if params is not None:
                body["params"] = params
            return http.post(url, content=json.dumps(body))

        def call(url: str) -> Callable[[], object]:
            def once() -> object:
                response = rpc(url, "tools/call", {"name": "get_splunk_info", "arguments": {}})
                assert response.json()["result"]["isError"] is False, response.text
                return response

            return once

        def handshake() -> object:
            rpc(
                urls["pooled"],
                "initialize",
                {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"},
                },
            )
            rpc(urls["pooled"], "notifications/initialized", notify=True)
            return call(urls["pooled"])()

        ways = {
            "direct": direct,
            "per-request": call(urls["per-request"]),
            "pooled": call(urls["pooled"]),
            "handshake": handshake,
        }
        median = {name: statistics.median(timed(fn, options.calls)) for name, fn in ways.items()}
        decode = statistics.median(timed(lambda: decode_token(ring, token, TokenPolicy()), options.calls * 5))
        rate = {
            name: throughput(ways[name], 8, options.seconds) for name in ("direct", "per-request", "pooled")
        }
    finally:
        for process in (*servers.values(), sandbox):
            process.terminate()
            process.wait(10)

    print(
        f"per call over HTTPS to Splunk, median of {options.calls} sequential calls "
        "(get_splunk_info = 2 Splunk REST requests)"
    )
    print(f"  direct splunklib (new TLS connection per request)  {median['direct']:7.2f} ms")
    for name in ("per-request", "pooled"):
        print(
            f"  MCP tools/call, {name:<12} handler          {median[name]:7.2f} ms   "
            f"ratio to direct {median[name] / median['direct']:.2f}x"
        )
    print(
        f"  pooled / per-request                               {median['pooled'] / median['per-request']:7.2f}x"
    )
    print(
        f"  MCP with session handshake (pooled)                {median['handshake']:7.2f} ms   "
        f"ratio to stateless {median['handshake'] / median['pooled']:.2f}x"
    )
    print(
        f"  token decrypt + validate                           {decode * 1000:7.1f} us   "
        f"share of a pooled call {decode / median['pooled']:.1%}"
    )
    print(
        f"throughput, 8 client threads for {options.seconds:.0f} s (1 uvicorn worker each; 2 cores shared with the sandbox)"
    )
    for name in ("direct", "per-request", "pooled"):
        print(f"  {name:<12} {rate[name]:7.0f} calls/s   ratio to direct {rate[name] / rate['direct']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
