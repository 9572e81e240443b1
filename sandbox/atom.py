"""Render entities, feeds, messages and search results the way splunkd writes them (Atom XML or JSON)."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!--This is to override browser formatting; see server.conf[httpServer] to disable. . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . .-->\n"
    '<?xml-stylesheet type="text/xml" href="/static/atom.xsl"?>\n'
)
NS_ATTRS = (
    'xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
)
ORIGIN = "https://127.0.0.1:8089"  # splunkd reports its management URI; ids are opaque to clients


def iso_time(epoch: float | None = None, *, millis: bool = False) -> str:
    """Local time with the numeric offset, as splunkd prints it (2014-06-28T07:01:00.111-07:00)."""
    epoch = time.time() if epoch is None else epoch
    lt = time.localtime(epoch)
    off = lt.tm_gmtoff or 0
    sign = "+" if off >= 0 else "-"
    off = abs(off)
    frac = f".{int((epoch % 1) * 1000):03d}" if millis else ""
    return time.strftime("%Y-%m-%dT%H:%M:%S", lt) + frac + f"{sign}{off // 3600:02d}:{(off % 3600) // 60:02d}"


def default_perms(read: list[str] | None = None, write: list[str] | None = None) -> dict[str, list[str]]:
    return {"read": read if read is not None else ["*"], "write": write if write is not None else ["admin"]}


@dataclass
class Entity:
    """One REST entity: a name, a content dict, and the ACL that drives splunklib's follow-up namespace."""

    name: str
    content: dict[str, Any]
    path: str  # collection path relative to /services, e.g. "saved/searches"
    owner: str = "nobody"
    app: str = "system"
    sharing: str = "system"
    perms: dict[str, list[str]] = field(default_factory=default_perms)
    links: tuple[str, ...] = ("list", "edit", "remove")
    author: str | None = None
    title: str | None = None
    namespaced: bool = True  # False: alternate link is /services/<path>/<name>
    acl_extra: dict[str, Any] = field(default_factory=dict)
    updated: float | None = None
    published: float | None = None
    text_content: str | None = None  # properties/{file}/{stanza}: <content type="text">value</content>

    def href(self) -> str:
        tail = f"{self.path}/{quote(self.name, safe='')}" if self.path else quote(self.name, safe="")
        if not self.namespaced:
            return f"/services/{tail}"
        return f"/servicesNS/{quote(self.owner, safe='')}/{quote(self.app, safe='')}/{tail}"

    def acl(self) -> dict[str, Any]:
        acl = {
            "app": self.app,
            "can_change_perms": True,
            "can_list": True,
            "can_share_app": True,
            "can_share_global": True,
            "can_share_user": self.sharing == "user",
            "can_write": True,
            "modifiable": True,
            "owner": self.owner,
            "perms": self.perms,
            "removable": self.sharing != "system",
            "sharing": self.sharing,
        }
        acl.update(self.acl_extra)
        return acl


# -- XML ------------------------------------------------------------------------------------------


def _xml_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return escape(str(value))


def xml_value(value: Any, indent: str) -> str:
    """An s:dict / s:list / text value; splunkd renders every scalar as text."""
    if isinstance(value, dict):
        if not value:
            return "\n" + indent + "<s:dict/>\n" + indent[:-2]
        inner = "".join(
            f"{indent}  <s:key name={quoteattr(str(k))}>{xml_value(v, indent + '    ')}</s:key>\n"
            for k, v in value.items()
        )
        return f"\n{indent}<s:dict>\n{inner}{indent}</s:dict>\n{indent[:-2]}"
    if isinstance(value, list | tuple):
        if not value:
            return "\n" + indent + "<s:list/>\n" + indent[:-2]
        inner = "".join(f"{indent}  <s:item>{xml_value(v, indent + '    ')}</s:item>\n" for v in value)
        return f"\n{indent}<s:list>\n{inner}{indent}</s:list>\n{indent[:-2]}"
    return _xml_scalar(value)


