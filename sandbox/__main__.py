"""`python -m sandbox` / `splunk-sandbox`: run the sandbox splunkd until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

from sandbox.config import SandboxConfig
from sandbox.server import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="splunk-sandbox", description="A local stand-in for splunkd's REST API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA (see ca_file)")
    parser.add_argument("--cert-dir", default=None, help="where to write ca.pem/server.pem/server.key")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--events", type=int, default=250_000, help="number of sample events")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument(
        "--job-duration", type=float, default=0.0, help="seconds a normal job takes to finish"
    )
    parser.add_argument("--session-ttl", type=float, default=3600.0)
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        tls=args.tls,
        cert_dir=args.cert_dir,
        seed=args.seed,
        event_count=args.events,
        days=args.days,
        job_duration=args.job_duration,
        session_ttl=args.session_ttl,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sandbox = Sandbox(config).start()
    try:
        print(json.dumps({"url": sandbox.url, "ca_file": sandbox.ca_file, "pid": os.getpid()}), flush=True)
        stop.wait()
    finally:
        sandbox.stop()
    logging.getLogger("sandbox").info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
