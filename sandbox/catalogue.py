"""The sandbox's knowledge objects: apps, macros, saved searches, alerts, lookups, dashboards, data models."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.kvstore import KVStore


@dataclass
class KnowledgeObject:
    """A named configuration object with the ACL splunkd attaches to it."""

    name: str
    content: dict[str, Any]
    app: str = "search"
    owner: str = "nobody"
    sharing: str = "app"
    perms: dict[str, list[str]] = field(default_factory=lambda: {"read": ["*"], "write": ["admin", "power"]})
    updated: float = field(default_factory=time.time)


@dataclass
class FiredAlert:
    savedsearch_name: str
    sid: str
    trigger_time: float
    severity: int
    alert_type: str
    actions: str
    digest_mode: bool = True
    triggered_alerts: int = 1


APPS = [
    KnowledgeObject(
        "launcher",
        {"label": "Home", "version": "9.3.2", "visible": True, "configured": True, "description": "Home app"},
        app="system",
        sharing="app",
    ),
    KnowledgeObject(
        "search",
        {
            "label": "Search & Reporting",
            "version": "9.3.2",
            "visible": True,
            "configured": True,
            "description": "The Search app",
        },
        app="system",
        sharing="app",
    ),
    KnowledgeObject(
        "sandbox_app",
        {
            "label": "Sandbox Operations",
            "version": "1.0.0",
            "visible": True,
            "configured": True,
            "description": "Dashboards and lookups for the sandbox's sample data",
        },
        app="system",
        sharing="app",
    ),
]
for _app in APPS:
    _app.content.update(
        {
            "author": "Splunk" if _app.name != "sandbox_app" else "sandbox",
            "check_for_updates": False,
            "disabled": False,
            "state_change_requires_restart": False,
            "details": "",
            "core": _app.name != "sandbox_app",
        }
    )

MACROS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("web_errors", (), "index=web status>=500", "Server-side errors in the web tier"),
    ("by_host(1)", ("h",), "index=web host=$h$", "Web events of one host"),
    ("sneaky_delete", (), "index=main | delete", "Looks harmless, deletes events"),
    ("nested_sneaky", (), "`sneaky_delete`", "A macro that expands to another macro that deletes"),
    ("outputs_lookup", (), "| outputlookup evil.csv", "Writes a lookup file"),
    ("failed_logins", (), "index=security action=failure", "Failed authentication attempts"),
]

SAVED_SEARCHES: list[dict[str, Any]] = [
    {
        "name": "Errors last hour",
        "search": "search index=app log_level=ERROR earliest=-1h",
        "description": "Application errors in the last hour; emails the on-call engineer.",
        "is_scheduled": True,
        "cron_schedule": "*/15 * * * *",
        "alert_type": "number of events",
        "alert_comparator": "greater than",
        "alert_threshold": "0",
        "alert.severity": 4,
        "actions": "email",
        "action.email": True,
        "action.email.to": "oncall@sandbox.example",
        "dispatch.earliest_time": "-1h",
        "dispatch.latest_time": "now",
        "fired": 3,
    },
    {
        "name": "Failed logins by source",
        "search": "search index=security action=failure | stats count by src_ip | sort -count",
        "description": "Sources of failed logins; alerts the SOC when any source appears.",
        "is_scheduled": True,
        "cron_schedule": "0 * * * *",
        "alert_type": "number of results",
        "alert_comparator": "greater than",
        "alert_threshold": "0",
        "alert.severity": 5,
        "actions": "email,webhook",
        "action.email": True,
        "action.email.to": "soc@sandbox.example",
        "action.webhook": True,
        "action.webhook.param.url": "https://hooks.sandbox.example/soc",
        "dispatch.earliest_time": "-24h",
        "dispatch.latest_time": "now",
        "fired": 2,
        "owner": "secops",
        "app": "sandbox_app",
    },
    {
        "name": "Purge old events",
        "search": "search index=main | delete",
        "description": "Deletes events from main. Not scheduled; kept for the guardrail tests.",
        "is_scheduled": False,
        "dispatch.earliest_time": "-30d",
        "dispatch.latest_time": "-7d",
    },
    {
        "name": "Export assets",
        "search": "| inputlookup assets | outputlookup assets_copy.csv",
        "description": "Copies the assets KV store collection into a CSV lookup.",
        "is_scheduled": False,
    },
    {
        "name": "Web traffic by status",
        "search": "search index=web | stats count by status",
        "description": "Report: web requests by HTTP status.",
        "is_scheduled": False,
        "dispatch.earliest_time": "-24h",
        "dispatch.latest_time": "now",
        "display.visualizations.charting.chart": "column",
    },
]

SAVED_SEARCH_DEFAULTS: dict[str, Any] = {
    "action.email": False,
    "action.email.to": "",
    "action.script": False,
    "action.webhook": False,
    "actions": "",
    "alert.digest_mode": True,
    "alert.expires": "24h",
    "alert.severity": 3,
    "alert.suppress": False,
    "alert.track": False,
    "alert_comparator": "",
    "alert_condition": "",
    "alert_threshold": "",
    "alert_type": "always",
    "auto_summarize": False,
    "cron_schedule": "",
    "description": "",
    "disabled": False,
    "dispatch.earliest_time": "",
    "dispatch.latest_time": "",
    "dispatch.ttl": "2p",
    "is_scheduled": False,
    "is_visible": True,
    "max_concurrent": 1,
    "next_scheduled_time": "",
    "qualifiedSearch": "",
    "realtime_schedule": True,
    "request.ui_dispatch_app": "",
    "request.ui_dispatch_view": "",
    "restart_on_searchpeer_add": True,
    "run_on_startup": False,
    "schedule_window": "0",
    "search": "",
    "triggered_alert_count": 0,
}

EVENTTYPES = [
    ("web_error", "index=web status>=500", "Server-side errors in the web tier", ["error", "web"]),
    (
        "failed_login",
        "index=security action=failure",
        "Failed authentication attempts",
        ["authentication", "failure"],
    ),
]

HTTP_STATUS_ROWS = [
    ("200", "OK"),
    ("201", "Created"),
    ("204", "No Content"),
    ("301", "Moved Permanently"),
    ("302", "Found"),
    ("304", "Not Modified"),
    ("400", "Bad Request"),
    ("401", "Unauthorized"),
    ("403", "Forbidden"),
    ("404", "Not Found"),
    ("405", "Method Not Allowed"),
    ("408", "Request Timeout"),
    ("429", "Too Many Requests"),
    ("500", "Internal Server Error"),
    ("502", "Bad Gateway"),
    ("503", "Service Unavailable"),
    ("504", "Gateway Timeout"),
]

ASSETS = [
    ("web-01", "platform-team", "high", "10.0.1.11"),
    ("web-02", "platform-team", "high", "10.0.1.12"),
    ("web-03", "platform-team", "medium", "10.0.1.13"),
    ("web-04", "platform-team", "medium", "10.0.1.14"),
    ("app-01", "payments-team", "critical", "10.0.2.21"),
    ("app-02", "payments-team", "critical", "10.0.2.22"),
    ("app-03", "payments-team", "high", "10.0.2.23"),
    ("db-01", "data-team", "critical", "10.0.3.31"),
    ("db-02", "data-team", "critical", "10.0.3.32"),
    ("bastion-01", "secops", "critical", "10.0.7.71"),
    ("dc-01", "identity-team", "critical", "10.0.4.41"),
    ("mail-01", "it-ops", "medium", "10.0.6.61"),
]

WEB_OVERVIEW_XML = """<dashboard version="1.1" theme="light">
  <label>Web overview</label>
  <description>Traffic, errors and latency of the web tier.</description>
  <row>
    <panel>
      <title>Requests by status</title>
      <chart>
        <search>
          <query>index=web | timechart span=1h count by status</query>
          <earliest>-24h@h</earliest>
          <latest>now</latest>
        </search>
        <option name="charting.chart">column</option>
      </chart>
    </panel>
    <panel>
      <title>Server errors</title>
      <single>
        <search>
          <query>`web_errors` | stats count</query>
          <earliest>-24h@h</earliest>
          <latest>now</latest>
        </search>
      </single>
    </panel>
  </row>
  <row>
    <panel>
      <title>Top URIs</title>
      <table>
        <search>
          <query>index=web | top limit=10 uri</query>
          <earliest>-24h@h</earliest>
          <latest>now</latest>
        </search>
      </table>
    </panel>
  </row>
