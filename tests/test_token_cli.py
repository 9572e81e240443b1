"""`splunk-mcp-token` as an operator runs it: real subprocesses, real files, exit codes and stdout."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.auth import TokenKeyRing, TokenPolicy, decode_token
from tests.support import PROJECT_ROOT
from tests.tls_material import other_ca_pem


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_MCP_", "SPLUNK_"))}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tools_cli", *args],
        cwd=PROJECT_ROOT,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    assert run_cli("keygen", "--append", str(path), "--kid", "first").returncode == 0
    return path


def test_keygen_prints_one_256_bit_jwk() -> None:
    done = run_cli("keygen", "--kid", "k1")
    assert done.returncode == 0
    jwk = json.loads(done.stdout)
    assert jwk["kty"] == "oct" and jwk["kid"] == "k1"
    assert len(TokenKeyRing.from_jwks([jwk]).keys) == 1


def test_keygen_append_rotates_keys_in_a_private_file(keys: Path) -> None:
    assert run_cli("keygen", "--append", str(keys), "--kid", "second", "--first").returncode == 0
    document = json.loads(keys.read_text())
    assert [k["kid"] for k in document["keys"]] == ["second", "first"]
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    duplicate = run_cli("keygen", "--append", str(keys), "--kid", "second")
    assert duplicate.returncode == 2 and "duplicate kid" in duplicate.stderr


def test_mint_prints_only_a_token_that_the_server_codec_accepts(keys: Path) -> None:
    done = run_cli(
        "mint",
        "--url",
        "https://splunk.example.com:8089",
        "--sub",
        "alice",
        "--ttl",
        "2h",
        "--keys-file",
        str(keys),
        "--app",
        "search",
        env={"SPLUNK_TOKEN": "eyJ-secret-splunk-token"},
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert "\n" not in token and token.count(".") == 4
    claims = decode_token(TokenKeyRing.from_json(keys.read_text()), token, TokenPolicy())
    assert claims.sub == "alice" and claims.splunk.app == "search"
    assert claims.splunk.auth.token.get_secret_value() == "eyJ-secret-splunk-token"  # type: ignore[union-attr]
    assert claims.exp - claims.iat == 7200
    assert "eyJ-secret-splunk-token" not in done.stderr


def test_mint_basic_auth_reads_the_password_from_stdin_and_embeds_a_ca(keys: Path, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(other_ca_pem())
    done = run_cli(
        "mint",
        "--url",
        "https://splunk.example.com:8089",
        "--auth",
        "basic",
        "--username",
        "svc",
        "--secret-stdin",
        "--sub",
        "bot",
        "--ca-file",
        str(ca),
        "--keys-file",
        str(keys),
        "--json",
        stdin="p@ss word\n",
    )
    assert done.returncode == 0, done.stderr
    minted: dict[str, Any] = json.loads(done.stdout)
    claims = decode_token(TokenKeyRing.from_json(keys.read_text()), minted["token"], TokenPolicy())
    assert claims.splunk.auth.password.get_secret_value() == "p@ss word"  # type: ignore[union-attr]
    assert claims.splunk.ca_pem == other_ca_pem()
    assert minted["jti"] == claims.jti and minted["exp"] == claims.exp and minted["kid"] == "first"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "https://s:8089"], {}, "no secret"),
        (["--url", "ftp://s:8089"], {"SPLUNK_TOKEN": "t"}, "url must start with https://"),
        (["--url", "https://s:8089", "--ttl", "soon"], {"SPLUNK_TOKEN": "t"}, "--ttl"),
        (["--url", "https://s:8089", "--auth", "basic"], {"SPLUNK_PASSWORD": "p"}, "--username"),
        (["--url", "https://s:8089", "--scope", "splunk:admin"], {"SPLUNK_TOKEN": "t"}, "unknown scope"),
        (["--url", "https://s:8089", "--ca-file", "/nonexistent.pem"], {"SPLUNK_TOKEN": "t"}, "--ca-file"),
    ],
)
def test_mint_mistakes_exit_2_with_a_clear_message(
    keys: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    done = run_cli("mint", "--sub", "x", "--keys-file", str(keys), *args, env=env)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_mint_without_a_key_says_how_to_make_one() -> None:
    done = run_cli("mint", "--url", "https://s:8089", "--sub", "x", env={"SPLUNK_TOKEN": "t"})
    assert done.returncode == 2 and "keygen" in done.stderr


def test_mint_with_a_bad_key_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = run_cli(
        "mint", "--url", "https://s:8089", "--sub", "x", "--keys-file", str(bad), env={"SPLUNK_TOKEN": "t"}
    )
    assert done.returncode == 2 and str(bad) in done.stderr and "not valid JSON" in done.stderr


def test_inspect_masks_every_secret(keys: Path) -> None:
    token = run_cli(
        "mint",
        "--url",
        "https://s:8089",
        "--auth",
        "basic",
        "--username",
        "svc",
        "--sub",
        "x",
        "--keys-file",
        str(keys),
        env={"SPLUNK_PASSWORD": "hunter2-secret"},
    ).stdout.strip()
    done = run_cli("inspect", "--keys-file", str(keys), stdin=token)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["valid"] is True
    assert shown["header"] == {"alg": "dir", "enc": "A256GCM", "typ": "JWT", "kid": "first"}
    assert shown["claims"]["splunk"]["auth"] == {"type": "basic", "username": "svc", "password": "**********"}
    assert "hunter2-secret" not in done.stdout + done.stderr


def test_inspect_reports_an_expired_token_as_invalid(keys: Path) -> None:
    from server.auth import mint_token
    from tests.support import make_claims

    ring = TokenKeyRing.from_json(keys.read_text())
    token = mint_token(ring, make_claims("https://s:8089", None, iat=1_700_000_000, exp=1_700_003_600))
    done = run_cli("inspect", token, "--keys-file", str(keys))
    assert done.returncode == 1
    assert json.loads(done.stdout)["problem"] == "token expired"


def test_inspect_with_the_wrong_key_fails_cleanly(keys: Path, tmp_path: Path) -> None:
    token = run_cli(
        "mint", "--url", "https://s:8089", "--sub", "x", "--keys-file", str(keys), env={"SPLUNK_TOKEN": "t"}
    ).stdout.strip()
    other = tmp_path / "other.json"
    run_cli("keygen", "--append", str(other), "--kid", "first")
    done = run_cli("inspect", token, "--keys-file", str(other))
    assert done.returncode == 2 and "cannot decrypt" in done.stderr
