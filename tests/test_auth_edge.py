"""The HTTP edge: every bad token gets a 401 naming its reason, and no secret reaches the body or the log.

Raw JSON-RPC POSTs to a real uvicorn process, exactly as curl sends them.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

from server.auth import TokenKeyRing, mint_token, new_jwk
from tests.support import Minter, ServerProcess, rpc

SECRET = "sbx-admin-token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _flip(segment: str) -> str:
    """Change one base64url character of a segment (keeps it decodable)."""
    middle = len(segment) // 2
    return segment[:middle] + ("A" if segment[middle] != "A" else "B") + segment[middle + 1 :]


def _tamper(token: str, part: int) -> str:
    parts = token.split(".")
    parts[part] = _flip(parts[part])
    return ".".join(parts)


def _encrypt_with_header(ring_key: dict[str, str], header: dict[str, Any], claims: dict[str, Any]) -> str:
    key = OctKey.import_key(base64.urlsafe_b64decode(ring_key["k"] + "=="))
    registry = JWERegistry(algorithms=[header["alg"], header["enc"], *(["DEF"] if "zip" in header else [])])
    return jwe.encrypt_compact(header, json.dumps(claims), key, registry=registry)


def _a256kw_token(ring_key: dict[str, str], claims: dict[str, Any]) -> str:
    return _encrypt_with_header(
        ring_key, {"alg": "A256KW", "enc": "A256GCM", "typ": "JWT", "kid": ring_key["kid"]}, claims
    )


@pytest.fixture(scope="module")
def cases(
    mint: Minter, claims_for: Callable[..., dict[str, Any]], key_set: dict[str, Any]
) -> dict[str, tuple[dict[str, str], str]]:
    """name -> (headers to send, reason the 401 must name)."""
    good = mint()
    current = key_set["keys"][0]
    now = int(time.time())
    stranger = TokenKeyRing.from_jwks([{**new_jwk(), "kid": current["kid"]}])
    unknown_kid = TokenKeyRing.from_jwks([new_jwk("nobody-knows-me")])
    without_jti = claims_for()
    del without_jti["jti"]

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "missing header": ({}, "missing Authorization"),
        "wrong scheme": ({"Authorization": f"Basic {_b64(b'admin:changeme')}"}, "scheme must be Bearer"),
        "garbage": (bearer("not-a-token"), "malformed"),
        "truncated": (bearer(good.rsplit(".", 1)[0]), "malformed"),
        "tampered header": (
            bearer(
                _b64(b'{"alg":"dir","enc":"A256GCM","typ":"JWT","kid":"test-current" }')
                + "."
                + good.split(".", 1)[1]
            ),
            "cannot decrypt",
        ),
        "tampered iv": (bearer(_tamper(good, 2)), "cannot decrypt"),
        "tampered ciphertext": (bearer(_tamper(good, 3)), "cannot decrypt"),
        "tampered tag": (bearer(_tamper(good, 4)), "cannot decrypt"),
        "wrong key": (bearer(mint_token(stranger, claims_for())), "cannot decrypt"),
        "unknown kid": (bearer(mint_token(unknown_kid, claims_for())), "unknown key id"),
        "alg not dir": (bearer(_a256kw_token(current, claims_for())), "alg must be dir"),
        # A128CBC-HS256 also takes a 256-bit key, so this is a well-formed JWE that only the enc check refuses.
        "enc not A256GCM": (
            bearer(
                _encrypt_with_header(
                    current,
                    {"alg": "dir", "enc": "A128CBC-HS256", "typ": "JWT", "kid": current["kid"]},
                    claims_for(),
                )
            ),
            "enc must be A256GCM",
        ),
        "alg none": (
            bearer(_b64(b'{"alg":"none","enc":"A256GCM","typ":"JWT","kid":"test-current"}') + "...."),
            "alg must be dir",
        ),
        "zip": (
            bearer(
                _encrypt_with_header(
                    current,
                    {"alg": "dir", "enc": "A256GCM", "zip": "DEF", "typ": "JWT", "kid": current["kid"]},
                    claims_for(),
                )
            ),
            "zip",
        ),
        "expired": (bearer(mint(iat=now - 7200, exp=now - 3600)), "expired"),
        "not yet valid": (bearer(mint(nbf=now + 3600)), "not yet valid"),
        "wrong audience": (bearer(mint(aud="some-other-server")), "wrong audience"),
        "lifetime over maximum": (bearer(mint(exp=now + 30 * 86400)), "lifetime exceeds"),
        "oversize": (bearer("a" * 9000), "too large"),
        "missing claim": (
            bearer(
                _encrypt_with_header(
                    current,
                    {"alg": "dir", "enc": "A256GCM", "typ": "JWT", "kid": current["kid"]},
                    without_jti,
                )
            ),
            "missing claim jti",
        ),
        "unknown claim": (
            bearer(
                _encrypt_with_header(
                    current,
                    {"alg": "dir", "enc": "A256GCM", "typ": "JWT", "kid": current["kid"]},
                    {**claims_for(), "role": "admin"},
                )
            ),
            "unknown claim role",
        ),
        "http splunk url": (
            bearer(
                mint(splunk={"url": "http://127.0.0.1:8089", "auth": {"type": "bearer", "token": SECRET}})
            ),
            "http:// Splunk URLs are not allowed",
        ),
        "tls verification off": (
            bearer(
                mint(
                    splunk={
                        "url": "https://127.0.0.1:8089",
                        "verify_tls": False,
                        "auth": {"type": "bearer", "token": SECRET},
                    }
                )
            ),
            "verify_tls=false",
        ),
        "no read scope": (
            bearer(
                _encrypt_with_header(
                    current,
                    {"alg": "dir", "enc": "A256GCM", "typ": "JWT", "kid": current["kid"]},
                    {**claims_for(), "scope": "splunk:write"},
                )
            ),
            "scope must include splunk:read",
        ),
    }


CASE_NAMES = [
    "missing header",
    "wrong scheme",
    "garbage",
    "truncated",
    "tampered header",
    "tampered iv",
    "tampered ciphertext",
    "tampered tag",
    "wrong key",
    "unknown kid",
    "alg not dir",
    "enc not A256GCM",
    "alg none",
    "zip",
    "expired",
    "not yet valid",
    "wrong audience",
    "lifetime over maximum",
    "oversize",
    "missing claim",
    "unknown claim",
    "http splunk url",
    "tls verification off",
    "no read scope",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_token_is_refused_with_a_named_401_and_no_secret(
    name: str, cases: dict[str, tuple[dict[str, str], str]], mcp_server: ServerProcess
) -> None:
    headers, reason = cases[name]
    response = rpc(mcp_server.mcp_url, None, "tools/list", headers=headers)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert reason in challenge, challenge
    assert response.json()["error_description"] in challenge
    assert SECRET not in response.text and "changeme" not in response.text
    sent = headers.get("Authorization", "").removeprefix("Bearer ")
    if len(sent) > 20:
        assert sent not in response.text and sent[:40] not in challenge


def test_server_log_holds_no_token_or_secret_after_the_bad_token_matrix(
    cases: dict[str, tuple[dict[str, str], str]], mcp_server: ServerProcess
) -> None:
    for headers, _ in cases.values():
        rpc(mcp_server.mcp_url, None, "tools/list", headers=headers)
    log = mcp_server.log()
    assert "token rejected: token expired" in log
    assert SECRET not in log
    for headers, _ in cases.values():
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if len(token) > 40:
            assert token[:40] not in log


def test_host_outside_the_allowlist_is_refused(
    server_factory: Callable[..., ServerProcess], mint: Minter
) -> None:
    server = server_factory(SPLUNK_MCP_ALLOWED_SPLUNK_HOSTS="*.splunkcloud.com,splunk.internal:8089")
    response = rpc(server.mcp_url, mint(), "tools/list")
    assert response.status_code == 401
    assert "host not allowed" in response.headers["www-authenticate"]


def test_host_inside_the_allowlist_is_accepted(
    server_factory: Callable[..., ServerProcess], mint: Minter
) -> None:
    server = server_factory(SPLUNK_MCP_ALLOWED_SPLUNK_HOSTS="splunk.internal,localhost")
    assert rpc(server.mcp_url, mint(), "tools/list").status_code == 200


def test_token_minted_with_the_previous_key_still_works(
    mcp_server: ServerProcess, key_set: dict[str, Any], claims_for: Callable[..., dict[str, Any]]
) -> None:
    previous = TokenKeyRing.from_jwks([key_set["keys"][1]])
    response = rpc(mcp_server.mcp_url, mint_token(previous, claims_for()), "tools/list")
    assert response.status_code == 200
    assert response.json()["result"]["tools"]


def test_healthz_needs_no_token_and_reveals_only_liveness(mcp_server: ServerProcess) -> None:
    import httpx2

    response = httpx2.get(f"{mcp_server.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
