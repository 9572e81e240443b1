"""The token codec: key ring, mint, decrypt, validate. Pure: no web framework is imported here.

A token is a compact JWE (RFC 7516) with `alg=dir`, `enc=A256GCM`: the claims are encrypted, not
just signed, because they carry Splunk credentials. The CLI mints with this codec and the
HTTP edge (server/edge.py) decodes with it, so minting and verification can never drift.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey
from pydantic import ValidationError

from server.claims import TokenClaims

MAX_TOKEN_BYTES = 8192
KEY_BYTES = 32  # A256GCM with alg=dir: the key is the content-encryption key
ALLOWED_HEADER = {"alg": "dir", "enc": "A256GCM", "typ": "JWT"}
_REGISTRY = JWERegistry(algorithms=["dir", "A256GCM"])
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_KID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class KeySetError(ValueError):
    """The key set is unusable; the message says why (never the key material)."""


class TokenRejected(Exception):
    """A token failed validation. `reason` is safe to show a client: it never holds token content."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def new_jwk(kid: str | None = None) -> dict[str, str]:
    """A fresh random 256-bit symmetric JWK."""
    key = OctKey.generate_key(KEY_BYTES * 8)
    kid = kid or time.strftime("k-%Y%m%d-%H%M%S", time.gmtime()) + "-" + key.thumbprint()[:8]
    return {"kty": "oct", "kid": kid, "k": str(key.as_dict(private=True)["k"])}


@dataclass(frozen=True)
class TokenKeyRing:
    """The server's token keys. The first key mints; every key decrypts, so keys rotate without downtime."""

    keys: tuple[tuple[str, OctKey], ...]

    @classmethod
    def from_json(cls, text: str) -> TokenKeyRing:
        """Parse a JWK Set (`{"keys": [...]}`) or a single JWK."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise KeySetError("the key set is not valid JSON") from None
        if isinstance(document, Mapping) and "keys" in document:
            entries = document["keys"]
        elif isinstance(document, Mapping):
            entries = [document]
        else:
            raise KeySetError('the key set must be a JWK Set {"keys": [...]} or a single JWK object')
        if not isinstance(entries, list) or not entries:
            raise KeySetError("the key set holds no keys")
        return cls.from_jwks(entries)

    @classmethod
    def from_jwks(cls, entries: Iterable[Any]) -> TokenKeyRing:
        keys: list[tuple[str, OctKey]] = []
        seen: set[str] = set()
        for position, entry in enumerate(entries, start=1):
            if not isinstance(entry, Mapping):
                raise KeySetError(f"key #{position} is not a JSON object")
            kid = entry.get("kid")
            if not isinstance(kid, str) or not _KID.match(kid):
                raise KeySetError(f"key #{position} needs a kid of 1-64 characters [A-Za-z0-9._:-]")
            if kid in seen:
                raise KeySetError(f"duplicate kid {kid!r}")
            seen.add(kid)
            if entry.get("kty") != "oct":
                raise KeySetError(f"key {kid!r} must have kty 'oct' (a symmetric key)")
            material = entry.get("k")
            try:
                raw = (
                    _b64url_decode(material)
                    if isinstance(material, str) and _B64URL.match(material)
                    else None
                )
            except (binascii.Error, ValueError):
                raw = None
            if raw is None:
                raise KeySetError(f"key {kid!r} has no valid base64url 'k'")
            if len(raw) != KEY_BYTES:
                raise KeySetError(
                    f"key {kid!r} is {len(raw) * 8} bits; A256GCM needs exactly 256 bits "
                    "(make one with `splunk-mcp-token keygen`)"
                )
            keys.append((kid, OctKey.import_key(raw)))
        if not keys:
            raise KeySetError("the key set holds no keys")
        return cls(tuple(keys))

    @property
    def minting_kid(self) -> str:
        return self.keys[0][0]

    def find(self, kid: str) -> OctKey | None:
        for candidate, key in self.keys:
            if candidate == kid:
                return key
        return None


def mint_token(ring: TokenKeyRing, claims: Mapping[str, Any]) -> str:
    """Encrypt `claims` (validated against the schema first) with the ring's minting key."""
    TokenClaims.model_validate(claims)
    header = {**ALLOWED_HEADER, "kid": ring.minting_kid}
    payload = json.dumps(claims, separators=(",", ":"), sort_keys=True)
    token = jwe.encrypt_compact(header, payload, ring.keys[0][1], registry=_REGISTRY)
    if len(token) > MAX_TOKEN_BYTES:
        raise ValueError(f"the token would be {len(token)} bytes; the limit is {MAX_TOKEN_BYTES}")
    return token


@dataclass(frozen=True)
class TokenPolicy:
    """What the server accepts beyond a valid ciphertext."""

    audience: str = "splunk-mcp"
    issuers: tuple[str, ...] = ()
    clock_skew_seconds: int = 60
    max_lifetime_seconds: int = 7 * 24 * 3600
    allowed_hosts: tuple[str, ...] = ()
    allow_insecure_http: bool = False
    allow_tls_verify_off: bool = False


