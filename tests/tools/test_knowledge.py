"""Knowledge tools over the MCP client and raw HTTP, checked against what the sandbox Splunk holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from sandbox import Sandbox
from tests.support import ServerProcess, call_tool, mcp_client, sandbox_service

SAMPLE_SAVED_SEARCHES = {
    "Errors last hour",
    "Failed logins by source",
    "Purge old events",
    "Export assets",
    "Web traffic by status",
}


@contextmanager
def temporary_saved_search(sandbox: Sandbox, name: str, search: str, **settings: str) -> Iterator[str]:
    """A saved search made and removed through the unmodified splunklib (test setup, not a fake)."""
    service = sandbox_service(sandbox)
    service.post("saved/searches", name=name, search=search, **settings)
    try:
        yield name
    finally:
        service.delete(f"saved/searches/{name}")


async def call(server: ServerProcess, token: str, name: str, args: dict[str, Any] | None = None) -> Any:
    async with mcp_client(server, token) as client:
        return (await client.call_tool(name, args or {})).structured_content


async def error_of(server: ServerProcess, token: str, name: str, args: dict[str, Any]) -> str:
    async with mcp_client(server, token) as client:
        result = await client.call_tool(name, args, raise_on_error=False)
    assert result.is_error, result
    return result.content[0].text


def dispatches_of(sandbox: Sandbox, name: str) -> list[Any]:
    quoted = {name.replace(" ", "%20"), name.replace(" ", "+"), name}
    return [
        r
        for r in sandbox.requests
        if r.method == "POST" and r.path.endswith("/dispatch") and any(f"/{q}/" in r.path for q in quoted)
    ]


# --- saved searches ---------------------------------------------------------------------------------


async def test_list_saved_searches_shows_each_sample_with_schedule_alert_type_app_and_owner(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    listed = await call(mcp_server, admin_token, "list_saved_searches", {"count": 1000})
    by_name = {s["name"]: s for s in listed["saved_searches"]}
    assert set(by_name) >= SAMPLE_SAVED_SEARCHES
    errors = by_name["Errors last hour"]
    assert errors["is_scheduled"] is True and errors["cron_schedule"] == "*/15 * * * *"
    assert errors["alert_type"] == "number of events"
    assert errors["search"] == "search index=app log_level=ERROR earliest=-1h"
    failed = by_name["Failed logins by source"]
    assert (failed["app"], failed["owner"]) == ("sandbox_app", "secops")
    report = by_name["Web traffic by status"]
    assert report["is_scheduled"] is False and report["alert_type"] == "always"
    assert listed["page"]["total"] == len(listed["saved_searches"]) and listed["page"]["has_more"] is False


async def test_the_saved_search_filter_is_applied_by_splunk(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    listed = await call(mcp_server, admin_token, "list_saved_searches", {"search": "name=Failed*"})
    assert [s["name"] for s in listed["saved_searches"]] == ["Failed logins by source"]
    asked = [r for r in sandbox.requests if r.path.endswith("/saved/searches") and r.method == "GET"]
    assert asked[-1].params["search"] == "name=Failed*"


async def test_paging_list_saved_searches_walks_every_item_exactly_once(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        everything = (await client.call_tool("list_saved_searches", {"count": 1000})).structured_content
        names: list[str] = []
        offset: int | None = 0
        pages = 0
        while offset is not None:
            page = (
                await client.call_tool("list_saved_searches", {"count": 2, "offset": offset})
            ).structured_content
            names += [s["name"] for s in page["saved_searches"]]
            assert page["page"]["count"] == len(page["saved_searches"]) <= 2
            offset = page["page"]["next_offset"]
            pages += 1
    assert len(names) == len(set(names)) == everything["page"]["total"]
    assert set(names) == {s["name"] for s in everything["saved_searches"]}
    assert pages == -(-len(names) // 2)


async def test_get_saved_search_gives_window_schedule_alert_condition_actions_and_acl(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    found = await call(mcp_server, admin_token, "get_saved_search", {"name": "Failed logins by source"})
    assert found["search"] == "search index=security action=failure | stats count by src_ip | sort -count"
    assert (found["earliest_time"], found["latest_time"]) == ("-24h", "now")
    assert found["is_scheduled"] is True and found["cron_schedule"] == "0 * * * *"
    assert found["next_scheduled_time"]
    alert = found["alert"]
    assert (alert["alert_type"], alert["comparator"], alert["threshold"], alert["severity"]) == (
        "number of results",
        "greater than",
        "0",
        5,
    )
    actions = {a["name"]: a["params"] for a in found["actions"]}
    assert set(actions) == {"email", "webhook"}
    assert actions["email"]["to"] == "soc@sandbox.example"
    assert actions["webhook"]["param.url"] == "https://hooks.sandbox.example/soc"
    assert found["acl"]["owner"] == "secops" and found["acl"]["app"] == "sandbox_app"
    assert "secops" in found["acl"]["write"]
    assert found["triggered_alert_count"] == 2


async def test_an_unknown_saved_search_is_a_tool_error_that_says_where_to_look(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    text = await error_of(mcp_server, admin_token, "get_saved_search", {"name": "No such search"})
    assert "Not found" in text and "No such search" in text and "list_" in text


async def test_run_saved_search_returns_the_rows_of_a_report(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    found = await call(mcp_server, admin_token, "run_saved_search", {"name": "Web traffic by status"})
    assert found["is_done"] is True and found["rows"]
    assert found["earliest_time"] == "-24h" and found["latest_time"] == "now"
    truth = sandbox_service(sandbox).jobs.oneshot(
        "search index=web | stats count by status",
        earliest_time="-24h",
        latest_time="now",
        output_mode="json",
        count=0,
    )
    from splunklib.results import JSONResultsReader

    expected = {row["status"] for row in JSONResultsReader(truth) if isinstance(row, dict)}
    assert {row["status"] for row in found["rows"]} == expected
    assert all(int(row["count"]) > 0 for row in found["rows"])


async def test_run_saved_search_dispatches_without_alert_actions_and_with_the_server_ttl(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    found = await call(mcp_server, admin_token, "run_saved_search", {"name": "Web traffic by status"})
    dispatch = dispatches_of(sandbox, "Web traffic by status")[-1]
    assert dispatch.params["trigger_actions"] == "0"
    assert dispatch.params["dispatch.ttl"] == "600"
    record = next(a for a in sandbox.audit if a.sid == found["sid"])
    assert record.saved_search == "Web traffic by status" and record.trigger_actions is False


async def test_run_saved_search_of_an_alert_does_not_fire_it(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    def fired() -> int:
        return sum(
            1 for a in sandbox.state.catalogue.fired_alerts if a.savedsearch_name == "Errors last hour"
        )

    before = fired()
    found = await call(mcp_server, admin_token, "run_saved_search", {"name": "Errors last hour"})
    assert found["is_done"] is True
    assert fired() == before


async def test_run_saved_search_passes_window_overrides_to_the_dispatch(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    found = await call(
        mcp_server,
        admin_token,
        "run_saved_search",
        {"name": "Web traffic by status", "earliest_time": "-7d", "latest_time": "-1d"},
    )
    dispatch = dispatches_of(sandbox, "Web traffic by status")[-1]
    assert dispatch.params["dispatch.earliest_time"] == "-7d"
    assert dispatch.params["dispatch.latest_time"] == "-1d"
    assert (found["earliest_time"], found["latest_time"]) == ("-7d", "-1d")
    assert found["rows"]


async def test_alert_actions_are_triggered_only_when_the_operator_allows_them(
    server_factory: Callable[..., ServerProcess], admin_token: str, sandbox: Sandbox
) -> None:
    server = server_factory(SPLUNK_MCP_ALLOW_ALERT_ACTIONS="true")
    with temporary_saved_search(
        sandbox, "Actions probe", "search index=web | head 1", actions="email"
    ) as name:
        found = await call(server, admin_token, "run_saved_search", {"name": name})
    assert dispatches_of(sandbox, name)[-1].params["trigger_actions"] == "1"
    assert next(a for a in sandbox.audit if a.sid == found["sid"]).trigger_actions is True


def test_run_saved_search_keeps_to_the_operators_maximum_window(
    narrow_window_server: ServerProcess, admin_token: str
) -> None:
    server = narrow_window_server
    wide = call_tool(
        server.mcp_url,
        admin_token,
        "run_saved_search",
        {"name": "Web traffic by status", "earliest_time": "-30d"},
    )
    assert wide["isError"] and "at most 86400 s" in wide["content"][0]["text"]
    own_window = call_tool(server.mcp_url, admin_token, "run_saved_search", {"name": "Web traffic by status"})
    assert own_window["isError"] is False and own_window["structuredContent"]["rows"]


@pytest.mark.parametrize(
    ("name", "command"), [("Purge old events", "delete"), ("Export assets", "outputlookup")]
)
async def test_a_saved_search_that_writes_is_refused_and_nothing_is_dispatched(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox, name: str, command: str
) -> None:
    audited, requested = len(sandbox.audit), len(sandbox.requests)
    text = await error_of(mcp_server, admin_token, "run_saved_search", {"name": name})
    assert command in text and name in text
    assert not [
        a for a in sandbox.audit[audited:] if command in a.query or command in a.commands or a.saved_search
    ]
    assert not [r for r in sandbox.requests[requested:] if r.method == "POST"]
    assert not dispatches_of(sandbox, name)


async def test_saved_search_history_lists_the_run_just_made(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        run = (
            await client.call_tool("run_saved_search", {"name": "Web traffic by status"})
        ).structured_content
        history = (
            await client.call_tool(
                "get_saved_search_history", {"name": "Web traffic by status", "count": 1000}
            )
        ).structured_content
    runs = {r["sid"]: r for r in history["runs"]}
    assert run["sid"] in runs
    assert runs[run["sid"]]["is_done"] is True and runs[run["sid"]]["dispatched_at"]


async def test_the_analyst_runs_a_security_saved_search_but_sees_none_of_the_security_index(
    mcp_server: ServerProcess, admin_token: str, analyst_token: str
) -> None:
    args = {"name": "Failed logins by source", "earliest_time": "-7d"}
    as_admin = await call(mcp_server, admin_token, "run_saved_search", args)
    as_analyst = await call(mcp_server, analyst_token, "run_saved_search", args)
    assert as_admin["rows"] and all(row["src_ip"] for row in as_admin["rows"])
    assert as_analyst["is_done"] is True and as_analyst["rows"] == []


# --- macros, eventtypes, data models ----------------------------------------------------------------


async def test_list_macros_shows_definitions_and_argument_names(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    listed = await call(mcp_server, admin_token, "list_macros", {"count": 1000})
    macros = {m["name"]: m for m in listed["macros"]}
    assert {
        "web_errors",
        "by_host(1)",
        "sneaky_delete",
        "nested_sneaky",
        "outputs_lookup",
        "failed_logins",
    } <= set(macros)
    assert macros["web_errors"]["definition"] == "index=web status>=500"
    assert macros["by_host(1)"]["args"] == ["h"] and macros["by_host(1)"]["iseval"] is False
    assert macros["failed_logins"]["description"] == "Failed authentication attempts"


async def test_get_macro_reads_a_macro_with_arguments_by_its_stanza_name(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    found = await call(mcp_server, admin_token, "get_macro", {"name": "by_host(1)"})
    assert found["definition"] == "index=web host=$h$" and found["args"] == ["h"]
    assert found["app"] == "search"


async def test_list_eventtypes_shows_searches_and_tags(mcp_server: ServerProcess, admin_token: str) -> None:
    listed = await call(mcp_server, admin_token, "list_eventtypes")
    types = {e["name"]: e for e in listed["eventtypes"]}
    assert types["web_error"]["search"] == "index=web status>=500"
    assert types["web_error"]["tags"] == ["error", "web"]
    assert types["failed_login"]["tags"] == ["authentication", "failure"]
    assert listed["page"]["total"] == 2


async def test_data_models_are_listed_and_one_reads_with_its_fields_and_constraints(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    listed = await call(mcp_server, admin_token, "list_data_models")
    assert [(m["name"], m["objects"], m["accelerated"]) for m in listed["data_models"]] == [
        ("Web", ["Web"], False)
    ]
    model = await call(mcp_server, admin_token, "get_data_model", {"name": "Web"})
    assert model["description"] == "Web server access events"
    (web,) = model["dataset_objects"]
    assert web["parent"] == "BaseEvent"
    assert web["constraints"] == ["index=web sourcetype=access_combined"]
    fields = {f["name"]: f["type"] for f in web["fields"]}
    assert fields["status"] == "number" and fields["clientip"] == "ipv4" and len(fields) == 7
    assert model["acceleration"]["cron_schedule"] == "*/5 * * * *"


# --- lookups ---------------------------------------------------------------------------------------------


async def test_list_lookups_gives_definitions_and_files_with_their_kind(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    listed = await call(mcp_server, admin_token, "list_lookups")
    kinds = {(lk["name"], lk["kind"]): lk for lk in listed["lookups"]}
    assert set(kinds) == {
        ("http_status", "definition"),
        ("known_hosts", "definition"),
        ("assets", "definition"),
        ("http_status.csv", "file"),
        ("known_hosts.csv", "file"),
    }
    assert kinds[("assets", "definition")]["type"] == "kvstore"
    assert kinds[("assets", "definition")]["collection"] == "assets"
    assert kinds[("http_status", "definition")]["filename"] == "http_status.csv"
    assert kinds[("http_status", "definition")]["fields"] == ["status", "status_description"]
    assert listed["page"]["total"] == 5


async def test_paging_list_lookups_crosses_from_definitions_to_files_without_gaps(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    seen: list[tuple[str, str]] = []
    offset: int | None = 0
    async with mcp_client(mcp_server, admin_token) as client:
        while offset is not None:
            page = (await client.call_tool("list_lookups", {"count": 2, "offset": offset})).structured_content
            seen += [(lk["name"], lk["kind"]) for lk in page["lookups"]]
            offset = page["page"]["next_offset"]
    assert len(seen) == len(set(seen)) == 5


async def test_read_lookup_pages_a_csv_lookup_row_by_row_to_the_end(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    rows: list[dict[str, Any]] = []
    offset: int | None = 0
    async with mcp_client(mcp_server, admin_token) as client:
        while offset is not None:
            page = (
                await client.call_tool(
                    "read_lookup", {"name": "http_status.csv", "count": 5, "offset": offset}
                )
            ).structured_content
            rows += page["rows"]
            offset = page["page"]["next_offset"]
    assert page["page"]["total"] == 17 and page["truncated"] is False
    assert [row["status"] for row in rows][:3] == ["200", "201", "204"]
    assert {row["status"]: row["status_description"] for row in rows}["503"] == "Service Unavailable"
    assert len({row["status"] for row in rows}) == 17


async def test_read_lookup_reads_a_kv_store_lookup_definition(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    found = await call(mcp_server, admin_token, "read_lookup", {"name": "assets"})
    hosts = {row["host"]: row for row in found["rows"]}
    assert len(hosts) == 12 and hosts["db-01"]["criticality"] == "critical"
    assert found["page"]["has_more"] is False


def test_read_lookup_refuses_a_name_that_would_smuggle_spl(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    audited = len(sandbox.audit)
    result = call_tool(
        mcp_server.mcp_url, admin_token, "read_lookup", {"name": "http_status.csv | outputlookup x.csv"}
    )
    assert result["isError"] is True and "name" in result["content"][0]["text"]
    assert len(sandbox.audit) == audited


# --- dashboards -------------------------------------------------------------------------------------------


async def test_list_dashboards_tells_classic_from_studio(mcp_server: ServerProcess, admin_token: str) -> None:
    listed = await call(mcp_server, admin_token, "list_dashboards")
    boards = {d["name"]: d for d in listed["dashboards"]}
    assert boards["web_overview"]["kind"] == "classic" and boards["web_overview"]["label"] == "Web overview"
    assert boards["security_posture"]["kind"] == "studio" and boards["security_posture"]["owner"] == "secops"


async def test_get_dashboard_lists_every_panel_search_of_a_classic_dashboard(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    found = await call(mcp_server, admin_token, "get_dashboard", {"name": "web_overview"})
    assert found["searches"] == [
        "index=web | timechart span=1h count by status",
        "`web_errors` | stats count",
        "index=web | top limit=10 uri",
    ]
    assert (
        found["definition"].startswith('<dashboard version="1.1"') and found["definition_truncated"] is False
    )


async def test_get_dashboard_reads_the_json_of_a_studio_dashboard_and_flags_a_cut(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    whole = await call(mcp_server, admin_token, "get_dashboard", {"name": "security_posture"})
    assert whole["searches"] == [
        "`failed_logins` | timechart span=1h count",
        "index=security action=failure | stats count by src_ip | sort -count | head 10",
    ]
    assert whole["definition"].startswith("{") and '"dataSources"' in whole["definition"]
    cut = await call(mcp_server, admin_token, "get_dashboard", {"name": "security_posture", "max_chars": 500})
    assert cut["definition_truncated"] is True and "…[truncated" in cut["definition"]
    assert cut["searches"] == whole["searches"]


# --- configuration files ------------------------------------------------------------------------------


async def test_config_stanzas_list_and_read_with_their_settings(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    listed = await call(mcp_server, admin_token, "list_config_stanzas", {"file": "props"})
    stanzas = {s["name"]: s for s in listed["stanzas"]}
    assert set(stanzas) == {"access_combined", "linux_secure", "app:log"}
    assert "LOOKUP-http_status" in stanzas["access_combined"]["keys"]
    found = await call(
        mcp_server, admin_token, "get_config_stanza", {"file": "props.conf", "stanza": "access_combined"}
    )
    assert found["settings"]["LOOKUP-http_status"] == "http_status status OUTPUT status_description"
    assert found["masked_keys"] == [] and not any(k.startswith("eai:") for k in found["settings"])


@pytest.mark.parametrize("file", ["server", "passwords.conf", "authentication", "outputs", "inputs"])
async def test_conf_files_that_hold_credentials_are_refused(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox, file: str
) -> None:
    requested = len(sandbox.requests)
    text = await error_of(mcp_server, admin_token, "get_config_stanza", {"file": file, "stanza": "general"})
    assert "refused" in text and "credential" in text
    listing = await error_of(mcp_server, admin_token, "list_config_stanzas", {"file": file})
    assert "refused" in listing
    assert not [r for r in sandbox.requests[requested:] if "conf-" in r.path]


@pytest.fixture
def secret_saved_search(sandbox: Sandbox) -> Iterator[str]:
    """A saved search whose alert actions carry credentials."""
    with temporary_saved_search(
        sandbox,
        "Webhook with secrets",
        "search index=web status>=500",
        actions="email,webhook",
        **{
            "action.email.auth_password": "hunter2",
            "action.email.to": "ops@sandbox.example",
            "action.webhook.param.token": "tok-123456",
        },
    ) as name:
        yield name


async def test_secret_settings_are_masked_in_conf_stanzas_and_saved_search_actions(
    mcp_server: ServerProcess, admin_token: str, secret_saved_search: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        stanza = (
            await client.call_tool(
                "get_config_stanza", {"file": "savedsearches", "stanza": secret_saved_search}
            )
        ).structured_content
        saved = (await client.call_tool("get_saved_search", {"name": secret_saved_search})).structured_content
    assert stanza["settings"]["action.email.auth_password"] == "********"
    assert stanza["settings"]["action.webhook.param.token"] == "********"
    assert stanza["settings"]["action.email.to"] == "ops@sandbox.example"
    assert set(stanza["masked_keys"]) == {"action.email.auth_password", "action.webhook.param.token"}
    actions = {a["name"]: a["params"] for a in saved["actions"]}
    assert actions["email"]["auth_password"] == "********" and actions["webhook"]["param.token"] == "********"
    assert "hunter2" not in repr(stanza) + repr(saved) and "tok-123456" not in repr(stanza) + repr(saved)


async def test_an_unknown_lookup_or_conf_file_is_a_tool_error_with_splunks_reason(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    lookup = await error_of(mcp_server, admin_token, "read_lookup", {"name": "no_such_lookup.csv"})
    conf = await error_of(mcp_server, admin_token, "list_config_stanzas", {"file": "no_such_file"})
    assert "no_such_lookup.csv" in lookup
    assert "Not found" in conf