def _entry_xml(ent: Entity, indent: str, root: bool = False) -> str:
    href = ent.href()
    ns = f" {NS_ATTRS}" if root else ""
    i = indent
    parts = [
        f"{i}<entry{ns}>\n",
        f"{i}  <title>{escape(ent.title if ent.title is not None else ent.name)}</title>\n",
        f"{i}  <id>{ORIGIN}{escape(href)}</id>\n",
        f"{i}  <updated>{iso_time(ent.updated)}</updated>\n",
        f'{i}  <link href={quoteattr(href)} rel="alternate"/>\n',
    ]
    if ent.published is not None:
        parts.append(f"{i}  <published>{iso_time(ent.published, millis=True)}</published>\n")
    parts.append(f"{i}  <author>\n{i}    <name>{escape(ent.author or ent.owner)}</name>\n{i}  </author>\n")
    for rel in ent.links:
        target = href if rel in ("list", "edit", "remove") else f"{href}/{rel}"
        parts.append(f"{i}  <link href={quoteattr(target)} rel={quoteattr(rel)}/>\n")
    if ent.text_content is not None:
        parts.append(f'{i}  <content type="text">{escape(ent.text_content)}</content>\n{i}</entry>\n')
        return "".join(parts)
    content = dict(ent.content)
    content["eai:acl"] = ent.acl()
    body = "".join(
        f"{i}      <s:key name={quoteattr(str(k))}>{xml_value(v, i + '        ')}</s:key>\n"
        for k, v in sorted(content.items())
    )
    parts.append(
        f'{i}  <content type="text/xml">\n{i}    <s:dict>\n{body}{i}    </s:dict>\n{i}  </content>\n'
    )
    parts.append(f"{i}</entry>\n")
    return "".join(parts)


