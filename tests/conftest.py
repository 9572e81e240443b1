"""Shared fixtures: token keys, the sandbox Splunk (TLS, real sockets), and real server processes.

Values are shared through fixtures only (importing conftest would re-run it and make new keys).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from sandbox import Sandbox, SandboxConfig
from server.auth import TokenKeyRing, mint_token, new_jwk

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX_EVENTS = 20_000


@pytest.fixture(scope="session")
def key_set() -> dict[str, Any]:
    return {"keys": [new_jwk("test-current"), new_jwk("test-previous")]}


@pytest.fixture(scope="session")
def keys_file(tmp_path_factory: pytest.TempPathFactory, key_set: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys.json"
    path.write_text(json.dumps(key_set), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ring(key_set: dict[str, Any]) -> TokenKeyRing:
    return TokenKeyRing.from_jwks(key_set["keys"])


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(tls=True, event_count=SANDBOX_EVENTS, seed=7)) as running:
        yield running


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


@pytest.fixture(scope="session")
def claims_for(sandbox: Sandbox) -> Callable[..., dict[str, Any]]:
    def build(**overrides: Any) -> dict[str, Any]:
        return make_claims(sandbox.url, sandbox.ca_pem, **overrides)

    return build


@pytest.fixture(scope="session")
def mint(ring: TokenKeyRing, claims_for: Callable[..., dict[str, Any]]) -> Minter:
    """mint(**claim_overrides) -> a token for the sandbox; `auth=` swaps the Splunk credentials."""

    def build(auth: dict[str, Any] | None = None, **overrides: Any) -> str:
        claims = claims_for(**overrides)
        if auth is not None:
            claims["splunk"]["auth"] = auth
        return mint_token(ring, claims)

    return build


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
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory: pytest.TempPathFactory, keys_file: Path) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(**env_overrides: str) -> ServerProcess:
        server = start_server(tmp_path_factory.mktemp("server"), keys_file, **env_overrides)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_server(server)


@pytest.fixture(scope="session")
def mcp_server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """The default server: every read toolset, write tools off."""
    return server_factory()


def rpc(url: str, token: str | None, method: str, params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None) -> httpx2.Response:
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
