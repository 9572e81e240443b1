"""`splunk-mcp`: serve over HTTP (uvicorn) or stdio, or run the sandbox demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from server.settings import ENV_PREFIX, ServerSettings, SettingsError, load_settings

# CLI flags that map onto settings fields (the flag is --field-name, the variable SPLUNK_MCP_FIELD_NAME).
SERVE_FLAGS = {
    "host": str,
    "port": int,
    "workers": int,
    "path": str,
    "keys_file": str,
    "audience": str,
    "toolsets": str,
    "allowed_splunk_hosts": str,
    "log_level": str,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="splunk-mcp", description="A stateless MCP server for Splunk.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Run the server (HTTP by default, or stdio).")
    serve.add_argument(
        "--transport",
        choices=["http", "stdio"],
        default="http",
        help="http (stateless Streamable HTTP) or stdio (token from SPLUNK_MCP_TOKEN).",
    )
    for name, kind in SERVE_FLAGS.items():
        serve.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=kind,
            default=None,
            help=f"overrides {ENV_PREFIX}{name.upper()}",
        )
    serve.add_argument(
        "--enable-write-tools",
        action="store_true",
        default=None,
        help=f"overrides {ENV_PREFIX}ENABLE_WRITE_TOOLS",
    )
    demo = commands.add_parser(
        "demo", help="Start the sandbox Splunk and the server, mint a token, print a curl."
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--sandbox-port", type=int, default=0)
    demo.add_argument("--events", type=int, default=200_000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from server.demo import run_demo

        return run_demo(port=args.port, sandbox_port=args.sandbox_port, events=args.events)
    overrides = {name: getattr(args, name) for name in [*SERVE_FLAGS, "enable_write_tools"]}
    try:
        settings = load_settings(**overrides)
        if args.transport == "stdio":
            return _serve_stdio(settings)
        return _serve_http(settings, overrides)
    except SettingsError as exc:
        print(f"splunk-mcp: {exc}", file=sys.stderr)
        return 2


def _serve_http(settings: ServerSettings, overrides: dict[str, Any]) -> int:
    import uvicorn

    from server.app import build_runtime, build_server, create_app

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    build_server(build_runtime(settings))  # validate keys and toolsets now: refuse to start on a bad config
    if settings.workers > 1:
        # Workers are separate processes that read the environment: hand the flags over through it.
        for name, value in overrides.items():
            if value is not None:
                os.environ[f"{ENV_PREFIX}{name.upper()}"] = str(value)
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            server_header=False,
        )
    else:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            server_header=False,
        )
    return 0


def _serve_stdio(settings: ServerSettings) -> int:
    from server.app import build_runtime, build_server
    from server.auth import TokenRejected, decode_token

    token = os.environ.get(f"{ENV_PREFIX}TOKEN", "").strip()
    if not token:
        raise SettingsError(f"{ENV_PREFIX}TOKEN: stdio needs the token in this variable")
    runtime = build_runtime(settings, stdio_token=token)
    try:
        decode_token(runtime.ring, token, runtime.token_policy)
    except TokenRejected as rejection:
        raise SettingsError(f"{ENV_PREFIX}TOKEN: {rejection.reason}") from None
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)
    build_server(runtime).run(transport="stdio", show_banner=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
