"""Helpers the tests share: claims, server processes, raw JSON-RPC. Fixtures live in conftest.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def make_claims(splunk_url: str, ca_pem: str | None, **overrides: Any) -> dict[str, Any]:
    """Valid claims for the sandbox admin (bearer token); keyword overrides replace top-level claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "tests",
        "aud": "splunk-mcp",
        "sub": "test-user",
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
        "scope": "splunk:read",
        "splunk": {"url": splunk_url, "auth": {"type": "bearer", "token": "sbx-admin-token"}},
    }
    if ca_pem:
        claims["splunk"]["ca_pem"] = ca_pem
    claims.update(overrides)
    return claims


Minter = Callable[..., str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def mcp_url(self) -> str:
        return f"{self.url}/mcp"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(tmp_dir: Path, keys_file: Path, **env_overrides: str) -> ServerProcess:
    """`splunk-mcp serve` as a real uvicorn process on a free port, ready when /healthz answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPLUNK_MCP_")}
    env.update({"SPLUNK_MCP_KEYS_FILE": str(keys_file), "SPLUNK_MCP_LOG_LEVEL": "info", **env_overrides})
    log_path = tmp_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx2.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not become ready:\n{server.log()}")


def stop_server(server: ServerProcess) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def rpc(
    url: str,
    token: str | None,
    method: str,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    """One raw JSON-RPC POST, exactly as the README's curl sends it."""
    sent = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    sent.update(headers or {})
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        body["params"] = params
    return httpx2.post(url, headers=sent, content=json.dumps(body), timeout=60)


def call_tool(url: str, token: str, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    """tools/call over raw HTTP; returns the JSON-RPC `result`."""
    response = rpc(url, token, "tools/call", {"name": name, "arguments": arguments or {}})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def mcp_client(server: ServerProcess, token: str, mode: str = "auto") -> Any:
    """A FastMCP Client over real HTTP to `server` (use as `async with mcp_client(...) as client`)."""
    from fastmcp import Client
    from fastmcp.client.transports import StreamableHttpTransport

    return Client(StreamableHttpTransport(server.mcp_url, auth=token), mode=mode)  # type: ignore[arg-type]


def sandbox_service(sandbox: Any, token: str = "sbx-admin-token", app: str | None = None) -> Any:
    """The unmodified splunklib straight to the sandbox (default: as its admin): setup and ground truth.

    A new Service each time: splunklib's `service.kvstore` pins the namespace of its service.
    """
    from splunklib import client as splunk_client

    return splunk_client.Service(
        scheme="https",
        host="localhost",
        port=int(sandbox.url.rsplit(":", 1)[1]),
        splunkToken=token,
        app=app,
        verify=False,
    )