def feed_xml(
    *,
    title: str,
    request_path: str,
    entries: list[Entity],
    total: int,
    items_per_page: int,
    offset: int,
    version: str,
    build: str,
    create_link: bool = True,
    messages: list[tuple[str, str]] | None = None,
) -> str:
    links = ""
    if create_link:
        links = f'  <link href="{escape(request_path)}/_new" rel="create"/>\n  <link href="{escape(request_path)}/_reload" rel="_reload"/>\n'
    msgs = "  <s:messages/>\n"
    if messages:
        msgs = (
            "  <s:messages>\n"
            + "".join(f"    <s:msg type={quoteattr(t)}>{escape(m)}</s:msg>\n" for t, m in messages)
            + "  </s:messages>\n"
        )
    head = (
        f"{XML_HEAD}<feed {NS_ATTRS}>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <id>{ORIGIN}{escape(request_path)}</id>\n"
        f"  <updated>{iso_time()}</updated>\n"
        f'  <generator build="{build}" version="{version}"/>\n'
        f"  <author>\n    <name>Splunk</name>\n  </author>\n"
        f"{links}"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:itemsPerPage>{items_per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:startIndex>{offset}</opensearch:startIndex>\n"
        f"{msgs}"
    )
    return head + "".join(_entry_xml(e, "  ") for e in entries) + "</feed>\n"


def entry_xml(ent: Entity) -> str:
    """A bare root <entry>, as the search job endpoint answers."""
    return XML_HEAD + _entry_xml(ent, "", root=True)


def response_xml(inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<response>\n{inner}</response>\n'


def messages_xml(messages: list[tuple[str, str]]) -> str:
    body = "".join(f"    <msg type={quoteattr(t)}>{escape(m)}</msg>\n" for t, m in messages)
    return response_xml(f"  <messages>\n{body}  </messages>\n")


def messages_json(messages: list[tuple[str, str]]) -> str:
    return json.dumps({"messages": [{"type": t, "text": m} for t, m in messages]}, separators=(",", ":"))


# -- JSON envelope ----------------------------------------------------------------------------------


def entry_json(ent: Entity, *, with_fields: bool) -> dict[str, Any]:
    href = ent.href()
    links: dict[str, str] = {"alternate": href}
    for rel in ent.links:
        links[rel] = href if rel in ("list", "edit", "remove") else f"{href}/{rel}"
    content = dict(sorted(ent.content.items()))
    content["eai:acl"] = None
    out: dict[str, Any] = {
        "name": ent.title if ent.title is not None else ent.name,
        "id": f"{ORIGIN}{href}",
        "updated": iso_time(ent.updated),
        "links": links,
        "author": ent.author or ent.owner,
        "acl": ent.acl(),
    }
    if ent.published is not None:
        out["published"] = iso_time(ent.published, millis=True)
    if with_fields:
        out["fields"] = {"required": [], "optional": [], "wildcard": []}
    out["content"] = ent.text_content if ent.text_content is not None else content
    return out


def feed_json(
    *,
    request_path: str,
    entries: list[Entity],
    total: int,
    items_per_page: int,
    offset: int,
    version: str,
    build: str,
    create_link: bool = True,
    single: bool = False,
    messages: list[tuple[str, str]] | None = None,
) -> str:
    links = {"create": f"{request_path}/_new", "_reload": f"{request_path}/_reload"} if create_link else {}
    doc = {
        "links": links,
        "origin": f"{ORIGIN}{request_path}",
        "updated": iso_time(),
        "generator": {"build": build, "version": version},
        "entry": [entry_json(e, with_fields=single) for e in entries],
        "paging": {"total": total, "perPage": items_per_page, "offset": offset},
        "messages": [{"type": t, "text": m} for t, m in (messages or [])],
    }
    return json.dumps(doc, separators=(",", ":"))


# -- search results ---------------------------------------------------------------------------------


def results_json(
    fields: list[str],
    rows: list[dict[str, Any]],
    *,
    preview: bool,
    init_offset: int,
    messages: list[tuple[str, str]],
) -> str:
    # One line: splunklib's JSONResultsReader json.loads() each line separately.
    doc = {
        "preview": preview,
        "init_offset": init_offset,
        "messages": [{"type": t, "text": m} for t, m in messages],
        "fields": [{"name": f} for f in fields],
        "results": rows,
    }
    return json.dumps(doc, separators=(",", ":"))[:-1] + ', "highlighted":{}}'


def _xml_field(name: str, value: Any) -> str:
    if name == "_raw":
        return f"\t\t<field k='_raw'><v xml:space='preserve' trunc='0'>{escape(str(value))}</v></field>\n"
    values = value if isinstance(value, list) else [value]
    inner = "".join(f"\t\t\t<value><text>{escape(str(v))}</text></value>\n" for v in values)
    return f"\t\t<field k={quoteattr(name)}>\n{inner}\t\t</field>\n"


def results_xml(
    fields: list[str],
    rows: list[dict[str, Any]],
    *,
    preview: bool,
    init_offset: int,
    messages: list[tuple[str, str]],
) -> str:
    flag = "1" if preview else "0"
    if not rows and not messages:
        return f"<?xml version='1.0' encoding='UTF-8'?>\n<results preview='{flag}'/>\n"
    out = [f"<?xml version='1.0' encoding='UTF-8'?>\n<results preview='{flag}'>\n<meta>\n<fieldOrder>\n"]
    out.extend(f"<field>{escape(f)}</field>\n" for f in fields)
    out.append("</fieldOrder>\n</meta>\n")
    if messages:
        out.append("<messages>\n")
        out.extend(f"  <msg type={quoteattr(t)}>{escape(m)}</msg>\n" for t, m in messages)
        out.append("</messages>\n")
    for n, row in enumerate(rows):
        out.append(f"\t<result offset='{init_offset + n}'>\n")
        out.extend(_xml_field(k, row[k]) for k in fields if k in row and row[k] is not None)
        out.append("\t</result>\n")
    out.append("</results>\n")
    return "".join(out)


def results_csv(fields: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        cells = []
        for f in fields:
            v = row.get(f)
            cells.append("\n".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v)))
        writer.writerow(cells)
    return buf.getvalue()
