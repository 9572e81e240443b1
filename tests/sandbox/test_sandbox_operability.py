"""Operability: TLS with a generated CA, every fault kind, the control endpoint, keep-alive, and the process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import splunklib.binding as binding
import splunklib.client as client

from sandbox import Sandbox, SandboxConfig
from sandbox.events import EventStore
from sandbox.tls import generate_certificates
from tests.sandbox.polling import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tls_sb(store: EventStore) -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(tls=True), store=store) as running:
        yield running


def _verified_service(sb: Sandbox, ca_file: str) -> client.Service:
    context = ssl.create_default_context(cafile=ca_file)
    handler = binding.handler(verify=True, context=context, timeout=10)
    return client.connect(
        host="localhost",
        port=sb.port,
        scheme="https",
        username="admin",
        password="changeme",
        handler=handler,
        verify=True,
    )


def test_tls_verifies_against_the_sandbox_ca(tls_sb: Sandbox) -> None:
    assert tls_sb.url.startswith("https://localhost:")
    assert tls_sb.ca_pem and "BEGIN CERTIFICATE" in tls_sb.ca_pem
    assert tls_sb.ca_file is not None
    service = _verified_service(tls_sb, tls_sb.ca_file)
    assert service.info["version"] == "9.3.2"


def test_tls_with_a_wrong_ca_fails_verification(tls_sb: Sandbox, tmp_path: Path) -> None:
    other = generate_certificates(str(tmp_path / "other"))
    with pytest.raises(ssl.SSLCertVerificationError):
        _verified_service(tls_sb, other.ca_file)


def test_tls_without_verification_works_like_splunklib_default(tls_sb: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1", port=tls_sb.port, scheme="https", username="analyst", password="analyst-pass"
    )
    assert {i.name for i in service.indexes.list()} == {"main", "web", "app"}


def test_latency_fault_delays_matching_paths_only(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-admin-token")
    fault = sb.faults.add(path="/services/server/info*", kind="latency", seconds=0.3)
    started = time.monotonic()
    service.info  # noqa: B018 - the request is the point
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    service.apps.list()
    assert time.monotonic() - started < 0.3
    sb.faults.remove(fault)
    started = time.monotonic()
    service.info  # noqa: B018
    assert time.monotonic() - started < 0.3


def test_status_fault_answers_a_splunkd_error_body(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-admin-token")
    sb.faults.add(path="/services/data/indexes*", kind="status", status=503, message="Splunkd is restarting")
    with pytest.raises(binding.HTTPError) as err:
        service.indexes.list()
    assert err.value.status == 503
    assert "Splunkd is restarting" in str(err.value)


def test_status_fault_matches_servicesns_paths_by_their_normalised_form(
    sb: Sandbox, fresh_faults: Sandbox
) -> None:
    service = client.connect(
        host="127.0.0.1",
        port=sb.port,
        scheme="http",
        splunkToken="sbx-admin-token",
        owner="admin",
        app="search",
    )
    sb.faults.add(path="/services/saved/searches*", kind="status", status=500, times=1)
    with pytest.raises(binding.HTTPError):
        service.saved_searches.list()
    assert sb.requests[-1].path == "/servicesNS/admin/search/saved/searches"
    assert service.saved_searches.list()  # times=1: the fault retired itself


def test_reset_fault_drops_the_connection(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-admin-token")
    sb.faults.add(path="/services/apps/local*", kind="reset")
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        service.apps.list()
    assert sb.requests[-1].status == 0


def test_hang_fault_holds_the_request_until_the_client_times_out(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1",
        port=sb.port,
        scheme="http",
        splunkToken="sbx-admin-token",
        handler=binding.handler(timeout=0.5),
    )
    sb.faults.add(path="/services/server/info", kind="hang")
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        service.info  # noqa: B018
    assert time.monotonic() - started >= 0.5


def test_hang_fault_removed_lets_a_waiting_request_through(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1",
        port=sb.port,
        scheme="http",
        splunkToken="sbx-admin-token",
        handler=binding.handler(timeout=10),
    )
    fault = sb.faults.add(path="/services/server/info", kind="hang")
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("info", service.info["version"]))
    worker.start()
    wait_until(lambda: any(r.path == "/services/server/info" and r.status == 0 for r in sb.requests[-5:]))
    sb.faults.remove(fault)
    worker.join(10)
    assert outcome == {"info": "9.3.2"}


def test_slow_stream_fault_throttles_export(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-admin-token")
    sb.faults.add(path="*/jobs/export", kind="slow_stream", bytes_per_second=20_000, chunk_size=1000)
    started = time.monotonic()
    body = service.jobs.export("search index=web | head 20", output_mode="json").read()
    elapsed = time.monotonic() - started
    assert len(body.splitlines()) == 20
    assert elapsed >= len(body) / 20_000 * 0.8


def test_expire_sessions_fault_invalidates_session_keys(sb: Sandbox, fresh_faults: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1", port=sb.port, scheme="http", username="admin", password="changeme", autologin=False
    )
    sb.faults.add(kind="expire_sessions")
    with pytest.raises(binding.AuthenticationError):
        service.info  # noqa: B018


def test_unknown_fault_kind_is_rejected(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sb.faults.add(path="*", kind="explode")


def _control(sb: Sandbox, method: str, path: str, doc: object = None) -> tuple[int, object]:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    body = json.dumps(doc) if doc is not None else None
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read() or b"null")


def test_control_endpoint_manages_faults_config_and_logs(sb: Sandbox, fresh_faults: Sandbox) -> None:
    status, created = _control(
        sb, "POST", "/__sandbox__/faults", {"path": "/services/messages*", "kind": "status", "status": 502}
    )
    assert status == 201 and created["id"]
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-admin-token")
    with pytest.raises(binding.HTTPError):
        service.messages.list()
    assert _control(sb, "DELETE", "/__sandbox__/faults")[0] == 200
    assert service.messages.list()
    status, requests = _control(sb, "GET", "/__sandbox__/requests")
    assert (
        status == 200
        and requests[-1]["path"] == "/services/messages"
        and requests[-1]["auth_scheme"] == "Bearer"
    )
    service.jobs.oneshot("search index=main | head 1", output_mode="json").read()
    status, audit = _control(sb, "GET", "/__sandbox__/audit")
    assert audit[-1]["query"] == "search index=main | head 1" and audit[-1]["mode"] == "oneshot"
    assert _control(sb, "POST", "/__sandbox__/config", {"job_duration": 1.5})[1]["job_duration"] == 1.5
    assert sb.job_duration == 1.5
    _control(sb, "POST", "/__sandbox__/config", {"job_duration": 0})


def test_keep_alive_serves_many_requests_on_one_connection(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    headers = {"Authorization": "Bearer sbx-admin-token", "Connection": "keep-alive"}
    for _ in range(20):
        conn.request("GET", "/services/server/info", headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Connection") == "Keep-Alive"
        resp.read()
    first_sock = conn.sock
    conn.request("GET", "/services/server/info", headers=headers)
    conn.getresponse().read()
    assert conn.sock is first_sock
    conn.request("GET", "/services/server/info", headers={**headers, "Connection": "Close"})
    resp = conn.getresponse()
    resp.read()
    assert resp.getheader("Connection") == "Close"


def test_splunkd_headers_are_present(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("GET", "/services/server/info", headers={"Authorization": "Bearer sbx-admin-token"})
    resp = conn.getresponse()
    resp.read()
    assert resp.getheader("Server") == "Splunkd"
    assert resp.getheader("Content-Type") == "text/xml; charset=UTF-8"
    assert resp.getheader("Expires") == "Thu, 26 Oct 1978 00:00:00 GMT"
    assert resp.getheader("X-Frame-Options") == "SAMEORIGIN"


def test_module_runs_as_a_process_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--events",
            "2000",
            "--tls",
            "--cert-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        ready = json.loads(proc.stdout.readline())  # type: ignore[union-attr]  # stdout is a pipe
        assert ready["pid"] == proc.pid
        assert ready["ca_file"] == str(tmp_path / "ca.pem")
        port = int(ready["url"].rsplit(":", 1)[1])
        context = ssl.create_default_context(cafile=ready["ca_file"])
        service = client.connect(
            host="localhost",
            port=port,
            scheme="https",
            splunkToken="sbx-analyst-token",
            handler=binding.handler(verify=True, context=context, timeout=10),
            verify=True,
        )
        assert service.info["version"] == "9.3.2"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
