"""An in-memory KV store: collections per app, documents with _key, and MongoDB-style queries."""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any


class KVError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Collection:
    name: str
    app: str
    owner: str = "nobody"
    fields: dict[str, str] = field(default_factory=dict)  # field.<name> = type
    accelerated_fields: dict[str, str] = field(default_factory=dict)  # JSON strings, as splunkd stores them
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    enforce_types: bool = False


def _cmp_key(value: Any) -> tuple[int, Any]:
    # Numbers sort before strings, like MongoDB's BSON order; strings that look numeric stay strings.
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if value is None:
        return (-1, 0)
    return (1, str(value))


def _compare(a: Any, b: Any) -> int | None:
    ka, kb = _cmp_key(a), _cmp_key(b)
    if ka[0] != kb[0]:
        return None
    return (ka[1] > kb[1]) - (ka[1] < kb[1])


def _match_op(value: Any, op: str, arg: Any) -> bool:
    if op == "$eq":
        return _eq(value, arg)
    if op == "$ne":
        return not _eq(value, arg)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        c = _compare(value, arg)
        if c is None:
            return False
        return {"$gt": c > 0, "$gte": c >= 0, "$lt": c < 0, "$lte": c <= 0}[op]
    if op == "$in":
        return any(_eq(value, a) for a in arg)
    if op == "$nin":
        return not any(_eq(value, a) for a in arg)
    if op == "$regex":
        return value is not None and re.search(str(arg), str(value)) is not None
    if op == "$options":
        return True
    if op == "$exists":
        return (value is not None) == bool(arg)
    raise KVError(400, f"Invalid query operator: {op}")


def _eq(value: Any, arg: Any) -> bool:
    if isinstance(value, list):
        return arg in value or value == arg
    return value == arg


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    for key, cond in query.items():
        if key == "$and":
            if not all(matches(doc, q) for q in cond):
                return False
            continue
        if key == "$or":
            if not any(matches(doc, q) for q in cond):
                return False
            continue
        value = doc.get(key)
        if isinstance(cond, dict) and any(k.startswith("$") for k in cond):
            flags = re.IGNORECASE if "i" in str(cond.get("$options", "")) else 0
            for op, arg in cond.items():
                if op == "$regex":
                    if value is None or re.search(str(arg), str(value), flags) is None:
                        return False
                elif not _match_op(value, op, arg):
                    return False
        elif not _eq(value, cond):
            return False
    return True


def _parse_sort(spec: str) -> list[tuple[str, int]]:
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, direction = part.partition(":")
        out.append((name, -1 if direction.strip() == "-1" else 1))
    return out


def _project(doc: dict[str, Any], spec: str) -> dict[str, Any]:
    include, exclude = [], []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, flag = part.partition(":")
        (exclude if flag.strip() == "0" else include).append(name)
    if include:
        out = {k: doc[k] for k in include if k in doc}
        if "_key" not in exclude and "_id" not in exclude and "_key" in doc:
            out.setdefault("_key", doc["_key"])
        return out
    return {k: v for k, v in doc.items() if k not in exclude and not (k == "_key" and "_id" in exclude)}


class KVStore:
    """Thread-safe collections keyed by (app, name)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.collections: dict[tuple[str, str], Collection] = {}

    def create(self, app: str, name: str, fields: dict[str, str], accelerated: dict[str, str]) -> Collection:
        with self._lock:
            if (app, name) in self.collections:
                raise KVError(409, f"An object with name={name} already exists")
            coll = Collection(name, app, fields=fields, accelerated_fields=accelerated)
            self.collections[(app, name)] = coll
            return coll

    def find(self, app: str, name: str) -> Collection | None:
        with self._lock:
            if app in ("-", "system", "", None):
                for (_, n), c in self.collections.items():
                    if n == name:
                        return c
                return None
            return self.collections.get((app, name))

    def list(self, app: str | None) -> list[Collection]:
        with self._lock:
            colls = sorted(self.collections.values(), key=lambda c: (c.name, c.app))
        if app in (None, "-", "system", ""):
            return colls
        return [c for c in colls if c.app == app]

    def delete(self, coll: Collection) -> None:
        with self._lock:
            self.collections.pop((coll.app, coll.name), None)

    def insert(self, coll: Collection, doc: Any, user: str = "nobody") -> str:
        if not isinstance(doc, dict):
            raise KVError(400, "Document must be a JSON object")
        with self._lock:
            key = str(doc.get("_key") or uuid.uuid4().hex[:24])
            stored = dict(doc)
            stored["_key"] = key
            stored["_user"] = user
            coll.docs[key] = stored
            return key

    def update(self, coll: Collection, key: str, doc: Any, user: str = "nobody") -> str:
        if not isinstance(doc, dict):
            raise KVError(400, "Document must be a JSON object")
        with self._lock:
            if key not in coll.docs:
                raise KVError(404, f"Could not find object id={key}")
            stored = dict(doc)
            stored["_key"] = key
            stored["_user"] = user
            coll.docs[key] = stored
            return key

    def get(self, coll: Collection, key: str) -> dict[str, Any]:
        with self._lock:
            doc = coll.docs.get(key)
        if doc is None:
            raise KVError(404, f"Could not find object id={key}")
        return dict(doc)

    def remove(self, coll: Collection, key: str | None, query: dict[str, Any] | None) -> None:
        with self._lock:
            if key is not None:
                if coll.docs.pop(key, None) is None:
                    raise KVError(404, f"Could not find object id={key}")
                return
            for k in [k for k, d in coll.docs.items() if query is None or matches(d, query)]:
                del coll.docs[k]

    def query(
        self,
        coll: Collection,
        *,
        query: str | None = None,
        fields: str | None = None,
        sort: str | None = None,
        limit: int = 0,
        skip: int = 0,
    ) -> list[dict[str, Any]]:
        q = parse_query_param(query)
        with self._lock:
            docs = [dict(d) for d in coll.docs.values() if matches(d, q)]
        for name, direction in reversed(_parse_sort(sort or "")):
            present = [d for d in docs if d.get(name) is not None]
            missing = [d for d in docs if d.get(name) is None]
            present.sort(key=lambda d, n=name: _cmp_key(d.get(n)), reverse=direction < 0)
            docs = present + missing
        docs = docs[max(skip, 0) :]
        if limit > 0:
            docs = docs[:limit]
        if fields:
            docs = [_project(d, fields) for d in docs]
        return docs


def parse_query_param(query: str | None) -> dict[str, Any]:
    if not query:
        return {}
    try:
        q = json.loads(query)
    except ValueError as exc:
        raise KVError(400, f"Invalid JSON in query: {exc}") from None
    if not isinstance(q, dict):
        raise KVError(400, "Query must be a JSON object")
    return q
