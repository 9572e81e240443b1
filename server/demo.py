"""The one-command demo: a sandbox Splunk (TLS), a fresh key, a minted token, the server, a curl.

Nothing here is special-cased in the server: the demo uses the same key file, the same `mint`
codec and the same ASGI app as a production deployment; only the Splunk is the local sandbox.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
import uuid
from pathlib import Path

DEMO_DIR = Path(".demo")
DEMO_QUERY = "index=web status>=500 | stats count by host | sort -count"


def curl_command(url: str, token: str, name: str, arguments: dict) -> str:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    )
    return (
        f"curl -s {url} -H 'Content-Type: application/json' -H 'Accept: application/json' "
        f"-H 'Authorization: Bearer {token}' -d {shlex.quote(body)}"
    )


def run_demo(port: int = 8000, sandbox_port: int = 0, events: int = 200_000) -> int:
    import uvicorn

    from sandbox import Sandbox, SandboxConfig
    from server.app import create_app
    from server.auth import TokenKeyRing, mint_token, new_jwk
    from server.settings import load_settings

    DEMO_DIR.mkdir(exist_ok=True)
    started = time.monotonic()
    print(f"starting the sandbox Splunk ({events:,} sample events, TLS with its own CA)…", file=sys.stderr)
    sandbox = Sandbox(
        SandboxConfig(port=sandbox_port, tls=True, event_count=events, cert_dir=str(DEMO_DIR / "tls"))
    )
    sandbox.start()
    try:
        keys_file = DEMO_DIR / "keys.json"
        keys_file.write_text(json.dumps({"keys": [new_jwk("demo")]}), encoding="utf-8")
        keys_file.chmod(0o600)
        ring = TokenKeyRing.from_json(keys_file.read_text(encoding="utf-8"))
        now = int(time.time())
        token = mint_token(
            ring,
            {
                "iss": "splunk-mcp-demo",
                "aud": "splunk-mcp",
                "sub": "demo-user",
                "iat": now,
                "exp": now + 8 * 3600,
                "jti": uuid.uuid4().hex,
                "scope": "splunk:read",
                "splunk": {
                    "url": sandbox.url,
                    "ca_pem": sandbox.ca_pem,
                    "auth": {"type": "bearer", "token": "sbx-admin-token"},
                },
            },
        )
        (DEMO_DIR / "token").write_text(token + "\n", encoding="utf-8")
        settings = load_settings(keys_file=str(keys_file), port=port, log_level="warning")
        app = create_app(settings)
        url = f"http://127.0.0.1:{port}{settings.path}"
        print(
            f"\nsandbox Splunk: {sandbox.url}   (ready in {time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )
        print(
            f"MCP server:     {url}   (stateless; key in {keys_file}, token in {DEMO_DIR / 'token'})\n",
            file=sys.stderr,
        )
        print("Try it (copy and paste):\n")
        print(curl_command(url, token, "run_search", {"query": DEMO_QUERY, "earliest_time": "-24h"}))
        print(
            "\nOr list the tools:  "
            f"curl -s {url} -H 'Content-Type: application/json' -H 'Accept: application/json' "
            f'-H "Authorization: Bearer $(cat {DEMO_DIR / "token"})" '
            '-d \'{"jsonrpc":"2.0","id":1,"method":"tools/list"}\'\n'
        )
        print("Ctrl-C stops the demo.", file=sys.stderr)
        sys.stdout.flush()
        uvicorn.run(
            app, host="127.0.0.1", port=port, log_level=os.environ.get("SPLUNK_MCP_LOG_LEVEL", "warning")
        )
    finally:
        sandbox.stop()
    return 0
