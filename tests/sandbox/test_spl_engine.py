"""The sandbox's SPL engine, driven through run_search with a small in-test environment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from sandbox.events import ATTACKER_IP, EventStore, build_event_store
from sandbox.spl import MacroDef, SplError, parse_query, parse_time_modifier, run_search

NOW = 1_795_000_000.0  # Wed 2026-11-18 11:06:40 UTC
ALL_INDEXES = frozenset({"main", "web", "app", "security", "os_metrics", "_internal"})


@dataclass
class Env:
    store: EventStore
    user: str = "admin"
    readable_indexes: frozenset[str] = ALL_INDEXES
    default_indexes: tuple[str, ...] = ("main",)
    now: float = NOW
    macros: dict[tuple[str, int], MacroDef] = field(
        default_factory=lambda: {
            ("web_errors", 0): MacroDef((), "index=web status>=500"),
            ("count_by", 1): MacroDef(("field",), "stats count by $field$"),
            ("errors_of", 2): MacroDef(("idx", "level"), "index=$idx$ log_level=$level$"),
            ("nested", 0): MacroDef((), "`web_errors` | `count_by(host)`"),
            ("purge", 0): MacroDef((), "delete"),
            ("loop", 0): MacroDef((), "`loop`"),
            ("status_of", 1): MacroDef(("code",), '"status=" . $code$', iseval=True),
        }
    )
    lookups: dict[str, list[dict[str, str]]] = field(
        default_factory=lambda: {
            "host_owners.csv": [
                {"host": "web-01", "owner": "alice", "team": "shop"},
                {"host": "web-02", "owner": "bob", "team": "shop"},
                {"host": "web-03", "owner": "carol", "team": "platform"},
            ]
        }
    )
    saved: dict[str, str] = field(
        default_factory=lambda: {
            "Web 5xx by host": "index=web status>=500 | stats count by host",
            "Self": "| savedsearch Self",
        }
    )
    rest_calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def macro(self, name: str, argc: int) -> MacroDef | None:
        return self.macros.get((name, argc))

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        return self.lookups.get(name)

    def rest_rows(self, path: str, params: dict[str, str]) -> list[dict[str, object]]:
        self.rest_calls.append((path, params))
        return [
            {"title": "main", "totalEventCount": 42, "disabled": False, "eai:acl.app": "search"},
            {"title": "web", "totalEventCount": 7, "disabled": True, "eai:acl.app": "search"},
        ]

    def saved_search_query(self, name: str) -> str | None:
        return self.saved.get(name)


@pytest.fixture(scope="module")
def store() -> EventStore:
    return build_event_store(seed=42, count=20_000, days=7, now=NOW)


@pytest.fixture
def env(store: EventStore) -> Env:
    return Env(store)


def rows(env: Env, query: str, **times: str) -> list[dict]:
    return run_search(query, env, **times).rows


def spl_error(env: Env, query: str, **times: str) -> str:
    with pytest.raises(SplError) as info:
        run_search(query, env, **times)
    assert info.value.status == 400
    return info.value.message


# -- query shape and error wording ---------------------------------------------------------------------


def test_a_query_without_search_or_a_leading_pipe_is_an_unknown_command(env: Env) -> None:
    assert spl_error(env, "index=web error") == "Unknown search command 'index'."


def test_an_unknown_command_anywhere_fails_before_anything_runs(env: Env) -> None:
    assert spl_error(env, "search index=web | delete | stast count") == "Unknown search command 'stast'."


def test_an_invalid_stats_function_uses_splunkd_wording(env: Env) -> None:
    message = spl_error(env, "search index=web | stats bogus(x) by host")
    assert message == "Error in 'stats' command: The argument 'bogus(x)' is invalid."


def test_unbalanced_parentheses_use_splunkd_wording(env: Env) -> None:
    message = spl_error(env, "search index=web (status=500 OR status=503")
    assert message == "Error in 'search' command: Unable to parse the search: unbalanced parentheses."


def test_a_generating_command_later_in_the_pipeline_is_rejected(env: Env) -> None:
    message = spl_error(env, "search index=web | makeresults")
    assert message == "Error in 'makeresults' command: This command must be the first command of a search."


def test_eval_errors_name_the_unknown_function(env: Env) -> None:
    message = spl_error(env, "search index=web | eval x=frobnicate(status)")
    assert message == "Error in 'EvalCommand': The 'frobnicate' function is unsupported or undefined."


# -- the base search -------------------------------------------------------------------------------------


def test_event_rows_carry_splunkds_default_fields_newest_first(env: Env) -> None:
    outcome = run_search("search index=web | head 5", env)
    assert len(outcome.rows) == 5
    row = outcome.rows[0]
    for name in ("_raw", "_time", "host", "source", "sourcetype", "index", "linecount", "clientip", "status"):
        assert name in row
    assert row["splunk_server"] == "sandbox-sh"
    assert row["_time"].endswith("+00:00") and row["_time"][10] == "T" and row["_time"][19] == "."
    assert [r["_time"] for r in outcome.rows] == sorted((r["_time"] for r in outcome.rows), reverse=True)
    assert outcome.fields[: outcome.fields.index("_time") + 1] == [
        f for f in outcome.fields if f.startswith("_")
    ]
    assert outcome.fields.index("host") < outcome.fields.index("clientip")
    assert not outcome.is_transforming


def test_every_value_is_a_string_or_a_list_of_strings(env: Env) -> None:
    for row in rows(env, "search index=security | head 50"):
        for value in row.values():
            assert isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            )


def test_field_values_match_case_insensitively_with_wildcards(env: Env) -> None:
    upper = run_search("search index=app log_level=error service=CHECKOUT-*", env)
    assert upper.event_count > 0
    assert {r["service"] for r in upper.rows} == {"checkout-service"}
    assert {r["log_level"] for r in upper.rows} == {"ERROR"}


def test_field_names_are_case_sensitive(env: Env) -> None:
    assert rows(env, "search index=web STATUS=200") == []


def test_numeric_comparisons_and_not_equal(env: Env) -> None:
    statuses = {r["status"] for r in rows(env, "search index=web status>=500 status!=502")}
    assert statuses and all(int(s) >= 500 for s in statuses) and "502" not in statuses


def test_or_not_and_parentheses_combine(env: Env) -> None:
    found = rows(env, "search index=web (status=404 OR status=401) NOT method=GET")
    assert found and all(r["status"] in ("404", "401") and r["method"] != "GET" for r in found)


def test_keywords_match_whole_terms_of_raw_and_phrases_match_in_order(env: Env) -> None:
    phrase = rows(env, 'search index=security "failed password" | head 20')
    assert phrase and all("Failed password" in r["_raw"] for r in phrase)
    assert run_search("search index=app PaymentGateway", env).event_count > 0
    assert run_search("search index=app PaymentGate", env).event_count == 0  # not a whole term
    assert run_search("search index=app PaymentGate*", env).event_count > 0


def test_an_in_list_matches_any_value(env: Env) -> None:
    found = {r["status"] for r in rows(env, "search index=web status IN (401, 404) | head 100")}
    assert found <= {"401", "404"} and found


def test_no_index_means_the_default_indexes(env: Env) -> None:
    assert {r["index"] for r in rows(env, "search * | head 50")} == {"main"}


def test_index_star_skips_internal_and_metric_indexes_unless_named(env: Env) -> None:
    everything = {r["index"] for r in rows(env, "search index=* | stats count by index")}
    assert everything == {"main", "web", "app", "security"}
    with_internal = {
        r["index"] for r in rows(env, "search index=* OR index=_internal | stats count by index")
    }
    assert "_internal" in with_internal


def test_indexes_the_role_cannot_read_are_silently_empty(env: Env) -> None:
    env.readable_indexes = frozenset({"main", "web"})
    outcome = run_search("search index=security OR index=web | stats count by index", env)
    assert [r["index"] for r in outcome.rows] == ["web"]
    assert run_search("search index=security", env).rows == []


def test_event_and_scan_counts(env: Env) -> None:
    outcome = run_search("search index=web status=404", env)
    assert 0 < outcome.event_count == len(outcome.rows) < outcome.scan_count
    assert outcome.scan_count == env.store.indexes["web"].event_count


# -- time ranges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modifier", "expected"),
    [
        ("now", NOW),
        ("-24h", NOW - 86400),
        ("-7d@d", 1_794_355_200.0),  # 2026-11-11 00:00 UTC
        ("-1d@d", 1_794_873_600.0),  # 2026-11-17 00:00 UTC
        ("@h", 1_794_999_600.0),
        ("@w1", 1_794_787_200.0),  # Monday 2026-11-16
        ("-1d@d+8h", 1_794_902_400.0),
        ("-1mon@mon", 1_790_812_800.0),  # 2026-10-01
        ("1700000000", 1_700_000_000.0),
        ("2026-11-18T10:00:00Z", 1_794_996_000.0),
        ("0", 0.0),
        ("", None),
    ],
)
def test_time_modifiers_resolve_with_snapping(modifier: str, expected: float | None) -> None:
    assert parse_time_modifier(modifier, NOW) == expected


def test_a_junk_time_modifier_is_rejected() -> None:
    with pytest.raises(SplError):
        parse_time_modifier("yesterday-ish", NOW)


def test_the_api_time_range_bounds_the_base_search(env: Env) -> None:
    found = rows(env, "search index=web | table _time", earliest_time="-1h", latest_time="now")
    assert found
    assert all("2026-11-18T10:06:40" <= r["_time"] < "2026-11-18T11:06:41" for r in found)


def test_inline_earliest_and_latest_override_the_api_range_and_snap(env: Env) -> None:
    found = rows(
        env,
        "search index=web earliest=-1d@d latest=@d | stats min(_time) AS lo max(_time) AS hi",
        earliest_time="-1h",
    )
    lo, hi = float(found[0]["lo"]), float(found[0]["hi"])
    assert 1_794_873_600 <= lo < 1_794_873_600 + 3600
    assert 1_794_960_000 - 3600 < hi < 1_794_960_000


def test_an_invalid_inline_time_uses_splunkd_wording(env: Env) -> None:
    assert (
        spl_error(env, "search index=web earliest=soon") == "Invalid value \"soon\" for time term 'earliest'"
    )


def test_an_invalid_api_time_is_rejected(env: Env) -> None:
    assert spl_error(env, "search index=web", earliest_time="whenever") == "Invalid earliest_time."


# -- streaming commands -------------------------------------------------------------------------------------


def test_head_stops_scanning_early_and_tail_returns_the_oldest_last_first(env: Env) -> None:
    head = run_search("search index=web | head 3", env)
    assert len(head.rows) == 3 and head.scan_count < 100
    tail = rows(env, "search index=web | tail 2")
    assert len(tail) == 2 and tail[0]["_time"] < tail[1]["_time"]


def test_fields_keep_or_drop_and_table_orders_columns(env: Env) -> None:
    kept = run_search("search index=web | head 2 | fields host, status", env)
    assert {k for k in kept.rows[0] if not k.startswith("_")} == {"host", "status"}
    dropped = rows(env, "search index=web | head 2 | fields - clientip useragent")
    assert "clientip" not in dropped[0] and "status" in dropped[0]
    table = run_search("search index=web | head 2 | table status host uri*", env)
    assert table.fields == ["status", "host", "uri", "uri_path"]
    assert set(table.rows[0]) <= {"status", "host", "uri", "uri_path"}


def test_rename_sort_and_dedup(env: Env) -> None:
    found = rows(env, "search index=web | dedup host | rename host AS server | sort - server | table server")
    assert [r["server"] for r in found] == ["web-04", "web-03", "web-02", "web-01"]
    numeric = rows(env, "search index=web | head 200 | sort 5 -bytes | table bytes")
    values = [int(r["bytes"]) for r in numeric]
    assert len(values) == 5 and values == sorted(values, reverse=True)


def test_eval_arithmetic_strings_and_functions(env: Env) -> None:
    expr = (
        'kb=round(bytes/1024, 2), tag=upper(method) . ":" . status, big=if(bytes>10000, "yes", "no"), '
        'band=case(status>=500, "5xx", status>=400, "4xx", true(), "ok"), n=len(host), part=substr(host, 1, 3), '
        'none=null(), first=mvindex(split("a,b,c", ","), 0), day=strftime(_time, "%Y-%m-%d"), '
        'when=relative_time(now(), "-1d@d"), back=strptime("2026-11-18", "%Y-%m-%d"), '
        'ip=coalesce(nothing, clientip), n2=tonumber("7") + 1, s=tostring(5), fixed=replace(host, "web", "www")'
    )
    row = rows(env, f"search index=web | head 1 | eval {expr}")[0]
    assert row["kb"] == str(round(int(row["bytes"]) / 1024, 2)).rstrip("0").rstrip(".")
    assert row["tag"] == f"{row['method']}:{row['status']}"
    assert row["big"] == ("yes" if int(row["bytes"]) > 10000 else "no")
    assert row["band"] in ("5xx", "4xx", "ok")
    assert row["n"] == "6" and row["part"] == "web" and "none" not in row and row["first"] == "a"
    assert row["day"] == "2026-11-18" and row["when"] == "1794873600" and row["back"] == "1794960000"
    assert row["ip"] == row["clientip"] and row["n2"] == "8" and row["s"] == "5"
    assert row["fixed"].startswith("www-")


def test_where_filters_with_eval_expressions(env: Env) -> None:
    found = rows(
        env, 'search index=web | where status>=500 AND like(uri, "/checkout%") AND isnotnull(clientip)'
    )
    assert found and all(int(r["status"]) >= 500 and r["uri"].startswith("/checkout") for r in found)
    assert rows(
        env, 'search index=web | where match(host, "^web-0[12]$") | dedup host | sort host | table host'
    ) == [
        {"host": "web-01"},
        {"host": "web-02"},
    ]


def test_rex_extracts_pcre_named_groups(env: Env) -> None:
    found = rows(
        env, 'search index=app sourcetype=app:log | rex "\\[(?<svc>[a-z-]+)\\] (?<msg>\\w+)" | head 5'
    )
    assert all(r["svc"] == r["service"] for r in found)
    wording = spl_error(env, 'search index=app | rex "no groups"')
    assert wording.startswith("Error in 'rex' command: The regex 'no groups' does not extract anything.")


def test_fillnull_makemv_and_spath(env: Env) -> None:
    filled = rows(
        env, "search index=main OR index=web | head 300 | fillnull value=none status | stats count by status"
    )
    assert "none" in {r["status"] for r in filled}
    mv = rows(env, '| makeresults | eval list="a;b;c" | makemv delim=";" list')
    assert mv[0]["list"] == ["a", "b", "c"]
    parsed = rows(
        env, "search index=app sourcetype=app:json | head 3 | spath output=lvl path=level | table lvl level"
    )
    assert parsed and all(r["lvl"] == r["level"] for r in parsed)


def test_lookup_adds_output_fields_by_key(env: Env) -> None:
    found = rows(env, "search index=web | lookup host_owners.csv host OUTPUT owner | stats count by owner")
    assert [r["owner"] for r in found] == ["alice", "bob", "carol"]
    wording = spl_error(env, "search index=web | lookup nope.csv host")
    assert (
        wording
        == "Error in 'lookup' command: Could not construct lookup 'nope.csv, host'. See search.log for more details."
    )


# -- transforming commands ------------------------------------------------------------------------------------


def test_stats_functions_with_renames_and_groups(env: Env) -> None:
    query = (
        "search index=web | stats count, count(eval(status>=500)) AS errors, dc(clientip) AS clients, "
        "sum(bytes) AS total, avg(bytes) min(bytes) max(bytes) median(bytes) perc95(bytes), "
        "values(method) AS methods, latest(status) AS last_status, earliest(_time) AS first_seen by host"
    )
    outcome = run_search(query, env)
    assert outcome.is_transforming
    assert outcome.fields[:4] == ["host", "count", "errors", "clients"]
    assert [r["host"] for r in outcome.rows] == ["web-01", "web-02", "web-03", "web-04"]
    row = outcome.rows[2]
    assert int(row["errors"]) < int(row["count"])
    assert (
        float(row["min(bytes)"])
        <= float(row["median(bytes)"])
        <= float(row["perc95(bytes)"])
        <= float(row["max(bytes)"])
    )
    assert isinstance(row["methods"], list) and "GET" in row["methods"]
    assert abs(float(row["avg(bytes)"]) * int(row["count"]) - int(row["total"])) < 1


def test_web_03_has_the_most_server_errors(env: Env) -> None:
    found = rows(env, "search index=web status>=500 | stats count by host | sort - count | head 1")
    assert found[0]["host"] == "web-03"


def test_the_brute_force_source_tops_failed_logins(env: Env) -> None:
    found = rows(env, "search index=security action=failure | top limit=1 src_ip", earliest_time="-24h")
    assert found[0]["src_ip"] == ATTACKER_IP
    assert 50 < float(found[0]["percent"]) <= 100 and "." in found[0]["percent"]


def test_eventstats_adds_aggregates_to_every_row(env: Env) -> None:
    found = rows(env, "search index=web | head 20 | eventstats count AS total by host | table host total")
    assert sum({r["host"]: int(r["total"]) for r in found}.values()) == 20


def test_timechart_buckets_by_span_and_zero_fills(env: Env) -> None:
    outcome = run_search("search index=web | timechart span=1h count by host", env, earliest_time="-6h@h")
    assert outcome.fields[:5] == ["_time", "web-01", "web-02", "web-03", "web-04"]
    assert len(outcome.rows) == 7
    assert outcome.rows[0]["_time"] == "2026-11-18T05:00:00.000+00:00"
    assert all(r["web-01"].isdigit() for r in outcome.rows)


def test_chart_splits_rows_and_columns(env: Env) -> None:
    found = rows(env, "search index=web | chart count by host method")
    assert [r["host"] for r in found] == ["web-01", "web-02", "web-03", "web-04"]
    assert {"GET", "POST"} <= set(found[0])


def test_rare_lists_the_least_common_values_first(env: Env) -> None:
    found = rows(env, "search index=web | rare limit=3 status")
    counts = [int(r["count"]) for r in found]
    assert counts == sorted(counts) and len(found) == 3


def test_fieldsummary_reports_counts_and_values_as_json(env: Env) -> None:
    found = {r["field"]: r for r in rows(env, "search index=web | head 100 | fieldsummary maxvals=3")}
    status = found["status"]
    assert status["count"] == "100" and status["numeric_count"] == "100" and status["is_exact"] == "1"
    values = json.loads(status["values"])
    assert (
        len(values) <= 3
        and values[0]["count"] >= values[-1]["count"]
        and set(values[0]) == {"value", "count"}
    )
    assert "mean" not in found["host"] and float(found["bytes"]["max"]) >= float(found["bytes"]["min"])


# -- generating commands ----------------------------------------------------------------------------------------


def test_makeresults_generates_rows_at_now(env: Env) -> None:
    outcome = run_search("| makeresults count=3 | eval x=2*3", env)
    assert outcome.rows == [{"_time": "2026-11-18T11:06:40.000+00:00", "x": "6"}] * 3
    assert outcome.commands == ["makeresults", "eval"] and outcome.event_count == 0


def test_metadata_lists_hosts_with_times_and_counts(env: Env) -> None:
    outcome = run_search("| metadata type=hosts index=web", env)
    assert outcome.fields == ["firstTime", "host", "lastTime", "recentTime", "totalCount", "type"]
    assert [r["host"] for r in outcome.rows] == ["web-01", "web-02", "web-03", "web-04"]
    assert sum(int(r["totalCount"]) for r in outcome.rows) == env.store.indexes["web"].event_count
    assert all(r["type"] == "hosts" and int(r["firstTime"]) <= int(r["lastTime"]) for r in outcome.rows)


def test_tstats_counts_by_indexed_fields_and_time(env: Env) -> None:
    by_index = rows(env, "| tstats count where index=* by index")
    assert {r["index"]: int(r["count"]) for r in by_index}["web"] == env.store.indexes["web"].event_count
    by_day = rows(env, "| tstats count where index=web sourcetype=access_combined by _time span=1d")
    assert all(r["_time"].endswith("T00:00:00.000+00:00") for r in by_day) and len(by_day) == 8
    assert rows(env, "| tstats count where index=web status=200") == [{"count": "0"}]  # not an indexed field


def test_eventcount_lists_readable_indexes(env: Env) -> None:
    env.readable_indexes = frozenset({"main", "web", "_internal"})
    found = rows(env, "| eventcount summarize=false index=*")
    assert [r["index"] for r in found] == ["web", "main"]
    assert all(r["server"] == "sandbox-sh" and r["count"].isdigit() for r in found)


def test_inputlookup_reads_a_lookup_and_rejects_unknown_ones(env: Env) -> None:
    found = rows(env, '| inputlookup host_owners.csv | where team="shop"')
    assert [r["owner"] for r in found] == ["alice", "bob"]
    wording = spl_error(env, "| inputlookup missing.csv")
    assert (
        wording
        == "Error in 'inputlookup' command: The lookup table 'missing.csv' does not exist or is not available."
    )


def test_rest_rows_become_string_results(env: Env) -> None:
    found = rows(env, "| rest /services/data/indexes count=1 splunk_server=local")
    assert found == [
        {
            "title": "main",
            "totalEventCount": "42",
            "disabled": "0",
            "eai:acl.app": "search",
            "splunk_server": "sandbox-sh",
        }
    ]
    assert env.rest_calls == [("/services/data/indexes", {"count": "1", "splunk_server": "local"})]


def test_savedsearch_runs_the_stored_query_and_audits_its_commands(env: Env) -> None:
    outcome = run_search('| savedsearch "Web 5xx by host"', env)
    assert outcome.commands == ["savedsearch", "search", "stats"]
    assert outcome.is_transforming and outcome.event_count > 0
    assert [r["host"] for r in outcome.rows] == ["web-01", "web-02", "web-03", "web-04"]
    assert (
        spl_error(env, "| savedsearch Nope")
        == "Error in 'savedsearch' command: Unable to find saved search named 'Nope'."
    )
    assert "recursively" in spl_error(env, "| savedsearch Self")


# -- subsearches and macros --------------------------------------------------------------------------------------


def test_a_subsearch_runs_first_and_filters_the_outer_search(env: Env) -> None:
    query = (
        "search index=security [search index=security action=success src_ip=203.0.113.7 "
        "| dedup user | fields user] action=success | stats count by user"
    )
    outcome = run_search(query, env)
    assert [r["user"] for r in outcome.rows] == ["deploy"]
    assert outcome.commands == ["search", "dedup", "fields", "search", "stats"]


def test_an_empty_subsearch_matches_nothing(env: Env) -> None:
    outcome = run_search("search index=web [search index=web status=999 | fields clientip]", env)
    assert outcome.rows == [] and outcome.event_count == 0


def test_a_subsearch_using_return_inserts_its_search_string(env: Env) -> None:
    query = 'search index=web [| inputlookup host_owners.csv | where owner="carol" | return host] | stats count by host'
    assert [r["host"] for r in rows(env, query)] == ["web-03"]


def test_macros_expand_with_arguments_and_nesting(env: Env) -> None:
    outcome = run_search("search `nested`", env)
    assert outcome.commands == ["search", "stats"]
    assert [r["host"] for r in outcome.rows] == ["web-01", "web-02", "web-03", "web-04"]
    args = run_search("search `errors_of(app, ERROR)` | `count_by(service)`", env)
    assert args.rows and all(r["service"] for r in args.rows)
    evaluated = run_search("search index=web `status_of(404)` | stats count by status", env)
    assert [r["status"] for r in evaluated.rows] == ["404"]


def test_an_unknown_macro_uses_splunkd_wording(env: Env) -> None:
    message = spl_error(env, "search index=web `nope(1)`")
    assert message.startswith(
        "Error in 'SearchParser': The search specifies a macro 'nope(1)' that cannot be found."
    )


def test_recursive_macros_stop_at_a_depth_bound(env: Env) -> None:
    assert "maximum recursion depth" in spl_error(env, "search `loop`")


# -- write commands are accepted no-ops, but audited ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "search index=web status=404 | delete",
        "search index=web | head 1 | outputlookup stolen.csv",
        "search index=web | head 1 | collect index=summary",
        "search index=web | head 1 | sendemail to=x@example.com",
        "| makeresults | runshellscript evil.sh",
    ],
)
def test_write_commands_pass_results_through_and_are_recorded(env: Env, query: str) -> None:
    outcome = run_search(query, env)
    written = query.rsplit("|", 1)[1].split()[0]
    assert outcome.commands[-1] == written
    assert outcome.rows == rows(env, query.rsplit("|", 1)[0])


def test_write_commands_hidden_in_macros_and_subsearches_are_audited(env: Env) -> None:
    assert "delete" in run_search("search index=web status=404 | `purge`", env).commands
    sub = run_search("search index=web [search index=web status=999 | delete | fields clientip]", env)
    assert sub.commands == ["search", "delete", "fields", "search"]


# -- the parser endpoint -------------------------------------------------------------------------------------------


def test_parse_query_splits_events_and_reports_parts() -> None:
    parsed = parse_query("search index=web status>=500 | stats count by host | sort - count")
    assert [c["command"] for c in parsed["commands"]] == ["search", "stats", "sort"]
    assert parsed["eventsSearch"] == "search index=web status>=500"
    assert parsed["reportsSearch"] == "stats count by host | sort - count"
    assert parsed["commands"][1]["pipeline"] == "report" and parsed["commands"][0]["isGenerating"]


def test_parse_query_rejects_bad_spl_like_a_search_would() -> None:
    for query, message in [
        ("foo bar", "Unknown search command 'foo'."),
        ("search x | stats bogus(x)", "Error in 'stats' command: The argument 'bogus(x)' is invalid."),
    ]:
        with pytest.raises(SplError) as info:
            parse_query(query)
        assert info.value.message == message


def test_parse_query_expands_macros_given_an_environment(env: Env) -> None:
    parsed = parse_query("search `web_errors` | `count_by(host)`", env)
    assert parsed["reportsSearch"] == "stats count by host"


def test_parse_query_without_an_environment_accepts_macros_it_cannot_expand() -> None:
    parsed = parse_query("search `web_errors` | `count_by(host)` | eval x=`one`")
    assert [c["command"] for c in parsed["commands"]] == ["search", "`count_by(host)`", "eval"]
