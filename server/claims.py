"""The claims of a Splunk MCP token: the schema every decrypted token must match exactly.

Unknown fields are rejected everywhere, secrets are `SecretStr` so they never print.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from cryptography import x509
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

SCOPE_READ = "splunk:read"
SCOPE_WRITE = "splunk:write"
KNOWN_SCOPES = frozenset({SCOPE_READ, SCOPE_WRITE})
DEFAULT_SPLUNK_PORT = 8089

Name = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f/\\]+$")]
ToolName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BearerAuth(_Strict):
    """A Splunk authentication token, sent to Splunk as `Authorization: Bearer`."""

    type: Literal["bearer"]
    token: Annotated[SecretStr, Field(min_length=1, max_length=4096)]


class BasicAuth(_Strict):
    """A Splunk username and password, sent to Splunk as HTTP Basic on each request."""

    type: Literal["basic"]
    username: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    password: Annotated[SecretStr, Field(min_length=1, max_length=1024)]


class SessionAuth(_Strict):
    """An existing Splunk session key, sent as `Authorization: Splunk <key>`."""

    type: Literal["session"]
    session_key: Annotated[SecretStr, Field(min_length=1, max_length=4096)]


SplunkAuth = Annotated[BearerAuth | BasicAuth | SessionAuth, Field(discriminator="type")]


class SplunkConnection(_Strict):
    """Where the token's Splunk is and how to reach it."""

    url: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    verify_tls: bool = True
    ca_pem: Annotated[str, StringConstraints(max_length=6000)] | None = None
    app: Name | None = None
    owner: Name | None = None
    auth: SplunkAuth

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http"):
            raise ValueError("url must start with https:// (or http:// where the server allows it)")
        if not parts.hostname:
            raise ValueError("url has no host")
        if parts.username or parts.password:
            raise ValueError("url must not carry credentials; put them in auth")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("url must be scheme://host[:port] only")
        try:
            parts.port  # noqa: B018 - accessing .port validates it
        except ValueError:
            raise ValueError("url has an invalid port") from None
        return value

    @field_validator("ca_pem")
    @classmethod
    def _check_ca(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            certificates = x509.load_pem_x509_certificates(value.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError("ca_pem is not a PEM certificate") from None
        if not certificates:
            raise ValueError("ca_pem holds no certificate")
        return value

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or DEFAULT_SPLUNK_PORT


class TokenClaims(_Strict):
    """The whole claim set of a token, after decryption."""

    iss: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    aud: (
        Annotated[str, StringConstraints(min_length=1)]
        | Annotated[list[str], Field(min_length=1, max_length=16)]
    )
    sub: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    iat: int
    nbf: int | None = None
    exp: int
    jti: Annotated[str, StringConstraints(min_length=8, max_length=128)]
    scope: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    splunk: SplunkConnection
    tools: Annotated[list[ToolName], Field(max_length=256)] | None = None

    @field_validator("scope")
    @classmethod
    def _check_scope(cls, value: str) -> str:
        scopes = value.split()
        unknown = sorted(set(scopes) - KNOWN_SCOPES)
        if unknown:
            raise ValueError(f"unknown scope {unknown[0]!r}; known: {', '.join(sorted(KNOWN_SCOPES))}")
        if SCOPE_READ not in scopes:
            raise ValueError(f"scope must include {SCOPE_READ}")
        return value

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    @property
    def audiences(self) -> list[str]:
        return [self.aud] if isinstance(self.aud, str) else list(self.aud)
