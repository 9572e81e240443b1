"""Fixtures for the sandbox's own tests: one small event store, a plain-HTTP sandbox, splunklib connections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import splunklib.client as client

from sandbox import Sandbox, SandboxConfig
from sandbox.events import EventStore, build_event_store

EVENTS = 20_000


@pytest.fixture(scope="session")
def store() -> EventStore:
    return build_event_store(seed=42, count=EVENTS, days=7)


@pytest.fixture(scope="session")
def sb(store: EventStore) -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(event_count=EVENTS), store=store) as running:
        yield running


@pytest.fixture
def fresh_faults(sb: Sandbox) -> Iterator[Sandbox]:
    sb.faults.clear()
    yield sb
    sb.faults.clear()


@pytest.fixture(scope="session")
def connect(sb: Sandbox) -> Callable[..., client.Service]:
    """connect(username=..., password=...) or connect(splunkToken=...) against the shared sandbox."""

    def build(**kwargs: Any) -> client.Service:
        if not {"username", "splunkToken", "token", "cookie"} & kwargs.keys():
            kwargs.update(username="admin", password="changeme")
        return client.connect(host="127.0.0.1", port=sb.port, scheme="http", autologin=True, **kwargs)

    return build


@pytest.fixture(scope="session")
def admin(connect: Callable[..., client.Service]) -> client.Service:
    return connect()
