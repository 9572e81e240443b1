"""Configuration endpoints read and written through the unmodified splunklib: Atom feeds, JSON, namespaces."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable

import pytest
import splunklib.binding as binding
import splunklib.client as client

from sandbox import Sandbox
from sandbox.events import EventStore


def _json(response: binding.ResponseReader) -> dict:
    return json.loads(response.body.read())


def test_server_info_reports_a_numeric_version_and_no_instance_type(admin: client.Service) -> None:
    info = admin.info
    assert info["version"] == "9.3.2"
    assert admin.splunk_version == (9, 3, 2)
    assert "instance_type" not in info
    assert info["product_type"] == "enterprise"
    assert admin.disable_v2_api is False


def test_server_info_json_envelope_hoists_the_acl(admin: client.Service) -> None:
    doc = _json(admin.get("/services/server/info", output_mode="json"))
    entry = doc["entry"][0]
    assert entry["name"] == "server-info"
    assert entry["content"]["eai:acl"] is None
    assert entry["acl"]["sharing"] == "system"
    assert doc["generator"]["version"] == "9.3.2"
    assert doc["paging"] == {"total": 1, "perPage": 30, "offset": 0}


def test_current_context_names_user_roles_and_capabilities(connect: Callable[..., client.Service]) -> None:
    content = _json(
        connect(username="analyst", password="analyst-pass").get(
            "authentication/current-context", output_mode="json"
        )
    )["entry"][0]["content"]
    assert content["username"] == "analyst"
    assert content["roles"] == ["analyst"]
    assert "search" in content["capabilities"]
    assert "admin_all_objects" not in content["capabilities"]


def test_health_and_messages_and_catalog(admin: client.Service) -> None:
    assert (
        _json(admin.get("server/health/splunkd", output_mode="json"))["entry"][0]["content"]["health"]
        == "green"
    )
    details = _json(admin.get("server/health/splunkd/details", output_mode="json"))["entry"][0]["content"]
    assert details["features"]
    assert [m.name for m in admin.messages.list()] == ["sandbox_notice"]
    catalog = _json(admin.get("/services", output_mode="json"))
    assert {"saved", "search", "data", "storage"} <= {e["name"] for e in catalog["entry"]}


def test_indexes_match_the_event_store(admin: client.Service, store: EventStore) -> None:
    listed = {i.name: i for i in admin.indexes.list()}
    events = {n for n, info in store.indexes.items() if info.datatype == "event"}
    assert set(listed) == events
    web = listed["web"]
    assert int(web["totalEventCount"]) == store.indexes["web"].event_count
    assert web["datatype"] == "event"
    assert web.access.owner == "nobody" and web.access.app == "system"
    assert {i.name for i in admin.indexes.list(datatype="metric")} == {"os_metrics"}
    assert {i.name for i in admin.indexes.list(datatype="all")} == set(store.indexes)


def test_index_paging_with_iter_pagesize(admin: client.Service, sb: Sandbox) -> None:
    before = len(sb.requests)
    names = [i.name for i in admin.indexes.iter(pagesize=2, datatype="all")]
    assert names == sorted(names) and len(names) == 6
    pages = [r.params for r in sb.requests[before:]]
    assert [(p["count"], p["offset"]) for p in pages] == [("2", "0"), ("2", "2"), ("2", "4"), ("2", "6")]


def test_single_index_refreshes_through_its_acl_namespace(admin: client.Service, sb: Sandbox) -> None:
    index = admin.indexes["security"]
    index.refresh()
    assert sb.requests[-1].path == "/servicesNS/nobody/system/data/indexes/security"
    assert index["isInternal"] == "0"
    with pytest.raises(KeyError):
        admin.indexes["nope"]


def test_analyst_cannot_see_security_or_internal(connect: Callable[..., client.Service]) -> None:
    analyst = connect(username="analyst", password="analyst-pass")
    assert {i.name for i in analyst.indexes.list(datatype="all")} == {"main", "web", "app", "os_metrics"}
    with pytest.raises(KeyError):
        analyst.indexes["security"]
    secops = connect(splunkToken="sbx-secops-token")
    assert {i.name for i in secops.indexes.list(datatype="all")} == {"main", "security"}


def test_apps_users_roles_capabilities(admin: client.Service, connect: Callable[..., client.Service]) -> None:
    assert {a.name for a in admin.apps.list()} == {"search", "launcher", "sandbox_app"}
    assert admin.apps["sandbox_app"]["label"] == "Sandbox Operations"
    assert {u.name for u in admin.users.list()} == {"admin", "analyst", "secops"}
    assert admin.users["ANALYST"].roles == ["analyst"]
    roles = {r.name: r for r in admin.roles.list()}
    assert roles["analyst"]["srchIndexesAllowed"] == ["main", "web", "app", "os_metrics"]
    assert roles["analyst"]["imported_roles"] == ["user"]
    assert roles["secops"]["srchIndexesAllowed"] == ["main", "security"]
    assert "admin_all_objects" in admin.capabilities
    analyst = connect(splunkToken="sbx-analyst-token")
    assert [u.name for u in analyst.users.list()] == ["analyst"]


def test_saved_searches_carry_alert_settings(admin: client.Service) -> None:
    names = {s.name for s in admin.saved_searches.list()}
    assert {
        "Errors last hour",
        "Failed logins by source",
        "Purge old events",
        "Export assets",
        "Web traffic by status",
    } <= names
    errors = admin.saved_searches["Errors last hour"]
    assert errors["search"] == "search index=app log_level=ERROR earliest=-1h"
    assert errors["is_scheduled"] == "1"
    assert errors["alert.severity"] == "4"
    assert errors["actions"] == "email"
    assert errors["cron_schedule"]
    assert admin.saved_searches["Purge old events"]["is_scheduled"] == "0"
    assert (
        admin.saved_searches["Export assets"]["search"]
        == "| inputlookup assets | outputlookup assets_copy.csv"
    )


def test_saved_search_create_update_delete(admin: client.Service) -> None:
    created = admin.saved_searches.create("sbx crud test", "search index=web status=404 | stats count")
    try:
        assert created["search"] == "search index=web status=404 | stats count"
        created.update(description="404s", **{"dispatch.earliest_time": "-4h"})
        created.refresh()
        assert created["description"] == "404s"
        assert created["dispatch.earliest_time"] == "-4h"
        with pytest.raises(binding.HTTPError) as err:
            admin.saved_searches.create("sbx crud test", "search *")
        assert err.value.status == 409
    finally:
        admin.saved_searches.delete("sbx crud test")
    assert "sbx crud test" not in admin.saved_searches


def test_unknown_saved_search_is_404_could_not_find_object(admin: client.Service, sb: Sandbox) -> None:
    with pytest.raises(KeyError):
        admin.saved_searches["No such search"]
    assert sb.requests[-1].path == "/services/saved/searches/No+such+search"
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request(
        "GET", "/services/saved/searches/No+such+search", headers={"Authorization": "Bearer sbx-admin-token"}
    )
    resp = conn.getresponse()
    assert resp.status == 404
    assert (
        "<msg type=\"ERROR\">In handler 'savedsearch': Could not find object id=No such search</msg>"
        in resp.read().decode()
    )


def test_fired_alerts_group_feed_and_per_alert_feed(admin: client.Service) -> None:
    groups = {g.name: g for g in admin.fired_alerts}
    assert set(groups) == {"-", "Errors last hour", "Failed logins by source"}
    assert groups["-"].count == groups["Errors last hour"].count + groups["Failed logins by source"].count
    alerts = list(groups["Errors last hour"].alerts)
    assert len(alerts) == groups["Errors last hour"].count == 3
    assert {a["savedsearch_name"] for a in alerts} == {"Errors last hour"}
    assert alerts[0]["severity"] == "4"
    assert len(list(admin.saved_searches["Failed logins by source"].fired_alerts)) == 2


def test_macros_are_conf_stanzas_with_args(admin: client.Service) -> None:
    macros = {s.name: s for s in admin.confs["macros"]}
    assert macros["web_errors"]["definition"] == "index=web status>=500"
    assert macros["by_host(1)"]["args"] == "h"
    assert macros["by_host(1)"]["definition"] == "index=web host=$h$"
    assert macros["sneaky_delete"]["definition"] == "index=main | delete"
    assert macros["nested_sneaky"]["definition"] == "`sneaky_delete`"
    assert macros["outputs_lookup"]["definition"] == "| outputlookup evil.csv"
    assert macros["failed_logins"]["definition"] == "index=security action=failure"


def test_macro_create_update_delete(admin: client.Service) -> None:
    macros = admin.confs["macros"]
    macros.create("sbx_tmp_macro", definition="index=main")
    try:
        stanza = admin.confs["macros"]["sbx_tmp_macro"]
        stanza.submit({"definition": "index=web"})
        stanza.refresh()
        assert stanza["definition"] == "index=web"
    finally:
        macros.delete("sbx_tmp_macro")
    assert "sbx_tmp_macro" not in {s.name for s in admin.confs["macros"]}


def test_properties_endpoints(admin: client.Service) -> None:
    assert {"macros", "props", "savedsearches", "transforms"} <= {c.name for c in admin.confs.list()}
    body = admin.get("properties/macros/web_errors/definition").body.read().decode()
    assert body == "index=web status>=500"
    keys = admin.get("properties/macros/web_errors").body.read().decode()
    assert '<content type="text">index=web status&gt;=500</content>' in keys
    with pytest.raises(KeyError):
        admin.confs["nosuchconf"]


def test_eventtypes_views_datamodels_lookups(admin: client.Service) -> None:
    eventtypes = {e.name: e for e in client.Collection(admin, "saved/eventtypes")}
    assert eventtypes["web_error"]["search"] == "index=web status>=500"
    assert "failed_login" in eventtypes
    views = _json(admin.get("data/ui/views", owner="-", app="-", output_mode="json", count=0))
    by_name = {e["name"]: e["content"] for e in views["entry"]}
    assert by_name["web_overview"]["eai:data"].startswith("<dashboard")
    assert '"dataSources"' in by_name["security_posture"]["eai:data"]
    assert by_name["security_posture"]["version"] == "2"
    model = client.Collection(admin, "datamodel/model")["Web"]
    assert json.loads(model["description"])["objects"][0]["objectName"] == "Web"
    lookups = {e.name: e for e in client.Collection(admin, "data/transforms/lookups")}
    assert lookups["assets"]["external_type"] == "kvstore"
    assert lookups["http_status"]["filename"] == "http_status.csv"
    files = {e.name for e in client.Collection(admin, "data/lookup-table-files")}
    assert files == {"http_status.csv", "known_hosts.csv"}


def test_servicesns_paths_and_app_context(sb: Sandbox) -> None:
    scoped = client.connect(
        host="127.0.0.1",
        port=sb.port,
        scheme="http",
        username="admin",
        password="changeme",
        owner="admin",
        app="sandbox_app",
    )
    views = {v.name for v in client.Collection(scoped, "data/ui/views")}
    assert views == {"web_overview", "security_posture"}
    assert sb.requests[-1].path == "/servicesNS/admin/sandbox_app/data/ui/views"
    search_scoped = client.connect(
        host="127.0.0.1",
        port=sb.port,
        scheme="http",
        username="admin",
        password="changeme",
        owner="admin",
        app="search",
    )
    assert not list(client.Collection(search_scoped, "data/ui/views"))


def test_collection_search_filter_and_count(admin: client.Service) -> None:
    assert [s.name for s in admin.saved_searches.list(search="name=Errors*")] == ["Errors last hour"]
    feed = _json(admin.get("saved/searches", output_mode="json", count=2, offset=1))
    assert len(feed["entry"]) == 2
    assert feed["paging"]["offset"] == 1 and feed["paging"]["perPage"] == 2
    xml = admin.get("apps/local", count=-1).body.read().decode()
    assert "<opensearch:itemsPerPage>10000000</opensearch:itemsPerPage>" in xml


def test_unknown_endpoint_is_404(admin: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as err:
        admin.get("no/such/endpoint")
    assert err.value.status == 404
