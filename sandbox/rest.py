"""splunkd's configuration endpoints: server, auth, indexes, apps, knowledge objects, confs, KV store."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from sandbox import atom
from sandbox.accounts import (
    ROLES,
    USERS,
    User,
    capabilities_of,
    imported_capabilities,
    readable_indexes,
    role_closure,
)
from sandbox.atom import Entity
from sandbox.catalogue import SAVED_SEARCH_DEFAULTS, KnowledgeObject
from sandbox.http_types import Request, Response, SplunkdError, json_response, xml_response
from sandbox.kvstore import KVError

if TYPE_CHECKING:
    from sandbox.server import SplunkdState

PAGE_ALL = 10_000_000  # splunkd's itemsPerPage when count<=0


@dataclass
class Listing:
    """A collection (or single-entity) GET before rendering; the `rest` search command reads these too."""

    entities: list[Entity]
    title: str
    single: bool = False
    create_link: bool = True
    messages: list[tuple[str, str]] = field(default_factory=list)


def is_admin(user: User) -> bool:
    return "admin_all_objects" in capabilities_of(user)


def visible_in_namespace(obj: KnowledgeObject, req: Request) -> bool:
    # /servicesNS/-/-/ and the system namespace see everything; an app context sees its own and global objects.
    if req.app not in (None, "-", "system") and obj.app != req.app and obj.sharing != "global":
        return False
    return not (req.owner not in (None, "-", "nobody") and obj.sharing == "user" and obj.owner != req.owner)


def ko_entity(obj: KnowledgeObject, path: str, links: tuple[str, ...] = ("list", "edit", "remove")) -> Entity:
    content = dict(obj.content)
    content.setdefault("eai:appName", obj.app)
    content.setdefault("eai:userName", obj.owner)
    return Entity(
        obj.name,
        content,
        path,
        owner=obj.owner,
        app=obj.app,
        sharing=obj.sharing,
        perms=obj.perms,
        links=links,
        updated=obj.updated,
    )


def _search_filter(entities: list[Entity], expr: str) -> list[Entity]:
    """splunkd's `search=` collection filter: `key=value` globs and bare substrings, all ANDed."""
    terms = [t for t in re.findall(r'(?:[^\s"]+="[^"]*"|"[^"]*"|\S+)', expr) if t.upper() != "AND"]

    def ok(ent: Entity) -> bool:
        for term in terms:
            key, eq, value = term.partition("=")
            if eq and re.fullmatch(r"[\w.:]+", key):
                value = value.strip('"')
                candidates = [ent.name] if key in ("name", "title") else [ent.content.get(key)]
                if key.startswith("eai:acl."):
                    candidates = [ent.acl().get(key[8:])]
                if not any(c is not None and fnmatchcase(str(c).lower(), value.lower()) for c in candidates):
                    return False
            else:
                needle = term.strip('"').lower().replace("*", "")
                hay = [ent.name, *(str(v) for v in ent.content.values() if isinstance(v, str | int | float))]
                if not any(needle in h.lower() for h in hay):
                    return False
        return True

    return [e for e in entities if ok(e)]


def render_listing(req: Request, listing: Listing, state: SplunkdState) -> Response:
    entities = listing.entities
    search = req.get("search")
    if search:
        entities = _search_filter(entities, search)
    sort_key = req.get("sort_key")
    if sort_key:
        reverse = (req.get("sort_dir") or "asc").lower() == "desc"
        numeric = (req.get("sort_mode") or "").lower() == "num"

        def key(e: Entity) -> Any:
            v = e.name if sort_key in ("name", "title") else e.content.get(sort_key)
            if numeric:
                try:
                    return float(v)  # type: ignore[arg-type]  # non-numbers sort last below
                except (TypeError, ValueError):
                    return float("inf")
            return str(v if v is not None else "").lower()

        entities = sorted(entities, key=key, reverse=reverse)
    total = len(entities)
    count_raw = req.get("count")
    count = 30 if count_raw in (None, "") else req.int("count", 30)
    offset = max(req.int("offset", 0), 0)
    page = entities[offset:] if count <= 0 else entities[offset : offset + count]
    per_page = PAGE_ALL if count < 0 else count
    common = {
        "request_path": req.raw_path.rstrip("/") or "/services",
        "entries": page,
        "total": total,
        "items_per_page": per_page,
        "offset": offset,
        "version": state.config.version,
        "build": state.config.build,
        "create_link": listing.create_link,
        "messages": listing.messages,
    }
    if req.json_mode:
        return json_response(200, atom.feed_json(single=listing.single, **common))
    return xml_response(200, atom.feed_xml(title=listing.title, **common))


def not_found(handler: str, name: str) -> SplunkdError:
    return SplunkdError(404, f"In handler '{handler}': Could not find object id={name}")


