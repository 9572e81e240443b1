"""The unmodified splunklib authenticates against the sandbox with every scheme splunkd accepts."""

from __future__ import annotations

import base64
import http.client

import pytest
import splunklib.binding as binding
import splunklib.client as client

from sandbox import SANDBOX_TOKENS, Sandbox, SandboxConfig
from sandbox.events import EventStore


def _current_user(service: client.Service) -> str:
    import json

    body = json.loads(service.get("authentication/current-context", output_mode="json").body.read())
    return body["entry"][0]["content"]["username"]


def test_password_login_sets_a_splunkd_cookie_and_later_calls_use_it(sb: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1", port=sb.port, scheme="http", username="admin", password="changeme"
    )
    cookies = service.get_cookies()
    assert list(cookies) == [f"splunkd_{sb.port}"]
    assert service.info["version"] == "9.3.2"
    record = sb.requests[-1]
    assert (record.path, record.auth_scheme, record.user, record.status) == (
        "/services/server/info",
        "Cookie",
        "admin",
        200,
    )


def test_login_response_body_is_a_session_key(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("POST", "/services/auth/login", body="username=analyst&password=analyst-pass")
    resp = conn.getresponse()
    body = resp.read().decode()
    assert resp.status == 200
    assert "<sessionKey>" in body
    assert resp.getheader("Set-Cookie") is None  # only with cookie=1
    key = body.split("<sessionKey>")[1].split("</sessionKey>")[0]
    service = client.Service(host="127.0.0.1", port=sb.port, scheme="http", token=key)
    assert _current_user(service) == "analyst"


def test_bad_password_is_login_failed(sb: Sandbox) -> None:
    with pytest.raises(binding.AuthenticationError, match="Login failed"):
        client.connect(host="127.0.0.1", port=sb.port, scheme="http", username="admin", password="nope")
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("POST", "/services/auth/login", body="username=admin&password=nope")
    resp = conn.getresponse()
    assert resp.status == 401
    assert '<msg type="WARN">Login failed</msg>' in resp.read().decode()


@pytest.mark.parametrize(("token", "user"), sorted(SANDBOX_TOKENS.items()))
def test_splunk_tokens_authenticate_as_bearer(sb: Sandbox, token: str, user: str) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken=token)
    assert _current_user(service) == user
    assert sb.requests[-1].auth_scheme == "Bearer"


def test_token_passed_as_splunk_scheme_also_works(sb: Sandbox) -> None:
    service = client.Service(host="127.0.0.1", port=sb.port, scheme="http", token="sbx-secops-token")
    assert _current_user(service) == "secops"
    assert sb.requests[-1].auth_scheme == "Splunk"


def test_unknown_token_is_401_call_not_properly_authenticated(sb: Sandbox) -> None:
    service = client.connect(host="127.0.0.1", port=sb.port, scheme="http", splunkToken="sbx-nobody")
    with pytest.raises(binding.HTTPError) as err:
        service.get("server/info")
    assert err.value.status == 401
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("GET", "/services/server/info", headers={"Authorization": "Bearer sbx-nobody"})
    resp = conn.getresponse()
    assert resp.status == 401
    assert '<msg type="WARN">call not properly authenticated</msg>' in resp.read().decode()


def test_basic_auth_works_without_a_login_round_trip(sb: Sandbox) -> None:
    before = len(sb.requests)
    service = client.connect(
        host="127.0.0.1", port=sb.port, scheme="http", username="secops", password="secops-pass", basic=True
    )
    assert _current_user(service) == "secops"
    assert [r.path for r in sb.requests[before:]] == ["/services/authentication/current-context"]
    assert sb.requests[-1].auth_scheme == "Basic"


def test_basic_auth_with_a_wrong_password_is_401(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    cred = base64.b64encode(b"admin:wrong").decode()
    conn.request("GET", "/services/server/info", headers={"Authorization": f"Basic {cred}"})
    assert conn.getresponse().status == 401


def test_no_credentials_is_401_unauthorized_with_a_basic_challenge(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("GET", "/services/server/info")
    resp = conn.getresponse()
    assert resp.status == 401
    assert resp.getheader("WWW-Authenticate") == 'Basic realm="/splunk"'
    assert '<msg type="ERROR">Unauthorized</msg>' in resp.read().decode()
    service = client.Service(host="127.0.0.1", port=sb.port, scheme="http")
    with pytest.raises(binding.AuthenticationError, match="not logged in"):
        service.apps.list()


def test_expired_sessions_are_renewed_by_autologin(sb: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1", port=sb.port, scheme="http", username="admin", password="changeme", autologin=True
    )
    assert len(service.apps.list()) == 3
    sb.faults.add(kind="expire_sessions")
    before = len(sb.requests)
    assert len(service.apps.list()) == 3
    assert [(r.path, r.status) for r in sb.requests[before:]] == [
        ("/services/apps/local", 401),
        ("/services/auth/login", 200),
        ("/services/apps/local", 200),
    ]


def test_expired_session_without_autologin_raises(sb: Sandbox) -> None:
    service = client.connect(
        host="127.0.0.1", port=sb.port, scheme="http", username="admin", password="changeme", autologin=False
    )
    sb.faults.add(kind="expire_sessions")
    with pytest.raises(binding.AuthenticationError, match="Session is not logged in"):
        service.apps.list()


def test_sessions_expire_after_the_configured_ttl(store: EventStore) -> None:
    with Sandbox(SandboxConfig(session_ttl=0.0), store=store) as short:
        service = client.connect(
            host="127.0.0.1",
            port=short.port,
            scheme="http",
            username="admin",
            password="changeme",
            autologin=False,
        )
        with pytest.raises(binding.AuthenticationError):
            service.apps.list()
        relogging = client.connect(
            host="127.0.0.1",
            port=short.port,
            scheme="http",
            username="admin",
            password="changeme",
            autologin=True,
        )
        # Every key is already stale, so the one relogin splunklib allows fails too.
        with pytest.raises(binding.AuthenticationError):
            relogging.apps.list()
