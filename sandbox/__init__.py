"""A local stand-in for splunkd's REST API, with sample data: the MCP server's demo, tests and benchmarks run on it."""

from sandbox.accounts import SANDBOX_TOKENS
from sandbox.config import SandboxConfig
from sandbox.jobs import AuditRecord
from sandbox.server import RequestRecord, Sandbox

__all__ = ["SANDBOX_TOKENS", "AuditRecord", "RequestRecord", "Sandbox", "SandboxConfig"]
