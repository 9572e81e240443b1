"""The sandbox splunkd: a threaded HTTP(S) server over real sockets, with splunkd's auth and routing."""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import secrets
import select
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from sandbox import atom
from sandbox.accounts import SANDBOX_TOKENS, USERS, User
from sandbox.catalogue import Catalogue
from sandbox.config import SandboxConfig
from sandbox.control import handle_control
from sandbox.events import EventStore, build_event_store
from sandbox.faults import Fault, FaultSet
from sandbox.http_types import Request, Response, SplunkdError, json_response, xml_response
from sandbox.jobs import AuditRecord, JobRegistry
from sandbox.kvstore import KVStore
from sandbox.rest import Listing, RestApi, render_listing
from sandbox.search_api import SearchApi
from sandbox.tls import generate_certificates

log = logging.getLogger("sandbox")

COMMON_HEADERS = (
    ("Cache-Control", "no-store, must-revalidate, no-cache, max-age=0"),
    ("Expires", "Thu, 26 Oct 1978 00:00:00 GMT"),
    ("Vary", "Authorization"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Server", "Splunkd"),
)


SECRET_PARAMS = frozenset({"password", "oldpassword", "session_key"})


@dataclass
class RequestRecord:
    method: str
    path: str
    params: dict[str, Any]
    auth_scheme: str | None  # "Splunk" | "Bearer" | "Basic" | "Cookie" | None
    user: str | None
    status: int  # 0 when the connection was reset or left hanging


class SessionStore:
    """Login session keys with an absolute lifetime; `expire_all` is the expire_sessions fault."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}

    def issue(self, user: str) -> str:
        key = secrets.token_hex(16)
        with self._lock:
            self._sessions[key] = (user, time.monotonic() + self.ttl)
        return key

    def lookup(self, key: str) -> str | None:
        with self._lock:
            entry = self._sessions.get(key)
            if entry is None:
                return None
            if entry[1] <= time.monotonic():
                del self._sessions[key]
                return None
            return entry[0]

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()


def split_services_path(raw_path: str) -> tuple[list[str], str | None, str | None] | None:
    """(/services parts, owner, app) for /services/... and /servicesNS/{owner}/{app}/...; None otherwise."""
    segments = raw_path.split("/")
    if len(segments) < 2:
        return None
    head = segments[1]
    if head == "services":
        rest, owner, app = segments[2:], None, None
    elif head == "servicesNS" and len(segments) >= 4:
        owner, app, rest = unquote_plus(segments[2]), unquote_plus(segments[3]), segments[4:]
    else:
        return None
    return [unquote_plus(s) for s in rest if s], owner, app


class SplunkdState:
    """Everything one sandbox instance knows: data, knowledge objects, jobs, sessions, faults, logs."""

    def __init__(self, config: SandboxConfig, store: EventStore) -> None:
        self.config = config
        self.store = store
        self.kvstore = KVStore()
        self.catalogue = Catalogue(self.kvstore)
        self.jobs = JobRegistry(default_ttl=config.default_job_ttl)
        self.sessions = SessionStore(config.session_ttl)
        self.faults = FaultSet(self.sessions.expire_all)
        self.requests: list[RequestRecord] = []
        self.audit: list[AuditRecord] = []
        self.stopping = threading.Event()
        self.job_duration = config.job_duration
        self.port = 0
        self.rest_api = RestApi(self)
        self.search_api = SearchApi(self)

    # -- auth -------------------------------------------------------------------------------------

    def authenticate(self, headers: Any) -> tuple[str | None, User | None]:
        """(scheme, user); raises the 401 splunkd sends for a missing or bad credential."""
        auth = headers.get("Authorization")
        if auth:
            scheme, _, cred = auth.strip().partition(" ")
            scheme_l = scheme.lower()
            cred = cred.strip()
            name: str | None = None
            label = scheme
            if scheme_l == "splunk":
                label = "Splunk"
                name = self.sessions.lookup(cred) or SANDBOX_TOKENS.get(cred)
            elif scheme_l == "bearer":
                label = "Bearer"
                name = SANDBOX_TOKENS.get(cred)
            elif scheme_l == "basic":
                label = "Basic"
                try:
                    user_s, _, password = base64.b64decode(cred, validate=True).decode().partition(":")
                except (binascii.Error, UnicodeDecodeError):
                    user_s, password = "", ""
                account = USERS.get(user_s.lower())
                name = (
                    account.name if account and secrets.compare_digest(account.password, password) else None
                )
            if name is None:
                raise SplunkdError(401, "call not properly authenticated", "WARN")
            return label, USERS[name]
        cookie = headers.get("Cookie")
        if cookie:
            for part in cookie.split(";"):
                k, _, v = part.strip().partition("=")
                if k.startswith("splunkd_"):
                    name = self.sessions.lookup(v.strip())
                    if name is None:
                        raise SplunkdError(401, "call not properly authenticated", "WARN")
                    return "Cookie", USERS[name]
        raise SplunkdError(401, "Unauthorized", "ERROR", [("WWW-Authenticate", 'Basic realm="/splunk"')])

    def login(self, req: Request) -> Response:
        username = (req.get("username") or "").lower()
        password = req.get("password") or ""
        account = USERS.get(username)
        if account is None or not secrets.compare_digest(account.password, password):
            raise SplunkdError(401, "Login failed", "WARN")
        key = self.sessions.issue(account.name)
        headers = []
        if req.flag("cookie"):
            secure = "; Secure" if self.config.tls else ""
            headers.append(
                (
                    "Set-Cookie",
                    f"splunkd_{self.port}={key}; Path=/{secure}; HttpOnly; Max-Age={int(self.config.session_ttl)}",
                )
            )
        if req.json_mode:
            return json_response(200, f'{{"sessionKey":"{key}","message":"","code":""}}', headers)
        body = (
            f'<response>\n  <sessionKey>{key}</sessionKey>\n  <messages>\n    <msg code=""></msg>\n'
            "  </messages>\n</response>\n"
        )
        return xml_response(200, body, headers)

    # -- dispatch ---------------------------------------------------------------------------------

    def route(self, req: Request) -> Response | Listing:
        if req.parts[:1] == ["search"]:
            return self.search_api.handle(req)
        return self.rest_api.handle(req)

    def respond(self, req: Request) -> Response:
        result = self.route(req)
        if isinstance(result, Listing):
            return render_listing(req, result, self)
        return result

    def rest_rows(self, user: User, path: str, params: dict[str, str]) -> list[dict[str, object]]:
        """The `rest` search command: GET one of our own endpoints as `user`, one row per entity."""
        if not path.startswith("/"):
            path = "/services/" + path
        split = split_services_path(path.split("?")[0])
        if split is None:
            return []
        parts, owner, app = split
        req = Request(
            "GET",
            path,
            parts,
            owner,
            app,
            {k: [str(v)] for k, v in params.items() if k != "count"},
            user=user,
            internal=True,
        )
        try:
            result = self.route(req)
        except SplunkdError:
            return []
        if not isinstance(result, Listing):
            return []
        rows = [_flatten_entity(e, self.config.server_name) for e in result.entities]
        count = int(params.get("count", 0) or 0)
        return rows[:count] if count > 0 else rows


def _flatten_entity(ent: atom.Entity, server: str) -> dict[str, object]:
    row: dict[str, object] = {
        "title": ent.title if ent.title is not None else ent.name,
        "id": f"{atom.ORIGIN}{ent.href()}",
        "updated": atom.iso_time(ent.updated),
        "author": ent.author or ent.owner,
        "splunk_server": server,
    }

    def put(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                put(f"{key}.{k}", v)
        elif isinstance(value, list | tuple):
            row[key] = [("1" if v else "0") if isinstance(v, bool) else str(v) for v in value]
        elif isinstance(value, bool):
            row[key] = "1" if value else "0"
        elif value is None:
            row[key] = ""
        else:
            row[key] = str(value)

    for k, v in ent.content.items():
        put(k, v)
    put("eai:acl", ent.acl())
    return row


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Splunkd"
    sys_version = ""
    timeout = 120  # idle keep-alive connections
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _handle(self, method: str) -> None:
        state = self.server.state
        raw_path, _, query = self.path.partition("?")
        body = self._read_body()
        if raw_path.startswith("/__sandbox__/"):
            self._write(handle_control(state, method, raw_path, body, self.client_address[0]), None)
            return
        if len(raw_path) > 1 and raw_path.endswith("/"):
            raw_path = raw_path.rstrip("/")
        split = split_services_path(raw_path)
        params = parse_qs(query, keep_blank_values=True)
        content_type = (self.headers.get("Content-Type") or "").lower()
        # splunklib posts forms without a Content-Type; only JSON bodies (KV store) are not form data.
        if body and method in ("POST", "PUT", "PATCH") and "json" not in content_type:
            with contextlib.suppress(UnicodeDecodeError):
                for k, v in parse_qs(body.decode(), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
        parts, owner, app = split if split else ([], None, None)
        req = Request(method, raw_path, parts, owner, app, params, body, content_type)
        fault = state.faults.match(method, (raw_path, req.path)) if split else None
        if fault is not None and not self._apply_fault(fault, req):
            return
        response = self._respond(req, split is not None, fault)
        # Recorded before writing: once a client holds the response, the log already shows its request.
        self._record(req, response.status)
        self._write(response, fault if fault is not None and fault.kind == "slow_stream" else None)

    def _respond(self, req: Request, known: bool, fault: Fault | None) -> Response:
        state = self.server.state
        try:
            if fault is not None and fault.kind == "status":
                raise SplunkdError(fault.status, fault.message or _default_fault_message(fault.status))
            if not known:
                raise SplunkdError(404, "Not Found")
            if req.parts[:2] == ["auth", "login"]:
                if req.method != "POST":
                    raise SplunkdError(405, "Method Not Allowed")
                return state.login(req)
            req.auth_scheme, req.user = state.authenticate(self.headers)
            return state.respond(req)
        except SplunkdError as exc:
            return _error_response(req, exc)
        except Exception:
            log.exception("unhandled error for %s %s", req.method, req.raw_path)
            return _error_response(req, SplunkdError(500, "Internal error in the sandbox; see its log."))

    def _record(self, req: Request, status: int) -> None:
        user = req.user.name if req.user else None
        # Tests read this log (and the control endpoint serves it): never keep a password in it.
        params = {
            k: ("********" if k.lower() in SECRET_PARAMS else v) for k, v in req.single_params().items()
        }
        self.server.state.requests.append(
            RequestRecord(req.method, req.raw_path, params, req.auth_scheme, user, status)
        )

    # -- faults -----------------------------------------------------------------------------------

    def _apply_fault(self, fault: Fault, req: Request) -> bool:
        """Apply a pre-response fault; False when the request must get no answer at all."""
        state = self.server.state
        if fault.kind == "latency":
            state.stopping.wait(fault.seconds)
            return True
        if fault.kind == "reset":
            self._record(req, 0)
            self._reset()
            return False
        if fault.kind == "hang":
            self._record(req, 0)
            while state.faults.active(fault.id) and not state.stopping.is_set():
                if self._client_gone(0.05):
                    break
            self.close_connection = True
            # Answer normally only when the fault was removed while the client still waits.
            return not (state.faults.active(fault.id) or state.stopping.is_set())
        return True

    def _client_gone(self, wait: float) -> bool:
        try:
            ready, _, _ = select.select([self.connection], [], [], wait)
        except (OSError, ValueError):
            return True
        if not ready:
            return False
        if isinstance(self.connection, ssl.SSLSocket):
            return True
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _reset(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, response: Response, slow: Fault | None) -> None:
        closing = self.close_connection or self.request_version == "HTTP/1.0"
        streaming = not isinstance(response.body, bytes | bytearray)
        if streaming and self.request_version == "HTTP/1.0":
            closing = True
        head = [
            f"HTTP/1.1 {response.status} {_reason(response.status)}\r\n",
            f"Date: {formatdate(usegmt=True)}\r\n",
        ]
        head.extend(f"{k}: {v}\r\n" for k, v in COMMON_HEADERS)
        head.extend(f"{k}: {v}\r\n" for k, v in response.headers)
        if response.status != 204:
            head.append(f"Content-Type: {response.content_type}\r\n")
        if streaming and not closing:
            head.append("Transfer-Encoding: chunked\r\n")
        elif not streaming:
            head.append(f"Content-Length: {len(response.body)}\r\n")  # type: ignore[arg-type]  # bytes here
        head.append("Connection: Close\r\n\r\n" if closing else "Connection: Keep-Alive\r\n\r\n")
        self.close_connection = closing
        header_bytes = "".join(head).encode("latin-1")
        try:
            if not streaming:
                body = bytes(response.body)  # type: ignore[arg-type]  # checked above
                if slow is None:
                    self.wfile.write(header_bytes + body)
                else:
                    self.wfile.write(header_bytes)
                    self._slow_write(body, slow, chunked=False)
                return
            self.wfile.write(header_bytes)
            assert isinstance(response.body, Iterator)
            for piece in response.body:
                if not piece:
                    continue
                if slow is not None:
                    self._slow_write(piece, slow, chunked=not closing)
                elif closing:
                    self.wfile.write(piece)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            if not closing:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def _slow_write(self, data: bytes, fault: Fault, *, chunked: bool) -> None:
        size = max(fault.chunk_size, 1)
        if fault.chunk_delay is not None:
            delay = fault.chunk_delay
        elif fault.bytes_per_second:
            delay = size / fault.bytes_per_second
        else:
            delay = 0.05
        stop = self.server.state.stopping
        for start in range(0, len(data), size):
            piece = data[start : start + size]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if stop.wait(delay):
                return

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()


def _default_fault_message(status: int) -> str:
    return {
        400: "Bad Request",
        401: "call not properly authenticated",
        403: "Forbidden",
        404: "Not Found",
        429: "Too many search jobs queued. Try again later.",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable: splunkd is restarting",
        504: "Gateway Timeout",
    }.get(status, _reason(status))


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _error_response(req: Request, exc: SplunkdError) -> Response:
    if req.json_mode:
        return json_response(exc.status, atom.messages_json([(exc.msg_type, exc.message)]), exc.headers)
    return xml_response(exc.status, atom.messages_xml([(exc.msg_type, exc.message)]), exc.headers)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self, address: tuple[str, int], state: SplunkdState, ssl_context: ssl.SSLContext | None
    ) -> None:
        self.state = state
        self.ssl_context = ssl_context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS handshakes happen here, in the connection's own thread, so a slow client never blocks accept().
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake failed from %s: %s", client_address, exc)
                with contextlib.suppress(OSError):
                    request.close()
                return
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            with self._open_lock:
                self._open.discard(request)
            with contextlib.suppress(OSError):
                request.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Sandbox:
    """A running sandbox splunkd. Use as a context manager, or call start()/stop()."""

    def __init__(self, config: SandboxConfig | None = None, *, store: EventStore | None = None) -> None:
        self.config = config or SandboxConfig()
        self._store = store
        self._state: SplunkdState | None = None
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self.ca_pem: str | None = None
        self.ca_file: str | None = None
        self.startup_seconds = 0.0

    def start(self) -> Sandbox:
        started = time.perf_counter()
        cfg = self.config
        store = self._store or build_event_store(seed=cfg.seed, count=cfg.event_count, days=cfg.days)
        state = SplunkdState(cfg, store)
        context = None
        if cfg.tls:
            directory = cfg.cert_dir
            if directory is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="splunk-sandbox-")
                directory = self._tmpdir.name
            certs = generate_certificates(directory)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certs.cert_file, certs.key_file)
            self.ca_pem, self.ca_file = certs.ca_pem, certs.ca_file
        self._server = SandboxHTTPServer((cfg.host, cfg.port), state, context)
        state.port = self._server.server_address[1]
        self._state = state
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"sandbox-splunkd-{state.port}",
            daemon=True,
        )
        self._thread.start()
        self.startup_seconds = time.perf_counter() - started
        log.info(
            "sandbox splunkd listening on %s (%d events, %.2fs)", self.url, len(store), self.startup_seconds
        )
        return self

    def stop(self) -> None:
        if self._server is None or self._state is None:
            return
        self._state.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._state.jobs.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
        self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def state(self) -> SplunkdState:
        if self._state is None:
            raise RuntimeError("the sandbox is not started")
        return self._state

    @property
    def port(self) -> int:
        return self.state.port

    @property
    def host(self) -> str:
        return "localhost" if self.config.tls else self.config.host

    @property
    def url(self) -> str:
        scheme = "https" if self.config.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def store(self) -> EventStore:
        return self.state.store

    @property
    def faults(self) -> FaultSet:
        return self.state.faults

    @property
    def requests(self) -> list[RequestRecord]:
        return self.state.requests

    @property
    def audit(self) -> list[AuditRecord]:
        return self.state.audit

    @property
    def job_duration(self) -> float:
        return self.state.job_duration

    @job_duration.setter
    def job_duration(self, seconds: float) -> None:
        self.state.job_duration = float(seconds)
