"""`splunk-mcp-token`: make keys, mint tokens, inspect tokens. Uses the server's own codec.

Secrets (Splunk token, password, session key) never come from argv: an environment variable,
stdin (--secret-stdin) or an interactive prompt.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import stat
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from server.auth import (
    KeySetError,
    TokenKeyRing,
    TokenPolicy,
    TokenRejected,
    decrypt_claims,
    mint_token,
    new_jwk,
    read_header,
    validate_claims,
)
from server.claims import SCOPE_READ, TokenClaims

KEYS_ENV = "SPLUNK_MCP_KEYS"
SECRET_ENV = {"bearer": "SPLUNK_TOKEN", "basic": "SPLUNK_PASSWORD", "session": "SPLUNK_SESSION_KEY"}
DEFAULT_ISSUER = "splunk-mcp-token"
_DURATION = re.compile(r"^(\d+)([smhd]?)$")


class CliError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def parse_duration(text: str) -> int:
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise CliError(f"--ttl {text!r}: use seconds or a number with s, m, h or d (e.g. 8h)")
    value = int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    if value <= 0:
        raise CliError("--ttl must be positive")
    return value


def load_ring(keys_file: str | None) -> TokenKeyRing:
    if keys_file:
        try:
            text = Path(keys_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"--keys-file {keys_file}: {exc.strerror}") from None
        source = f"--keys-file {keys_file}"
    elif os.environ.get(KEYS_ENV):
        text, source = os.environ[KEYS_ENV], KEYS_ENV
    else:
        raise CliError(
            f"no key: pass --keys-file or set {KEYS_ENV} (make one with `splunk-mcp-token keygen`)"
        )
    try:
        return TokenKeyRing.from_json(text)
    except KeySetError as exc:
        raise CliError(f"{source}: {exc}") from None


def read_secret(kind: str, args: argparse.Namespace) -> str:
    variable = args.secret_env or SECRET_ENV[kind]
    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(variable):
        secret = os.environ[variable]
    elif sys.stdin.isatty():
        secret = getpass.getpass(f"Splunk {'password' if kind == 'basic' else kind + ' token'}: ")
    else:
        raise CliError(f"no secret: set {variable}, pass --secret-stdin, or run in a terminal to be prompted")
    if not secret:
        raise CliError("the secret is empty")
    return secret


def build_claims(args: argparse.Namespace, now: int) -> dict[str, Any]:
    auth: dict[str, Any]
    secret = read_secret(args.auth, args)
    if args.auth == "bearer":
        auth = {"type": "bearer", "token": secret}
    elif args.auth == "basic":
        if not args.username:
            raise CliError("--auth basic needs --username")
        auth = {"type": "basic", "username": args.username, "password": secret}
    else:
        auth = {"type": "session", "session_key": secret}
    splunk: dict[str, Any] = {"url": args.url, "auth": auth}
    if args.no_verify_tls:
        splunk["verify_tls"] = False
    if args.ca_file:
        try:
            splunk["ca_pem"] = Path(args.ca_file).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(
                f"--ca-file {args.ca_file}: {getattr(exc, 'strerror', None) or 'not a PEM file'}"
            ) from None
    if args.app:
        splunk["app"] = args.app
    if args.owner:
        splunk["owner"] = args.owner
    claims: dict[str, Any] = {
        "iss": args.iss,
        "aud": args.aud,
        "sub": args.sub,
        "iat": now,
        "exp": now + parse_duration(args.ttl),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(args.scope.replace(",", " ").split()),
        "splunk": splunk,
    }
    if args.tools:
        claims["tools"] = [t.strip() for t in args.tools.split(",") if t.strip()]
    return claims


def cmd_keygen(args: argparse.Namespace) -> int:
    jwk = new_jwk(args.kid)
    if not args.append:
        print(json.dumps(jwk))
        return 0
    path = Path(args.append)
    keys: list[Any] = []
    if path.exists():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            keys = list(document["keys"])
        except (OSError, ValueError, KeyError, TypeError):
            raise CliError(f"--append {path}: not a JWK Set file") from None
    keys = [jwk, *keys] if args.first else [*keys, jwk]
    try:
        TokenKeyRing.from_jwks(keys)
    except KeySetError as exc:
        raise CliError(f"--append {path}: {exc}") from None
    path.write_text(json.dumps({"keys": keys}, indent=2) + "\n", encoding="utf-8")
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    print(
        f"added key {jwk['kid']} ({'first: it mints' if args.first else 'last: decrypt only'}) to {path}",
        file=sys.stderr,
    )
    return 0


def cmd_mint(args: argparse.Namespace) -> int:
    ring = load_ring(args.keys_file)
    claims = build_claims(args, int(time.time()))
    try:
        token = mint_token(ring, claims)
    except ValueError as exc:
        raise CliError(_explain_invalid(exc)) from None
    if args.json:
        print(
            json.dumps({"token": token, "jti": claims["jti"], "exp": claims["exp"], "kid": ring.minting_kid})
        )
    else:
        print(token)
    return 0


def _explain_invalid(exc: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"invalid token claims: {where}: {first['msg'].removeprefix('Value error, ')}"
    return str(exc)


def cmd_inspect(args: argparse.Namespace) -> int:
    ring = load_ring(args.keys_file)
    token = (args.token if args.token not in (None, "-") else sys.stdin.read()).strip()
    try:
        header = read_header(token)
        raw = decrypt_claims(ring, token)
    except TokenRejected as rejection:
        raise CliError(f"cannot inspect: {rejection.reason}") from None
    problem = None
    try:
        validate_claims(
            raw, TokenPolicy(audience=args.aud, allow_insecure_http=True, allow_tls_verify_off=True)
        )
    except TokenRejected as rejection:
        problem = rejection.reason
    try:
        shown: Any = TokenClaims.model_validate(raw).model_dump(mode="json", exclude_none=True)
    except ValueError:
        shown = _mask(raw)
    print(
        json.dumps(
            {"header": header, "claims": shown, "valid": problem is None, "problem": problem}, indent=2
        )
    )
    return 0 if problem is None else 1


def _mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return "**********" if key in {"token", "password", "session_key"} else value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="splunk-mcp-token", description="Keys and tokens for splunk-mcp.")
    commands = parser.add_subparsers(dest="command", required=True)

    keygen = commands.add_parser("keygen", help="Print a new 256-bit JWK, or add it to a JWK Set file.")
    keygen.add_argument("--kid", help="key id (default: date and thumbprint)")
    keygen.add_argument("--append", metavar="FILE", help="add the key to this JWK Set file (created 0600)")
    keygen.add_argument("--first", action="store_true", help="with --append: put it first, so it mints")
    keygen.set_defaults(handler=cmd_keygen)

    mint = commands.add_parser("mint", help="Mint a token; prints only the token.")
    mint.add_argument(
        "--url", required=True, help="Splunk management URL, e.g. https://splunk.example.com:8089"
    )
    mint.add_argument(
        "--auth",
        choices=["bearer", "basic", "session"],
        default="bearer",
        help="bearer: Splunk auth token ($SPLUNK_TOKEN); basic: --username + $SPLUNK_PASSWORD; "
        "session: $SPLUNK_SESSION_KEY",
    )
    mint.add_argument("--username", help="Splunk user for --auth basic")
    mint.add_argument("--secret-env", metavar="VAR", help="read the secret from this variable instead")
    mint.add_argument(
        "--secret-stdin", action="store_true", help="read the secret from the first line of stdin"
    )
    mint.add_argument("--sub", required=True, help="who the token is for (shown in logs)")
    mint.add_argument("--ttl", default="8h", help="lifetime: seconds or 30m, 8h, 7d (default 8h)")
    mint.add_argument("--aud", default="splunk-mcp", help="audience (default splunk-mcp)")
    mint.add_argument("--iss", default=DEFAULT_ISSUER, help=f"issuer (default {DEFAULT_ISSUER})")
    mint.add_argument(
        "--scope", default=SCOPE_READ, help="space- or comma-separated: splunk:read [splunk:write]"
    )
    mint.add_argument("--tools", help="comma-separated allow-list of tool names")
    mint.add_argument("--app", help="Splunk app namespace")
    mint.add_argument("--owner", help="Splunk owner namespace")
    mint.add_argument("--no-verify-tls", action="store_true", help="do not verify Splunk's certificate")
    mint.add_argument("--ca-file", help="PEM CA to trust for this Splunk (embedded in the token)")
    mint.add_argument("--keys-file", help=f"JWK Set file (default ${KEYS_ENV})")
    mint.add_argument("--json", action="store_true", help="print token, jti, exp and kid as JSON")
    mint.set_defaults(handler=cmd_mint)

    inspect = commands.add_parser("inspect", help="Decrypt a token and print its claims, secrets masked.")
    inspect.add_argument("token", nargs="?", default="-", help="the token, or - to read stdin (default)")
    inspect.add_argument("--keys-file", help=f"JWK Set file (default ${KEYS_ENV})")
    inspect.add_argument("--aud", default="splunk-mcp", help="audience to check against")
    inspect.set_defaults(handler=cmd_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"splunk-mcp-token: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
