"""The pooled Splunk handler against the sandbox over real TLS sockets: reuse, isolation by trust, caps."""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from server.claims import SplunkConnection
from server.splunk.client import SplunkClient
from server.splunk.connection import Limits, open_service
from server.splunk.errors import SplunkResponseTooLarge, SplunkTlsError, translated
from server.splunk.pool import PooledHandlerFactory
from tests.tls_material import other_ca_pem


def connection(sandbox: Sandbox, **overrides: object) -> SplunkConnection:
    fields: dict[str, object] = {
        "url": sandbox.url,
        "ca_pem": sandbox.ca_pem,
        "auth": {"type": "bearer", "token": "sbx-admin-token"},
    }
    fields.update(overrides)
    return SplunkConnection.model_validate(fields)


def test_calls_reuse_one_keep_alive_connection(sandbox: Sandbox) -> None:
    factory = PooledHandlerFactory(connections_per_splunk=4)
    for _ in range(5):  # five calls, each with its own Service, as five tool calls would build them
        client = SplunkClient(open_service(connection(sandbox), Limits(), factory))
        assert client.server_info()["version"] == "9.3.2"
    (pool,) = factory._pools.values()
    assert pool.num_requests == 5
    assert pool.num_connections == 1


def test_a_different_trust_setting_never_shares_a_connection(sandbox: Sandbox) -> None:
    factory = PooledHandlerFactory()
    SplunkClient(open_service(connection(sandbox), Limits(), factory)).server_info()
    stranger = SplunkClient(open_service(connection(sandbox, ca_pem=other_ca_pem()), Limits(), factory))
    with pytest.raises(SplunkTlsError):
        stranger.server_info()
    assert len(factory._pools) == 2


def test_each_request_carries_its_own_credentials_on_a_shared_connection(sandbox: Sandbox) -> None:
    factory = PooledHandlerFactory(connections_per_splunk=1)
    admin = SplunkClient(open_service(connection(sandbox), Limits(), factory))
    analyst = SplunkClient(
        open_service(
            connection(sandbox, auth={"type": "bearer", "token": "sbx-analyst-token"}), Limits(), factory
        )
    )
    assert [
        admin.current_user()["username"],
        analyst.current_user()["username"],
        admin.current_user()["username"],
    ] == ["admin", "analyst", "admin"]
    (pool,) = factory._pools.values()
    assert pool.num_connections == 1


def test_a_response_over_the_size_cap_is_refused(sandbox: Sandbox) -> None:
    factory = PooledHandlerFactory()
    client = SplunkClient(open_service(connection(sandbox), Limits(max_response_bytes=2048), factory))
    with pytest.raises(SplunkResponseTooLarge), translated():
        client.list_entities("data/indexes", count=100)
