"""Shared fixtures: token keys, the sandbox Splunk (TLS, real sockets), and real server processes.

Helpers live in tests/support.py; values are shared through fixtures (importing conftest would
re-run it and make new keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox, SandboxConfig
from server.auth import TokenKeyRing, mint_token, new_jwk
from tests.support import Minter, ServerProcess, make_claims, start_server, stop_server

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


@pytest.fixture(scope="session")
def server_factory(
    tmp_path_factory: pytest.TempPathFactory, keys_file: Path
) -> Iterator[Callable[..., ServerProcess]]:
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


@pytest.fixture(scope="session")
def write_server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A server with every toolset and the write tools enabled (they still need scope splunk:write)."""
    return server_factory(SPLUNK_MCP_ENABLE_WRITE_TOOLS="true")


@pytest.fixture(scope="session")
def admin_token(mint: Minter) -> str:
    return mint(exp=int(__import__("time").time()) + 6 * 3600)


@pytest.fixture(scope="session")
def analyst_token(mint: Minter) -> str:
    """The sandbox's `analyst`: cannot see the security and _internal indexes."""
    return mint(auth={"type": "bearer", "token": "sbx-analyst-token"})


@pytest.fixture(scope="session")
def write_token(mint: Minter) -> str:
    return mint(scope="splunk:read splunk:write")


@pytest.fixture(scope="session")
def narrow_window_server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A server whose operator allows searches over one day at most."""
    return server_factory(SPLUNK_MCP_MAX_SEARCH_WINDOW_SECONDS="86400")
