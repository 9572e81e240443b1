"""Settings of one sandbox splunkd instance; the defaults give the demo's data set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = pick a free port
    tls: bool = False
    cert_dir: str | None = None  # where the generated CA/server PEMs go (a temp dir when None)
    seed: int = 42
    event_count: int = 250_000
    days: int = 7
    job_duration: float = 0.0  # seconds a normal-mode job takes from QUEUED to DONE
    session_ttl: float = 3600.0  # seconds a login session key stays valid
    version: str = "9.3.2"  # numeric, so splunklib picks the v2 search API
    build: str = "d8bb32809498"
    server_name: str = "sandbox-splunk"
    # Real splunkd answers 204 to a job GET right after dispatch; 0 turns the quirk off.
    not_ready_window: float = 0.05
    default_job_ttl: int = 600
