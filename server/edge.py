"""The HTTP edge: verifies each request's bearer token before any MCP handling, naming every rejection."""

from __future__ import annotations

import json
import logging

from fastmcp.server.auth import AccessToken, TokenVerifier
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.authentication import AuthCredentials
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth import TokenKeyRing, TokenPolicy, TokenRejected, decode_token
from server.claims import TokenClaims

logger = logging.getLogger(__name__)


class SplunkAccessToken(AccessToken):
    """The verified identity of one request: the access token plus its typed claims."""

    grant: TokenClaims


class SplunkTokenVerifier(TokenVerifier):
    """FastMCP auth provider for our tokens, with an edge middleware that names each rejection."""

    def __init__(self, ring: TokenKeyRing, policy: TokenPolicy, mcp_path: str = "/mcp"):
        super().__init__()
        self.ring = ring
        self.policy = policy
        self.mcp_path = mcp_path

    def authenticate(self, token: str) -> SplunkAccessToken:
        claims = decode_token(self.ring, token, self.policy)
        return SplunkAccessToken(
            token=token, client_id=claims.sub, scopes=claims.scopes, expires_at=claims.exp, grant=claims
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            return self.authenticate(token)
        except TokenRejected:
            return None

    def get_middleware(self) -> list[Middleware]:
        return [
            Middleware(BearerTokenMiddleware, verifier=self),
            Middleware(AuthContextMiddleware),
        ]


class BearerTokenMiddleware:
    """Verifies `Authorization: Bearer` on the MCP path and answers every failure with a named 401.

    FastMCP's own middleware collapses all failures into one generic message; operators and
    clients need to know whether a token expired, hit the wrong server or was tampered with.
    Other paths (/healthz) pass through unauthenticated.
    """

    def __init__(self, app: ASGIApp, verifier: SplunkTokenVerifier):
        self.app = app
        self.verifier = verifier

    def _protects(self, path: str) -> bool:
        base = self.verifier.mcp_path.rstrip("/")
        return path == base or path.startswith(base + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._protects(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        header = _authorization_header(scope)
        try:
            if header is None:
                raise TokenRejected("missing Authorization: Bearer token")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise TokenRejected("Authorization scheme must be Bearer")
            access = self.verifier.authenticate(token.strip())
        except TokenRejected as rejection:
            logger.info("token rejected: %s", rejection.reason)
            await _send_unauthorized(send, rejection.reason)
            return
        scope["user"] = AuthenticatedUser(access)
        scope["auth"] = AuthCredentials(access.scopes)
        await self.app(scope, receive, send)


def _authorization_header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            return value.decode("latin-1")
    return None


async def _send_unauthorized(send: Send, reason: str) -> None:
    description = reason.replace('"', "'")
    body = json.dumps({"error": "invalid_token", "error_description": description}).encode()
    challenge = f'Bearer realm="splunk-mcp", error="invalid_token", error_description="{description}"'
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge.encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