</dashboard>"""

SECURITY_POSTURE_JSON = {
    "title": "Security posture",
    "description": "Failed logins and their sources (Dashboard Studio).",
    "dataSources": {
        "ds_failed": {
            "type": "ds.search",
            "options": {
                "query": "`failed_logins` | timechart span=1h count",
                "queryParameters": {"earliest": "-24h@h", "latest": "now"},
            },
        },
        "ds_sources": {
            "type": "ds.search",
            "options": {
                "query": "index=security action=failure | stats count by src_ip | sort -count | head 10"
            },
        },
    },
    "visualizations": {
        "viz_failed": {
            "type": "splunk.line",
            "title": "Failed logins per hour",
            "dataSources": {"primary": "ds_failed"},
        },
        "viz_sources": {
            "type": "splunk.table",
            "title": "Top sources",
            "dataSources": {"primary": "ds_sources"},
        },
    },
    "inputs": {},
    "layout": {
        "type": "grid",
        "structure": [
            {"item": "viz_failed", "type": "block", "position": {"x": 0, "y": 0, "w": 1200, "h": 300}},
            {"item": "viz_sources", "type": "block", "position": {"x": 0, "y": 300, "w": 1200, "h": 300}},
        ],
    },
}

WEB_DATAMODEL = {
    "modelName": "Web",
    "displayName": "Web",
    "description": "Web server access events",
    "editable": True,
    "objectNameList": ["Web"],
    "objectSummary": {"Event-Based": 1, "Transaction-Based": 0, "Search-Based": 0},
    "objects": [
        {
            "objectName": "Web",
            "displayName": "Web",
            "parentName": "BaseEvent",
            "comment": "",
            "constraints": [{"search": "index=web sourcetype=access_combined", "owner": "Web"}],
            "fields": [
                {
                    "fieldName": f,
                    "owner": "Web",
                    "type": t,
                    "required": False,
                    "multivalue": False,
                    "hidden": False,
                    "editable": True,
                    "displayName": f,
                    "comment": "",
                    "fieldSearch": "",
                }
                for f, t in (
                    ("status", "number"),
                    ("method", "string"),
                    ("uri", "string"),
                    ("clientip", "ipv4"),
                    ("bytes", "number"),
                    ("response_time", "number"),
                    ("host", "string"),
                )
            ],
            "calculations": [],
            "lineage": "Web",
        }
    ],
}


def _sid_hash(name: str) -> str:
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:16]


class Catalogue:
    """Knowledge objects by kind; mutable (saved-search CRUD), guarded by one lock."""

    def __init__(self, kvstore: KVStore, now: float | None = None) -> None:
        self.lock = threading.RLock()
        self.kvstore = kvstore
        now = time.time() if now is None else now
        self.apps = {a.name: a for a in APPS}
        self.macros: dict[str, KnowledgeObject] = {}
        for name, args, definition, description in MACROS:
            content: dict[str, Any] = {
                "definition": definition,
                "iseval": False,
                "description": description,
                "disabled": False,
            }
            if args:
                content["args"] = ",".join(args)
            self.macros[name] = KnowledgeObject(name, content)
        self.saved_searches: dict[str, KnowledgeObject] = {}
        self.fired_alerts: list[FiredAlert] = []
        self.history: dict[str, list[str]] = {}
        for spec in SAVED_SEARCHES:
            spec = dict(spec)
            fired = spec.pop("fired", 0)
            owner = spec.pop("owner", "admin")
            app = spec.pop("app", "search")
            name = spec.pop("name")
            content = {**SAVED_SEARCH_DEFAULTS, **spec, "qualifiedSearch": spec["search"]}
            if content["is_scheduled"]:
                content["next_scheduled_time"] = time.strftime(
                    "%Y-%m-%d %H:%M:00 UTC", time.gmtime(now + 900)
                )
            content["triggered_alert_count"] = fired
            self.saved_searches[name] = KnowledgeObject(
                name,
                content,
                app=app,
                owner=owner,
                sharing="app",
                perms={"read": ["*"], "write": ["admin", owner]},
            )
            for n in range(fired):
                t = int(now - 3600 * (n + 1) - 120 * n)
                self.fired_alerts.append(
                    FiredAlert(
                        name,
                        f"scheduler__{owner}__{app}__RMD5{_sid_hash(name)}_at_{t}_{100 + n}",
                        t,
                        int(content["alert.severity"]),
                        content["alert_type"],
                        content["actions"],
                    )
                )
        self.eventtypes = {
            n: KnowledgeObject(
                n,
                {"search": s, "description": d, "tags": tags, "priority": 1, "disabled": False, "color": ""},
            )
            for n, s, d, tags in EVENTTYPES
        }
        self.views = {
            "web_overview": KnowledgeObject(
                "web_overview",
                {
                    "eai:data": WEB_OVERVIEW_XML,
                    "label": "Web overview",
                    "isDashboard": True,
                    "isVisible": True,
                    "version": "1.1",
                    "rootNode": "dashboard",
                    "description": "Traffic, errors and latency of the web tier.",
                },
                app="sandbox_app",
            ),
            "security_posture": KnowledgeObject(
                "security_posture",
                {
                    "eai:data": '<dashboard version="2" theme="dark">\n  <label>Security posture</label>\n'
                    "  <description>Failed logins and their sources.</description>\n"
                    f"  <definition><![CDATA[{json.dumps(SECURITY_POSTURE_JSON, indent=2)}]]></definition>\n"
                    "</dashboard>",
                    "label": "Security posture",
                    "isDashboard": True,
                    "isVisible": True,
                    "version": "2",
                    "rootNode": "dashboard",
                    "description": "Failed logins and their sources.",
                },
                app="sandbox_app",
                owner="secops",
            ),
        }
        self.datamodels = {
            "Web": KnowledgeObject(
                "Web",
                {
                    "description": json.dumps(WEB_DATAMODEL),
                    "displayName": "Web",
                    "acceleration": json.dumps(
                        {"enabled": False, "earliest_time": "", "cron_schedule": "*/5 * * * *"}
                    ),
                    "dataset.type": "datamodel",
                    "dataset.description": "Web server access events",
                    "dataset.display_name": "Web",
                },
                app="search",
            )
        }
        self.lookup_files: dict[str, list[dict[str, str]]] = {
            "http_status.csv": [{"status": s, "status_description": d} for s, d in HTTP_STATUS_ROWS],
            "known_hosts.csv": [
                {
                    "host": h,
                    "owner": o,
                    "criticality": c,
                    "environment": "production" if c != "medium" else "staging",
                }
                for h, o, c, _ in ASSETS
            ],
        }
        self.lookup_file_objects = {
            n: KnowledgeObject(
                n, {"eai:data": f"$SPLUNK_HOME/etc/apps/search/lookups/{n}", "disabled": False}
            )
            for n in self.lookup_files
        }
        self.lookup_defs = {
            "http_status": KnowledgeObject(
                "http_status",
                {
                    "filename": "http_status.csv",
                    "type": "file",
                    "fields_list": "status, status_description",
                    "disabled": False,
                },
            ),
            "known_hosts": KnowledgeObject(
                "known_hosts",
                {
                    "filename": "known_hosts.csv",
                    "type": "file",
                    "fields_list": "host, owner, criticality, environment",
                    "disabled": False,
                },
            ),
            "assets": KnowledgeObject(
                "assets",
                {
                    "collection": "assets",
                    "external_type": "kvstore",
                    "type": "external",
                    "fields_list": "_key, host, owner, criticality, ip",
                    "disabled": False,
                },
            ),
        }
        coll = kvstore.create(
            "search",
            "assets",
            {"host": "string", "owner": "string", "criticality": "string", "ip": "cidr"},
            {"host": '{"host": 1}'},
        )
        for host, owner, crit, ip in ASSETS:
            kvstore.insert(coll, {"_key": host, "host": host, "owner": owner, "criticality": crit, "ip": ip})

    # -- lookups used by the search environment ---------------------------------------------------

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        with self.lock:
            if name in self.lookup_files:
                return [dict(r) for r in self.lookup_files[name]]
            definition = self.lookup_defs.get(name)
            if definition is None:
                return None
            if definition.content.get("filename"):
                return [dict(r) for r in self.lookup_files.get(definition.content["filename"], [])]
            coll_name = definition.content.get("collection")
        coll = self.kvstore.find(definition.app, coll_name) if coll_name else None
        if coll is None:
            return None
        return [
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in d.items() if k != "_user"}
            for d in self.kvstore.query(coll)
        ]

    def fire_alert(self, name: str, sid: str, results: int) -> None:
        """A dispatch with trigger_actions fires the alert when its condition (any result) holds."""
        with self.lock:
            obj = self.saved_searches.get(name)
            if obj is None or results <= 0:
                return
            content = obj.content
            self.fired_alerts.append(
                FiredAlert(
                    name,
                    sid,
                    int(time.time()),
                    int(content.get("alert.severity") or 3),
                    str(content.get("alert_type") or "always"),
                    str(content.get("actions") or ""),
                )
            )
            content["triggered_alert_count"] = int(content.get("triggered_alert_count") or 0) + 1

    def saved_search_query(self, name: str) -> str | None:
        with self.lock:
            ss = self.saved_searches.get(name)
            return None if ss is None else str(ss.content["search"])
