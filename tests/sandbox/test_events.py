"""The sandbox's sample data: deterministic, spread over realistic indexes, time-bounded, with incidents."""

from __future__ import annotations

import json

import pytest

from sandbox.events import ATTACKER_IP, SERVER_NAME, EventStore, build_event_store

NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
DAYS = 7


@pytest.fixture(scope="module")
def store() -> EventStore:
    return build_event_store(seed=7, count=20_000, days=DAYS, now=NOW)


def _all(store: EventStore) -> list:
    return list(store.scan(store.indexes, None, None))


def test_the_same_seed_builds_the_same_events(store: EventStore) -> None:
    again = build_event_store(seed=7, count=20_000, days=DAYS, now=NOW)
    assert [(e.time, e.index, e.host, e.raw, e.fields) for e in _all(again)] == [
        (e.time, e.index, e.host, e.raw, e.fields) for e in _all(store)
    ]


def test_another_seed_builds_different_events(store: EventStore) -> None:
    other = build_event_store(seed=8, count=20_000, days=DAYS, now=NOW)
    assert [e.raw for e in _all(other)[:50]] != [e.raw for e in _all(store)[:50]]


def test_the_count_is_honoured_within_a_few_events(store: EventStore) -> None:
    assert abs(len(store) - 20_000) < 100
    assert len(store) == sum(info.event_count for info in store.indexes.values())


def test_events_spread_over_the_documented_indexes(store: EventStore) -> None:
    counts = {name: info.event_count for name, info in store.indexes.items()}
    assert set(counts) == {"main", "web", "app", "security", "os_metrics", "_internal"}
    assert all(n > 500 for n in counts.values())
    assert counts["web"] == max(counts.values())
    assert {info.datatype for name, info in store.indexes.items() if name != "os_metrics"} == {"event"}


def test_index_info_reports_size_and_time_span(store: EventStore) -> None:
    web = store.indexes["web"]
    assert 1 < web.size_mb < 10
    assert web.earliest is not None and web.latest is not None
    assert NOW - DAYS * 86400 <= web.earliest < web.latest < NOW


def test_every_event_lies_in_the_window_ending_now(store: EventStore) -> None:
    times = [e.time for e in _all(store)]
    assert min(times) >= NOW - DAYS * 86400
    assert max(times) < NOW


def test_scan_returns_newest_first_within_earliest_inclusive_latest_exclusive(store: EventStore) -> None:
    events = list(store.scan(["web", "app"], NOW - 7200, NOW - 3600))
    assert events
    assert all(NOW - 7200 <= e.time < NOW - 3600 for e in events)
    assert [e.time for e in events] == sorted((e.time for e in events), reverse=True)
    assert {e.index for e in events} == {"web", "app"}


def test_scan_of_an_unknown_index_yields_nothing(store: EventStore) -> None:
    assert list(store.scan(["nope"], None, None)) == []


def test_working_hours_are_busier_than_the_night(store: EventStore) -> None:
    hours = [int(e.time % 86400 // 3600) for e in store.scan(["web"], None, None)]
    assert sum(9 <= h < 17 for h in hours) > 3 * sum(0 <= h < 6 for h in hours)


def test_web_events_are_apache_combined_lines_with_about_five_percent_5xx(store: EventStore) -> None:
    events = list(store.scan(["web"], None, None))
    assert {e.sourcetype for e in events} == {"access_combined"}
    assert {e.host for e in events} == {"web-01", "web-02", "web-03", "web-04"}
    sample = events[0]
    assert sample.fields["clientip"] in sample.raw and f'HTTP/1.1" {sample.fields["status"]}' in sample.raw
    statuses = [e.fields["status"] for e in events]
    share_5xx = sum(s.startswith("5") for s in statuses) / len(statuses)
    assert 0.03 < share_5xx < 0.09
    assert "404" in statuses


def test_app_errors_carry_multi_line_stack_traces_and_json_logs_parse(store: EventStore) -> None:
    events = list(store.scan(["app"], None, None))
    errors = [e for e in events if e.sourcetype == "app:log" and e.fields["log_level"] == "ERROR"]
    assert any(e.linecount > 1 and "\n\tat " in e.raw for e in errors)
    json_events = [e for e in events if e.sourcetype == "app:json"]
    assert json_events and json.loads(json_events[0].raw)["service"] == json_events[0].fields["service"]


def test_security_has_a_recent_brute_force_that_ends_in_a_login(store: EventStore) -> None:
    recent = list(store.scan(["security"], NOW - 3 * 3600, None))
    failures = [
        e for e in recent if e.fields.get("src_ip") == ATTACKER_IP and e.fields["action"] == "failure"
    ]
    assert len(failures) >= 150
    assert any(e.fields.get("src_ip") == ATTACKER_IP and e.fields["action"] == "success" for e in recent)
    assert any(e.sourcetype == "WinEventLog" and e.fields["EventCode"] in ("4624", "4625") for e in recent)


def test_the_metric_index_holds_numeric_samples_per_host(store: EventStore) -> None:
    assert store.indexes["os_metrics"].datatype == "metric"
    samples = list(store.scan(["os_metrics"], None, None))
    assert {e.fields["metric_name"] for e in samples} == {
        "cpu.pct",
        "mem.used_pct",
        "disk.used_pct",
        "net.bytes_in",
    }
    assert all(float(e.fields["_value"]) >= 0 for e in samples)
    assert len({e.host for e in samples}) == 9


def test_internal_events_come_from_the_search_head(store: EventStore) -> None:
    events = list(store.scan(["_internal"], None, None))
    assert {e.host for e in events} == {SERVER_NAME}
    assert {e.sourcetype for e in events} == {"splunkd"}
