"""Server configuration: one typed place that reads `SPLUNK_MCP_*`, validated at start-up.

Splunk connection settings are deliberately absent: they travel in each request's token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SPLUNK_MCP_"

# The toolsets a server enables when the operator names none (see server/toolsets.py).
DEFAULT_TOOLSETS = ("search", "discovery", "server", "knowledge", "alerts", "kvstore")

CsvList = Annotated[tuple[str, ...], NoDecode]


class SettingsError(ValueError):
    """A configuration mistake, worded for the operator: it names the variable and the flag."""


class ServerSettings(BaseSettings):
    """Everything the server is configured with. Field `x` is `SPLUNK_MCP_X` or `--x` on the CLI."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # --- token keys (exactly one of the two)
    keys: SecretStr | None = Field(
        default=None, description="JWK Set (JSON) or a single JWK with the 256-bit token keys."
    )
    keys_file: Path | None = Field(default=None, description="Path of a JWK Set file with the token keys.")

    # --- token validation
    audience: str = Field(
        default="splunk-mcp", min_length=1, description="Audience a token's `aud` must contain."
    )
    issuers: CsvList = Field(
        default=(), description="Accepted `iss` values (comma-separated); empty accepts any."
    )
    clock_skew_seconds: int = Field(default=60, ge=0, le=600, description="Leeway for exp/nbf/iat.")
    max_token_lifetime_seconds: int = Field(
        default=7 * 24 * 3600, ge=60, le=366 * 24 * 3600, description="Longest exp - iat the server accepts."
    )
    allowed_splunk_hosts: CsvList = Field(
        default=(),
        description="Glob patterns (host or host:port) a token's Splunk URL must match; empty allows any.",
    )
    allow_insecure_http: bool = Field(default=False, description="Accept tokens whose Splunk URL is http://.")
    allow_tls_verify_off: bool = Field(default=False, description="Accept tokens with verify_tls=false.")

    # --- Splunk calls
    splunk_connect_timeout: float = Field(
        default=10.0, gt=0, le=120, description="Seconds to connect to Splunk."
    )
    splunk_read_timeout: float = Field(
        default=60.0, gt=0, le=900, description="Seconds to wait on a Splunk read."
    )
    splunk_pool_connections: int = Field(
        default=8,
        ge=0,
        le=256,
        description="Keep-alive connections kept per Splunk for reuse across calls; 0 opens one per request.",
    )
    splunk_max_concurrency: int = Field(
        default=32, ge=1, le=1024, description="Splunk calls in flight per process (worker threads)."
    )

    # --- tools
    toolsets: CsvList = Field(default=DEFAULT_TOOLSETS, description="Toolsets to enable (comma-separated).")
    enable_write_tools: bool = Field(
        default=False, description="Register write tools (still only for tokens with scope splunk:write)."
    )
    row_limit_default: int = Field(
        default=100, ge=1, le=10_000, description="Rows per page when a call names none."
    )
    row_limit_max: int = Field(default=1000, ge=1, le=50_000, description="Hard cap on rows per page.")
    result_bytes_max: int = Field(
        default=256 * 1024,
        ge=4096,
        le=16 * 1024 * 1024,
        description="Cap on a tool result's serialised size.",
    )
    field_chars_max: int = Field(
        default=4096, ge=64, le=1_000_000, description="Longer field values are cut."
    )
    default_earliest: str = Field(default="-24h", description="Search window start when a query names none.")
    max_search_window_seconds: int | None = Field(
        default=None,
        ge=60,
        description="Widest earliest..latest window a search may ask for; unset = no cap.",
    )
    search_wait_seconds: float = Field(
        default=20.0,
        ge=0,
        le=300,
        description="How long run_search waits for a job before returning its sid.",
    )
    search_job_ttl_seconds: int = Field(
        default=600, ge=60, le=86_400, description="TTL of search jobs we start."
    )
    allow_alert_actions: bool = Field(
        default=False, description="Let run_saved_search trigger a saved search's alert actions."
    )
    spl_denied_commands: CsvList = Field(
        default=(), description="Extra SPL commands to deny (comma-separated)."
    )
    spl_allowed_commands: CsvList = Field(
        default=(), description="If set, only these SPL commands may run (allow-list mode)."
    )

    # --- serving
    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port.")
    path: str = Field(
        default="/mcp", pattern=r"^/[A-Za-z0-9._~/-]*$", description="URL path of the MCP endpoint."
    )
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(default="info")

    @field_validator(
        "issuers",
        "allowed_splunk_hosts",
        "toolsets",
        "spl_denied_commands",
        "spl_allowed_commands",
        mode="before",
    )
    @classmethod
    def _split_csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> ServerSettings:
        if self.keys is None and self.keys_file is None:
            raise ValueError(
                "no token keys: set SPLUNK_MCP_KEYS (a JWK Set) or SPLUNK_MCP_KEYS_FILE / --keys-file "
                "(make one with `splunk-mcp-token keygen`)"
            )
        if self.keys is not None and self.keys_file is not None:
            raise ValueError("set only one of SPLUNK_MCP_KEYS and SPLUNK_MCP_KEYS_FILE / --keys-file")
        if self.row_limit_default > self.row_limit_max:
            raise ValueError("SPLUNK_MCP_ROW_LIMIT_DEFAULT must not exceed SPLUNK_MCP_ROW_LIMIT_MAX")
        return self

    def key_set_json(self) -> str:
        """The JWK Set text, from the variable or the file."""
        if self.keys is not None:
            return self.keys.get_secret_value()
        assert self.keys_file is not None
        try:
            return self.keys_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(
                f"SPLUNK_MCP_KEYS_FILE / --keys-file: cannot read {self.keys_file}: {exc.strerror}"
            ) from None


def load_settings(**overrides: Any) -> ServerSettings:
    """Read the environment (plus CLI overrides) or raise SettingsError naming each bad variable and flag."""
    try:
        return ServerSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        location = [str(part) for part in error["loc"] if part != "__root__"]
        if location:
            name = location[0]
            lines.append(f"{ENV_PREFIX}{name.upper()} / --{name.replace('_', '-')}: {error['msg']}")
        else:
            lines.append(error["msg"].removeprefix("Value error, "))
    return "invalid configuration:\n  " + "\n  ".join(lines)