class RestApi:
    """Everything except search: each handler returns a Listing (GET) or a Response."""

    def __init__(self, state: SplunkdState) -> None:
        self.state = state
        self.started = time.time()
        routes: dict[tuple[str, ...], Callable[[Request, list[str]], Listing | Response]] = {
            ("server", "info"): self.server_info,
            ("server", "health", "splunkd"): self.health,
            ("server", "health"): self.health,
            ("authentication", "current-context"): self.current_context,
            ("authentication", "users"): self.users,
            ("authorization", "roles"): self.roles,
            ("authorization", "capabilities"): self.capabilities,
            ("messages",): self.messages,
            ("data", "indexes"): self.indexes,
            ("apps", "local"): self.apps,
            ("saved", "searches"): self.saved_searches,
            ("saved", "eventtypes"): self.eventtypes,
            ("alerts", "fired_alerts"): self.fired_alerts,
            ("data", "ui", "views"): self.views,
            ("datamodel", "model"): self.datamodels,
            ("data", "lookup-table-files"): self.lookup_files,
            ("data", "transforms", "lookups"): self.lookup_defs,
            ("properties",): self.properties,
            ("storage", "collections", "config"): self.kv_config,
            ("storage", "collections", "data"): self.kv_data,
        }
        # Longest prefix first so server/health/splunkd wins over server/health.
        self.routes = sorted(routes.items(), key=lambda kv: -len(kv[0]))

    def handle(self, req: Request) -> Listing | Response:
        parts = req.parts
        if not parts:
            return self.catalog(req)
        if parts[0].startswith("configs") or (len(parts) > 1 and parts[0] == "configs"):
            return self.configs(req, parts[1:])
        for prefix, handler in self.routes:
            if tuple(parts[: len(prefix)]) == prefix:
                return handler(req, parts[len(prefix) :])
        raise SplunkdError(404, "Not Found")

    # -- server -----------------------------------------------------------------------------------

    def catalog(self, req: Request) -> Listing:
        names = [
            "alerts",
            "apps",
            "authentication",
            "authorization",
            "data",
            "datamodel",
            "deployment",
            "licenser",
            "messages",
            "configs",
            "saved",
            "scheduled",
            "search",
            "server",
            "storage",
            "properties",
            "broker",
        ]
        ents = [Entity(n, {}, "", owner="system", app="", namespaced=False, links=("list",)) for n in names]
        return Listing(ents, "services", create_link=False)

    def server_info(self, req: Request, rest: list[str]) -> Listing:
        if rest and rest != ["server-info"]:
            raise not_found("server-info", rest[0])
        cfg = self.state.config
        content = {
            "activeLicenseGroup": "Enterprise",
            "build": cfg.build,
            "cpu_arch": platform.machine() or "x86_64",
            "guid": "5A1DB0C4-5E2B-4A6C-9C3B-53A1DB0C45E2",
            "health_info": "green",
            "health_version": 1,
            "host": cfg.server_name,
            "host_fqdn": cfg.server_name,
            "isForwarding": False,
            "isFree": False,
            "isTrial": False,
            "kvStoreStatus": "ready",
            "licenseKeys": ["SANDBOX"],
            "licenseSignature": "sandbox",
            "licenseState": "OK",
            "license_labels": ["Splunk Enterprise"],
            "master_guid": "5A1DB0C4-5E2B-4A6C-9C3B-53A1DB0C45E2",
            "mode": "normal",
            "numberOfCores": os.cpu_count() or 1,
            "numberOfVirtualCores": os.cpu_count() or 1,
            "os_build": platform.version(),
            "os_name": "Linux",
            "os_name_extended": "Linux",
            "os_version": platform.release(),
            "physicalMemoryMB": 7764,
            "product_type": "enterprise",
            "rtsearch_enabled": True,
            "serverName": cfg.server_name,
            "server_roles": ["indexer", "license_master", "kv_store", "search_head"],
            "startup_time": int(self.started),
            "staticAssetId": cfg.build,
            "version": cfg.version,
        }
        ent = Entity(
            "server-info",
            content,
            "server/info",
            owner="system",
            app="",
            sharing="system",
            namespaced=False,
            links=("list",),
            perms={"read": ["*"], "write": []},
            acl_extra={"can_write": False, "modifiable": False, "can_list": True},
        )
        return Listing([ent], "server-info", single=True, create_link=False)

    def health(self, req: Request, rest: list[str]) -> Listing:
        features = {
            name: {"health": "green", "num_red": 0, "num_yellow": 0}
            for name in ("File Monitor Input", "Index Processor", "Search Scheduler", "Workload Management")
        }
        if rest == ["details"]:
            ent = Entity(
                "details",
                {"health": "green", "features": features},
                "server/health/splunkd",
                owner="nobody",
                app="system",
                namespaced=False,
                links=("list",),
            )
            return Listing([ent], "splunkd", single=True, create_link=False)
        if rest:
            raise not_found("health", rest[0])
        ent = Entity(
            "splunkd",
            {"health": "green"},
            "server/health",
            owner="nobody",
            app="system",
            namespaced=False,
            links=("list", "details"),
        )
        return Listing([ent], "health", single=True, create_link=False)

    def messages(self, req: Request, rest: list[str]) -> Listing:
        ent = Entity(
            "sandbox_notice",
            {
                "message": "This is the Splunk MCP sandbox: a local stand-in for splunkd with sample data.",
                "severity": "info",
                "server": self.state.config.server_name,
                "timeCreated_epochSecs": int(self.started),
                "help": "",
                "capability": [],
            },
            "messages",
            owner="system",
            app="",
            sharing="system",
            namespaced=False,
            perms={"read": ["*"], "write": ["admin", "splunk-system-role"]},
        )
        ents = [ent]
        if rest:
            ents = [e for e in ents if e.name == rest[0]]
            if not ents:
                raise not_found("messages", rest[0])
        return Listing(ents, "messages", single=bool(rest))

    # -- identity ---------------------------------------------------------------------------------

    def current_context(self, req: Request, rest: list[str]) -> Listing:
        user = req.user
        assert user is not None
        content = {
            "username": user.name,
            "realname": user.realname,
            "email": user.email,
            "roles": list(user.roles),
            "capabilities": capabilities_of(user),
            "defaultApp": user.default_app,
            "defaultAppIsUserOverride": False,
            "defaultAppSourceRole": "system",
            "tz": user.tz,
            "type": "Splunk",
            "search_use_sid_as_name": False,
            "restart_background_jobs": True,
            "lockedOut": False,
        }
        ent = Entity(
            "context",
            content,
            "authentication/current-context",
            owner=user.name,
            app="system",
            sharing="system",
            namespaced=False,
            links=("list",),
        )
        return Listing([ent], "current-context", single=True, create_link=False)

    def _user_entity(self, user: User) -> Entity:
        content = {
            "capabilities": capabilities_of(user),
            "defaultApp": user.default_app,
            "defaultAppIsUserOverride": False,
            "defaultAppSourceRole": "system",
            "email": user.email,
            "last_successful_login": int(self.started),
            "locked-out": False,
            "realname": user.realname,
            "restart_background_jobs": True,
            "roles": list(user.roles),
            "type": "Splunk",
            "tz": user.tz,
        }
        return Entity(
            user.name,
            content,
            "authentication/users",
            owner="system",
            app="",
            sharing="system",
            namespaced=False,
            perms={"read": ["*"], "write": ["admin"]},
        )

    def users(self, req: Request, rest: list[str]) -> Listing | Response:
        assert req.user is not None
        visible = [u for u in USERS.values() if is_admin(req.user) or u.name == req.user.name]
        if rest:
            name = rest[0].lower()
            found = [u for u in visible if u.name == name]
            if not found:
                raise not_found("users", rest[0])
            return Listing([self._user_entity(found[0])], "users", single=True)
        if req.method == "POST":
            raise SplunkdError(
                403,
                f"You (user={req.user.name}) do not have permission to perform this operation "
                "(requires capability: edit_user).",
            )
        return Listing([self._user_entity(u) for u in visible], "users")

    def roles(self, req: Request, rest: list[str]) -> Listing:
        ents = []
        for role in ROLES.values():
            closure = role_closure((role.name,))
            content = {
                "capabilities": list(role.capabilities),
                "imported_capabilities": imported_capabilities(role),
                "imported_roles": list(role.imported_roles),
                "srchIndexesAllowed": list(role.srch_indexes_allowed),
                "srchIndexesDefault": list(role.srch_indexes_default),
                "imported_srchIndexesAllowed": sorted(
                    {i for r in closure[1:] for i in r.srch_indexes_allowed}
                ),
                "imported_srchIndexesDefault": sorted(
                    {i for r in closure[1:] for i in r.srch_indexes_default}
                ),
                "srchFilter": role.srch_filter,
                "srchJobsQuota": 50 if role.name == "admin" else 3,
                "srchDiskQuota": 10000 if role.name == "admin" else 100,
                "srchTimeWin": -1,
                "rtSrchJobsQuota": 100 if role.name == "admin" else 6,
                "cumulativeSrchJobsQuota": 200 if role.name == "admin" else 0,
                "defaultApp": "",
            }
            ents.append(
                Entity(
                    role.name,
                    content,
                    "authorization/roles",
                    owner="system",
                    app="",
                    sharing="system",
                    namespaced=False,
                )
            )
        if rest:
            ents = [e for e in ents if e.name == rest[0].lower()]
            if not ents:
                raise not_found("roles", rest[0])
            return Listing(ents, "roles", single=True)
        return Listing(ents, "roles")

    def capabilities(self, req: Request, rest: list[str]) -> Listing:
        from sandbox.accounts import ALL_CAPABILITIES

        ent = Entity(
            "capabilities",
            {"capabilities": list(ALL_CAPABILITIES)},
            "authorization/capabilities",
            owner="system",
            app="",
            sharing="system",
            namespaced=False,
            links=("list",),
        )
        return Listing([ent], "capabilities", create_link=False)

    # -- indexes, apps ----------------------------------------------------------------------------

    def _index_entity(self, info: Any) -> Entity:
        home = f"$SPLUNK_DB/{info.name}"
        content = {
            "assureUTF8": False,
            "coldPath": f"{home}/colddb",
            "coldPath_expanded": f"/opt/splunk/var/lib/splunk/{info.name}/colddb",
            "currentDBSizeMB": round(info.size_mb),
            "datatype": info.datatype,
            "defaultDatabase": "main",
            "disabled": False,
            "enableOnlineBucketRepair": True,
            "frozenTimePeriodInSecs": 188697600,
            "homePath": f"{home}/db",
            "homePath_expanded": f"/opt/splunk/var/lib/splunk/{info.name}/db",
            "isInternal": info.name.startswith("_"),
            "isReady": True,
            "isVirtual": False,
            "maxDataSize": "auto",
            "maxHotBuckets": "auto",
            "maxTime": atom.iso_time(info.latest).replace("T", "T") if info.latest else "",
            "maxTotalDataSizeMB": 500000,
            "minTime": atom.iso_time(info.earliest) if info.earliest else "",
            "repFactor": "0",
            "thawedPath": f"{home}/thaweddb",
            "thawedPath_expanded": f"/opt/splunk/var/lib/splunk/{info.name}/thaweddb",
            "totalEventCount": info.event_count,
            "metric.splitByIndexKeys": "" if info.datatype == "metric" else None,
        }
        if info.datatype != "metric":
            del content["metric.splitByIndexKeys"]
        return Entity(
            info.name,
            content,
            "data/indexes",
            owner="nobody",
            app="system",
            sharing="system",
            links=("list", "_reload", "edit", "disable"),
            perms={"read": ["*"], "write": ["admin"]},
        )

    def indexes(self, req: Request, rest: list[str]) -> Listing:
        assert req.user is not None
        infos = self.state.store.indexes
        visible = readable_indexes(req.user, list(infos))
        if rest:
            name = rest[0]
            if name not in visible:
                raise not_found("indexes", name)
            return Listing([self._index_entity(infos[name])], "indexes", single=True)
        if req.method == "POST":
            raise SplunkdError(
                403,
                f"You (user={req.user.name}) do not have permission to perform this operation "
                "(requires capability: indexes_edit).",
            )
        datatype = (req.get("datatype") or "event").lower()
        ents = [
            self._index_entity(infos[n])
            for n in sorted(visible)
            if datatype == "all" or infos[n].datatype == datatype
        ]
        return Listing(ents, "indexes")

    def apps(self, req: Request, rest: list[str]) -> Listing:
        cat = self.state.catalogue
        ents = [
            ko_entity(a, "apps/local", ("list", "_reload", "edit", "remove", "disable", "package"))
            for a in cat.apps.values()
        ]
        for e in ents:
            e.content.pop("eai:appName", None)
            e.content.pop("eai:userName", None)
        if rest:
            ents = [e for e in ents if e.name == rest[0]]
            if not ents:
                raise not_found("localapps", rest[0])
            return Listing(ents, "localapps", single=True)
        return Listing(ents, "localapps")

    # -- knowledge objects ------------------------------------------------------------------------

    def _objects(
        self,
        req: Request,
        objects: dict[str, KnowledgeObject],
        path: str,
        handler: str,
        rest: list[str],
        links: tuple[str, ...] = ("list", "edit", "remove"),
    ) -> Listing:
        with self.state.catalogue.lock:
            objs = [o for o in objects.values() if visible_in_namespace(o, req)]
        if rest:
            found = [o for o in objs if o.name == rest[0]]
            if not found:
                raise not_found(handler, rest[0])
            return Listing([ko_entity(found[0], path, links)], handler, single=True)
        return Listing([ko_entity(o, path, links) for o in objs], handler)

    def eventtypes(self, req: Request, rest: list[str]) -> Listing:
        return self._objects(req, self.state.catalogue.eventtypes, "saved/eventtypes", "eventtypes", rest)

    def views(self, req: Request, rest: list[str]) -> Listing:
        return self._objects(
            req,
            self.state.catalogue.views,
            "data/ui/views",
            "views",
            rest,
            ("list", "_reload", "edit", "remove", "move"),
        )

    def datamodels(self, req: Request, rest: list[str]) -> Listing:
        return self._objects(req, self.state.catalogue.datamodels, "datamodel/model", "datamodel-model", rest)

    def lookup_files(self, req: Request, rest: list[str]) -> Listing:
        return self._objects(
            req,
            self.state.catalogue.lookup_file_objects,
            "data/lookup-table-files",
            "lookup-table-file",
            rest,
        )

    def lookup_defs(self, req: Request, rest: list[str]) -> Listing:
        return self._objects(
            req, self.state.catalogue.lookup_defs, "data/transforms/lookups", "transforms-lookup", rest
        )

    SAVED_LINKS = ("list", "_reload", "edit", "remove", "move", "disable", "dispatch", "embed", "history")

    def saved_searches(self, req: Request, rest: list[str]) -> Listing | Response:
        cat = self.state.catalogue
        if len(rest) >= 2 and rest[1] == "dispatch":
            return self.state.search_api.dispatch_saved(req, rest[0])
        if len(rest) >= 2 and rest[1] == "history":
            return self._history(req, rest[0])
        if len(rest) >= 2:
            raise SplunkdError(404, "Not Found")
        if req.method == "POST" and not rest:
            return self._create_saved(req)
        if rest:
            with cat.lock:
                obj = cat.saved_searches.get(rest[0])
            if obj is None or not visible_in_namespace(obj, req):
                raise not_found("savedsearch", rest[0])
            if req.method == "DELETE":
                self._require_write(req, obj)
                with cat.lock:
                    cat.saved_searches.pop(obj.name, None)
                return self._objects(
                    req, cat.saved_searches, "saved/searches", "savedsearch", [], self.SAVED_LINKS
                )
            if req.method == "POST":
                self._require_write(req, obj)
                with cat.lock:
                    obj.content.update(self._settable(req))
                    obj.content["qualifiedSearch"] = obj.content["search"]
                    obj.updated = time.time()
        return self._objects(req, cat.saved_searches, "saved/searches", "savedsearch", rest, self.SAVED_LINKS)

    @staticmethod
    def _settable(req: Request) -> dict[str, Any]:
        skip = {"output_mode", "name", "count", "offset"}
        return {k: v[-1] for k, v in req.params.items() if k not in skip}

    @staticmethod
    def _require_write(req: Request, obj: KnowledgeObject) -> None:
        assert req.user is not None
        if (
            is_admin(req.user)
            or req.user.name == obj.owner
            or any(r in obj.perms.get("write", []) for r in req.user.roles)
        ):
            return
        raise SplunkdError(403, f"You do not have permission to modify '{obj.name}'.")

    def _create_saved(self, req: Request) -> Response:
        cat = self.state.catalogue
        name = req.get("name")
        if not name:
            raise SplunkdError(400, "Missing argument: name", "ERROR")
        if not req.get("search"):
            raise SplunkdError(400, "In handler 'savedsearch': Missing argument: search")
        assert req.user is not None
        app = req.app if req.app not in (None, "-", "system") else "search"
        owner = req.owner if req.owner not in (None, "-", "nobody") else req.user.name
        with cat.lock:
            if name in cat.saved_searches:
                raise SplunkdError(
                    409,
                    f"Unable to create saved search with name '{name}'. A saved search with that name already exists.",
                )
            content = {**SAVED_SEARCH_DEFAULTS, **self._settable(req)}
            content["qualifiedSearch"] = content["search"]
            obj = KnowledgeObject(
                name, content, app=app, owner=owner, sharing="user", perms={"read": [owner], "write": [owner]}
            )
            cat.saved_searches[name] = obj
        listing = Listing([ko_entity(obj, "saved/searches", self.SAVED_LINKS)], "savedsearch")
        resp = render_listing(req, listing, self.state)
        resp.status = 201
        return resp

    def _history(self, req: Request, name: str) -> Listing:
        cat = self.state.catalogue
        with cat.lock:
            if name not in cat.saved_searches:
                raise not_found("savedsearch", name)
            sids = list(cat.history.get(name, []))
        ents = []
        for sid in sids:
            job = self.state.jobs.get(sid)
            if job is None:
                continue
            done = job.is_done()
            ents.append(
                Entity(
                    sid,
                    {
                        "isDone": done,
                        "isFinalized": job.finalized,
                        "isRealTimeSearch": False,
                        "isSaved": False,
                        "isScheduled": False,
                        "isZombie": False,
                        "ttl": job.ttl,
                    },
                    "search/jobs",
                    owner="nobody",
                    app=job.app,
                    sharing="system",
                    author=job.owner,
                    perms={"read": [job.owner], "write": [job.owner]},
                    links=(),
                    published=job.created,
                    acl_extra={"owner": job.owner},
                )
            )
        return Listing(ents, name, create_link=False)

    def fired_alerts(self, req: Request, rest: list[str]) -> Listing:
        cat = self.state.catalogue
        with cat.lock:
            alerts = list(cat.fired_alerts)
            saved = dict(cat.saved_searches)
        if not rest:
            groups: dict[str, int] = {"-": len(alerts)}
            for a in alerts:
                groups[a.savedsearch_name] = groups.get(a.savedsearch_name, 0) + 1
            ents = []
            for gname, count in groups.items():
                obj = saved.get(gname)
                ents.append(
                    Entity(
                        gname,
                        {"triggered_alert_count": count},
                        "alerts/fired_alerts",
                        owner="nobody",
                        app=obj.app if obj else "search",
                        sharing="app" if obj else "system",
                        links=("list", "remove"),
                    )
                )
            return Listing(ents, "alerts", create_link=False)
        name = rest[0]
        if name == "-":
            chosen = alerts
        else:
            chosen = [a for a in alerts if a.savedsearch_name == name or a.sid == name]
            if not chosen and name not in saved:
                raise not_found("alerts/fired_alerts", name)
        ents = []
        for a in chosen:
            obj = saved.get(a.savedsearch_name)
            ents.append(
                Entity(
                    a.sid,
                    {
                        "actions": a.actions,
                        "alert_type": a.alert_type,
                        "digest_mode": a.digest_mode,
                        "expiration_time_rendered": time.strftime(
                            "%Y-%m-%d %H:%M:%S %Z", time.localtime(a.trigger_time + 86400)
                        ),
                        "savedsearch_name": a.savedsearch_name,
                        "severity": a.severity,
                        "sid": a.sid,
                        "trigger_time": a.trigger_time,
                        "trigger_time_rendered": time.strftime(
                            "%Y-%m-%d %H:%M:%S %Z", time.localtime(a.trigger_time)
                        ),
                        "triggered_alerts": a.triggered_alerts,
                    },
                    "alerts/fired_alerts",
                    owner=obj.owner if obj else "nobody",
                    app=obj.app if obj else "search",
                    sharing="user",
                    links=("list", "remove", "job", "savedsearch"),
                    published=a.trigger_time,
                )
            )
        return Listing(ents, name, create_link=False)

    # -- confs ------------------------------------------------------------------------------------

    def _conf_stanzas(self, req: Request, conf: str) -> dict[str, KnowledgeObject] | None:
        cat = self.state.catalogue
        if conf == "macros":
            return cat.macros
        if conf == "savedsearches":
            return cat.saved_searches
        if conf == "eventtypes":
            return cat.eventtypes
        if conf == "transforms":
            return cat.lookup_defs
        if conf == "props":
            return {
                n: KnowledgeObject(n, c, app="search")
                for n, c in (
                    (
                        "access_combined",
                        {
                            "SHOULD_LINEMERGE": "false",
                            "TIME_PREFIX": "\\[",
                            "KV_MODE": "auto",
                            "LOOKUP-http_status": "http_status status OUTPUT status_description",
                        },
                    ),
                    ("linux_secure", {"SHOULD_LINEMERGE": "false", "KV_MODE": "auto"}),
                    ("app:log", {"SHOULD_LINEMERGE": "false", "KV_MODE": "auto"}),
                )
            }
        if conf == "indexes":
            return {
                n: KnowledgeObject(
                    n,
                    {"homePath": f"$SPLUNK_DB/{n}/db", "datatype": i.datatype},
                    app="system",
                    sharing="system",
                )
                for n, i in self.state.store.indexes.items()
            }
        if conf == "collections":
            return {
                c.name: KnowledgeObject(
                    c.name,
                    {
                        **{f"field.{k}": v for k, v in c.fields.items()},
                        **{f"accelerated_fields.{k}": v for k, v in c.accelerated_fields.items()},
                    },
                    app=c.app,
                )
                for c in self.state.kvstore.list(None)
            }
        if conf == "server":
            return {
                "general": KnowledgeObject(
                    "general",
                    {"serverName": self.state.config.server_name, "pass4SymmKey": "********"},
                    app="system",
                    sharing="system",
                )
            }
        return None

    CONF_FILES = (
        "collections",
        "eventtypes",
        "indexes",
        "macros",
        "props",
        "savedsearches",
        "server",
        "transforms",
    )

    def configs(self, req: Request, rest: list[str]) -> Listing | Response:
        head = req.parts[0]
        if head == "configs":
            if not rest or not rest[0].startswith("conf-"):
                raise SplunkdError(404, "Not Found")
            conf, rest = rest[0][5:], rest[1:]
        else:
            raise SplunkdError(404, "Not Found")
        stanzas = self._conf_stanzas(req, conf)
        if stanzas is None:
            raise SplunkdError(404, f"No such file: {conf}" if False else "Not Found")
        if conf == "macros" and req.method in ("POST", "DELETE"):
            return self._write_macro(req, rest)
        with self.state.catalogue.lock:
            objs = [o for o in stanzas.values() if visible_in_namespace(o, req)]
        path = f"configs/conf-{conf}"
        if rest:
            found = [o for o in objs if o.name == rest[0]]
            if not found:
                raise not_found(f"conf-{conf}", rest[0])
            return Listing([self._stanza_entity(found[0], path)], f"conf-{conf}", single=True)
        return Listing([self._stanza_entity(o, path) for o in objs], f"conf-{conf}")

    @staticmethod
    def _stanza_entity(obj: KnowledgeObject, path: str) -> Entity:
        content = {k: (",".join(v) if isinstance(v, list) else v) for k, v in obj.content.items()}
        ent = ko_entity(
            KnowledgeObject(obj.name, content, obj.app, obj.owner, obj.sharing, obj.perms, obj.updated), path
        )
        ent.content.setdefault("disabled", False)
        return ent

    def _write_macro(self, req: Request, rest: list[str]) -> Response:
        cat = self.state.catalogue
        assert req.user is not None
        if req.method == "DELETE":
            with cat.lock:
                obj = cat.macros.get(rest[0]) if rest else None
                if obj is None:
                    raise not_found("conf-macros", rest[0] if rest else "")
                self._require_write(req, obj)
                del cat.macros[obj.name]
            return render_listing(
                req,
                Listing(
                    [self._stanza_entity(o, "configs/conf-macros") for o in cat.macros.values()],
                    "conf-macros",
                ),
                self.state,
            )
        with cat.lock:
            if rest:
                obj = cat.macros.get(rest[0])
                if obj is None:
                    raise not_found("conf-macros", rest[0])
                self._require_write(req, obj)
                obj.content.update(self._settable(req))
                status = 200
            else:
                name = req.get("name")
                if not name:
                    raise SplunkdError(400, "In handler 'conf-macros': Missing argument: name")
                if name in cat.macros:
                    raise SplunkdError(
                        409, f"In handler 'conf-macros': An object with name={name} already exists"
                    )
                app = req.app if req.app not in (None, "-", "system") else "search"
                obj = KnowledgeObject(
                    name,
                    {"definition": "", "iseval": False, "disabled": False, **self._settable(req)},
                    app=app,
                )
                cat.macros[name] = obj
                status = 201
        resp = render_listing(
            req, Listing([self._stanza_entity(obj, "configs/conf-macros")], "conf-macros"), self.state
        )
        resp.status = status
        return resp

    def properties(self, req: Request, rest: list[str]) -> Listing | Response:
        if not rest:
            ents = [
                Entity(f, {}, "configs", owner="nobody", app="system", links=("list",))
                for f in self.CONF_FILES
            ]
            for e in ents:
                e.name = (
                    e.name
                )  # the entity path splunklib builds comes from the title (configs/conf-<title>)
            return Listing(ents, "conf-files")
        stanzas = self._conf_stanzas(req, rest[0])
        if stanzas is None:
            raise SplunkdError(404, f"In handler 'properties': Could not find object id={rest[0]}")
        with self.state.catalogue.lock:
            by_name = {o.name: o for o in stanzas.values()}
        base = f"properties/{rest[0]}"
        if len(rest) == 1:
            ents = [Entity(n, {}, base, owner="nobody", app="system", links=("list",)) for n in by_name]
            return Listing(ents, rest[0])
        obj = by_name.get(rest[1])
        if obj is None:
            raise SplunkdError(404, f"In handler 'properties': Could not find object id={rest[1]}")
        values = {k: (",".join(v) if isinstance(v, list) else v) for k, v in obj.content.items()}
        if len(rest) == 2:
            ents = [
                Entity(
                    k,
                    {},
                    f"{base}/{rest[1]}",
                    owner="nobody",
                    app="system",
                    links=("list",),
                    text_content=_text(v),
                )
                for k, v in sorted(values.items())
            ]
            return Listing(ents, rest[1], create_link=False)
        if rest[2] not in values:
            raise SplunkdError(404, f"In handler 'properties': Could not find object id={rest[2]}")
        return Response(200, _text(values[rest[2]]).encode(), "text/plain; charset=UTF-8")

    # -- KV store ---------------------------------------------------------------------------------

    def _kv_entity(self, coll: Any) -> Entity:
        content: dict[str, Any] = {
            "disabled": False,
            "enforceTypes": coll.enforce_types,
            "replicate": False,
            "type": "undefined",
        }
        content.update({f"field.{k}": v for k, v in coll.fields.items()})
        content.update({f"accelerated_fields.{k}": v for k, v in coll.accelerated_fields.items()})
        content["eai:appName"] = coll.app
        content["eai:userName"] = coll.owner
        return Entity(
            coll.name,
            content,
            "storage/collections/config",
            owner=coll.owner,
            app=coll.app,
            sharing="app",
            links=("list", "_reload", "edit", "remove", "disable"),
        )

    def kv_config(self, req: Request, rest: list[str]) -> Listing | Response:
        kv = self.state.kvstore
        if req.method == "POST" and not rest:
            name = req.get("name")
            if not name:
                raise SplunkdError(400, "In handler 'collections-conf': Missing argument: name")
            app = req.app if req.app not in (None, "-", "system") else "search"
            fields = {k[6:]: v[-1] for k, v in req.params.items() if k.startswith("field.")}
            accel = {k[18:]: v[-1] for k, v in req.params.items() if k.startswith("accelerated_fields.")}
            try:
                coll = kv.create(app, name, fields, accel)
            except KVError as exc:
                raise SplunkdError(409, f"In handler 'collections-conf': {exc.message}") from None
            resp = render_listing(req, Listing([self._kv_entity(coll)], "collections-conf"), self.state)
            resp.status = 201
            return resp
        if rest:
            coll = kv.find(req.app or "-", rest[0])
            if coll is None:
                raise not_found("collections-conf", rest[0])
            if req.method == "DELETE":
                kv.delete(coll)
                return render_listing(
                    req,
                    Listing([self._kv_entity(c) for c in kv.list(req.app)], "collections-conf"),
                    self.state,
                )
            if req.method == "POST":
                coll.fields.update({k[6:]: v[-1] for k, v in req.params.items() if k.startswith("field.")})
                coll.accelerated_fields.update(
                    {k[18:]: v[-1] for k, v in req.params.items() if k.startswith("accelerated_fields.")}
                )
            return Listing([self._kv_entity(coll)], "collections-conf", single=True)
        return Listing([self._kv_entity(c) for c in kv.list(req.app)], "collections-conf")

    def kv_data(self, req: Request, rest: list[str]) -> Response:
        kv = self.state.kvstore
        if not rest:
            raise SplunkdError(404, "Not Found")
        coll = kv.find(req.app or "-", rest[0])
        if coll is None:
            raise SplunkdError(404, f"Collection: {rest[0]} not found")  # JSON body below
        key = rest[1] if len(rest) > 1 else None
        user = "nobody"
        try:
            if req.method == "GET":
                if key is not None:
                    return _json(200, kv.get(coll, key))
                return _json(
                    200,
                    kv.query(
                        coll,
                        query=req.get("query"),
                        fields=req.get("fields"),
                        sort=req.get("sort"),
                        limit=req.int("limit", 0),
                        skip=req.int("skip", 0),
                    ),
                )
            if req.method == "DELETE":
                kv.remove(coll, key, None if key else (json.loads(req.get("query") or "{}") or None))
                return Response(200, b"", "application/json; charset=UTF-8")
            if req.method == "POST":
                doc = _json_body(req)
                if key == "batch_save":
                    if not isinstance(doc, list):
                        raise KVError(400, "batch_save expects a JSON array of documents")
                    return _json(200, [kv.insert(coll, d, user) for d in doc])
                if key == "batch_find":
                    if not isinstance(doc, list):
                        raise KVError(400, "batch_find expects a JSON array of queries")
                    return _json(
                        200,
                        [
                            kv.query(
                                coll,
                                query=json.dumps(q.get("query", {})),
                                fields=q.get("fields"),
                                sort=q.get("sort"),
                                limit=int(q.get("limit", 0) or 0),
                                skip=int(q.get("skip", 0) or 0),
                            )
                            for q in doc
                        ],
                    )
                if key is not None:
                    return _json(200, {"_key": kv.update(coll, key, doc, user)})
                return _json(201, {"_key": kv.insert(coll, doc, user)})
        except KVError as exc:
            return _json(exc.status, {"messages": [{"type": "ERROR", "text": exc.message}]})
        raise SplunkdError(405, "Method Not Allowed")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _json(status: int, doc: Any) -> Response:
    return json_response(status, json.dumps(doc, separators=(",", ":")))


def _json_body(req: Request) -> Any:
    try:
        return json.loads(req.body or b"null")
    except ValueError as exc:
        raise KVError(400, f"Invalid JSON: {exc}") from None