def read_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, checked for shape only (no key needed)."""
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected(f"token too large (over {MAX_TOKEN_BYTES} bytes)")
    segments = token.split(".")
    if len(segments) != 5 or not all(_B64URL.match(s) for s in segments):
        raise TokenRejected("malformed token (expected a compact JWE: five base64url segments)")
    try:
        header = json.loads(_b64url_decode(segments[0]))
    except (binascii.Error, ValueError):
        raise TokenRejected("malformed token header") from None
    if not isinstance(header, dict):
        raise TokenRejected("malformed token header")
    return header


def decrypt_claims(ring: TokenKeyRing, token: str) -> dict[str, Any]:
    """Decrypt a token after strict header checks, returning the raw claims object."""
    header = read_header(token)
    if "zip" in header:
        raise TokenRejected("compressed tokens (zip) are not accepted")
    for name, expected in ALLOWED_HEADER.items():
        if header.get(name) != expected:
            raise TokenRejected(f"unsupported token header: {name} must be {expected}")
    extra = sorted(set(header) - {*ALLOWED_HEADER, "kid"})
    if extra:
        raise TokenRejected(f"unsupported token header parameter {extra[0]!r}")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise TokenRejected("token header has no kid")
    key = ring.find(kid)
    if key is None:
        raise TokenRejected("unknown key id (kid)")
    if token.split(".")[1]:
        raise TokenRejected("malformed token (alg=dir carries no encrypted key)")
    try:
        plaintext = jwe.decrypt_compact(token, key, registry=_REGISTRY).plaintext
    except (JoseError, ValueError, TypeError):
        raise TokenRejected("cannot decrypt token (wrong key or tampered)") from None
    try:
        claims = json.loads(plaintext or b"")
    except ValueError:
        raise TokenRejected("token payload is not JSON") from None
    if not isinstance(claims, dict):
        raise TokenRejected("token payload is not a JSON object")
    return claims


def _describe_claim_errors(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False)[:3]:
        where = ".".join(str(part) for part in error["loc"] if not str(part).isdigit()) or "claims"
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown claim {where}")
        elif error["type"] == "missing":
            problems.append(f"missing claim {where}")
        else:
            # pydantic messages describe the rule, never the value (include_input=False).
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "invalid claims: " + "; ".join(problems)


def validate_claims(raw: Mapping[str, Any], policy: TokenPolicy, now: float | None = None) -> TokenClaims:
    """Apply the schema and the server's policy to decrypted claims."""
    try:
        claims = TokenClaims.model_validate(raw)
    except ValidationError as exc:
        raise TokenRejected(_describe_claim_errors(exc)) from None
    now = time.time() if now is None else now
    skew = policy.clock_skew_seconds
    if claims.exp <= now - skew:
        raise TokenRejected("token expired")
    if claims.nbf is not None and claims.nbf > now + skew:
        raise TokenRejected("token not yet valid (nbf)")
    if claims.iat > now + skew:
        raise TokenRejected("token issued in the future (iat)")
    if claims.exp <= claims.iat:
        raise TokenRejected("token exp is not after iat")
    if claims.exp - claims.iat > policy.max_lifetime_seconds:
        raise TokenRejected(f"token lifetime exceeds the server maximum ({policy.max_lifetime_seconds} s)")
    if policy.audience not in claims.audiences:
        raise TokenRejected("wrong audience")
    if policy.issuers and claims.iss not in policy.issuers:
        raise TokenRejected("issuer not accepted")
    splunk = claims.splunk
    if splunk.scheme == "http" and not policy.allow_insecure_http:
        raise TokenRejected("http:// Splunk URLs are not allowed by this server")
    if not splunk.verify_tls and not policy.allow_tls_verify_off:
        raise TokenRejected("verify_tls=false is not allowed by this server")
    if policy.allowed_hosts and not host_allowed(splunk.host, splunk.port, policy.allowed_hosts):
        raise TokenRejected("Splunk host not allowed by this server")
    return claims


def host_allowed(host: str, port: int, patterns: Iterable[str]) -> bool:
    """Glob match of `host` or `host:port` against the operator's patterns (case-insensitive)."""
    host = host.lower()
    with_port = f"{host}:{port}"
    for pattern in patterns:
        pattern = pattern.lower()
        target = with_port if ":" in pattern else host
        if fnmatch.fnmatchcase(target, pattern):
            return True
    return False


def decode_token(
    ring: TokenKeyRing, token: str, policy: TokenPolicy, now: float | None = None
) -> TokenClaims:
    """Decrypt and validate a token, or raise TokenRejected with a client-safe reason."""
    return validate_claims(decrypt_claims(ring, token), policy, now)
