"""Search jobs in every mode through the unmodified splunklib, checking the rows that come back."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable

import pytest
import splunklib.binding as binding
import splunklib.client as client
import splunklib.results as results

from sandbox import Sandbox
from tests.sandbox.polling import wait_until


def rows_of(stream: binding.ResponseReader) -> list[dict]:
    return [r for r in results.JSONResultsReader(stream) if isinstance(r, dict)]


def xml_rows(stream: binding.ResponseReader) -> list[dict]:
    # ResultsReader is deprecated (and gone in splunk-sdk 3), but 2.1.1 clients still parse XML with it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [r for r in results.ResultsReader(stream) if isinstance(r, dict)]


def dispatch_state(job: client.Job) -> str | None:
    """The job's dispatchState, or None while splunkd still answers 204 (is_ready() is False until RUNNING)."""
    response = job.get()
    if response.status == 204:
        return None
    job._state = job.read(response)  # what Job.is_ready() does, without its QUEUED/PARSING filter
    return job["dispatchState"]


def wait_done(job: client.Job) -> client.Job:
    wait_until(job.is_done, timeout=20)
    return job


def test_oneshot_json_returns_the_rows(admin: client.Service) -> None:
    rows = rows_of(admin.jobs.oneshot("search index=web | head 5", output_mode="json", count=0))
    assert len(rows) == 5
    assert {r["index"] for r in rows} == {"web"}
    assert all(r["_raw"] and r["_time"] for r in rows)


def test_oneshot_json_is_one_line_with_fields_and_highlighted(admin: client.Service) -> None:
    body = admin.jobs.oneshot("search index=web | stats count by status", output_mode="json").read()
    assert body.count(b"\n") <= 1
    doc = json.loads(body)
    assert doc["preview"] is False and doc["init_offset"] == 0 and doc["highlighted"] == {}
    assert [f["name"] for f in doc["fields"]] == ["status", "count"]
    assert sum(int(r["count"]) for r in doc["results"]) > 0


def test_oneshot_xml_and_csv(admin: client.Service) -> None:
    rows = xml_rows(admin.jobs.oneshot("search index=web | stats count by method"))
    assert rows and all("method" in r and int(r["count"]) > 0 for r in rows)
    csv_body = admin.jobs.oneshot("search index=web | head 2 | table host status", output_mode="csv").read()
    lines = csv_body.decode().strip().splitlines()
    assert lines[0] == "host,status" and len(lines) == 3


def test_oneshot_honours_count_and_offset(admin: client.Service) -> None:
    everything = rows_of(
        admin.jobs.oneshot("search index=web | head 20 | table _time host", output_mode="json", count=0)
    )
    page = rows_of(
        admin.jobs.oneshot(
            "search index=web | head 20 | table _time host", output_mode="json", count=5, offset=3
        )
    )
    assert page == everything[3:8]
    default = rows_of(admin.jobs.oneshot("search index=web | head 150", output_mode="json"))
    assert len(default) == 100  # splunkd's default count


def test_bad_spl_is_400_fatal_with_the_engine_message(admin: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as err:
        admin.jobs.create("abcd|asfwqqq")
    assert err.value.status == 400
    assert "abcd" in str(err.value)
    with pytest.raises(binding.HTTPError) as err:
        admin.jobs.oneshot("search index=main | nosuchcmd", output_mode="json")
    assert err.value.status == 400
    assert json.loads(err.value.body) == {
        "messages": [{"type": "FATAL", "text": "Unknown search command 'nosuchcmd'."}]
    }


def test_normal_job_walks_the_lifecycle_to_done(admin: client.Service, sb: Sandbox) -> None:
    sb.job_duration = 0.6
    try:
        job = admin.jobs.create("search index=web | head 7", exec_mode="normal")
        states = set()

        def done() -> bool:
            if not job.is_ready():
                states.add("not-ready")
                return False
            states.add(job["dispatchState"])
            return job["isDone"] == "1"

        wait_until(done, timeout=10)
    finally:
        sb.job_duration = 0.0
    assert "DONE" in states and len(states) >= 3  # e.g. not-ready/QUEUED/PARSING/RUNNING/FINALIZING then DONE
    assert job["doneProgress"] == "1.00000"
    assert job["resultCount"] == "7" and job["eventCount"] == "7"
    assert int(job["scanCount"]) >= 7
    rows = rows_of(job.results(output_mode="json", count=0))
    assert len(rows) == 7 and {r["index"] for r in rows} == {"web"}


def test_first_status_get_right_after_dispatch_may_be_204(admin: client.Service) -> None:
    job = admin.jobs.create("search index=main | head 1")
    response = job.get()
    assert response.status in (200, 204)  # 204 inside splunkd's not-ready window
    wait_done(job)


def test_results_are_204_until_done_and_preview_shows_progress(admin: client.Service, sb: Sandbox) -> None:
    sb.job_duration = 30.0
    try:
        job = admin.jobs.create("search index=web | head 50")
        assert job.post("results", output_mode="json").status == 204
        preview = json.loads(job.preview(output_mode="json").read())
        assert preview["preview"] is True
        job.finalize()
        wait_done(job)
        assert job["isFinalized"] == "1"
        assert len(rows_of(job.results(output_mode="json", count=0))) == 50
    finally:
        sb.job_duration = 0.0


def test_blocking_job_is_done_when_create_returns(admin: client.Service) -> None:
    job = admin.jobs.create("search index=security | stats count", exec_mode="blocking")
    job.refresh()
    assert job["dispatchState"] == "DONE" and job["isDone"] == "1"
    rows = rows_of(job.results(output_mode="json"))
    assert len(rows) == 1 and int(rows[0]["count"]) > 0
    job.delete()
    assert job.sid not in admin.jobs


def test_results_paging_fields_and_events(admin: client.Service) -> None:
    job = wait_done(admin.jobs.create("search index=web | head 10"))
    all_rows = rows_of(job.results(output_mode="json", count=0))
    assert rows_of(job.results(output_mode="json", count=3, offset=2)) == all_rows[2:5]
    narrowed = rows_of(job.results(output_mode="json", count=0, f=["host", "status"]))
    assert all(set(r) <= {"host", "status"} for r in narrowed)
    events = rows_of(job.events(output_mode="json", count=0))
    assert [e["_raw"] for e in events] == [r["_raw"] for r in all_rows]
    assert [r["_raw"] for r in xml_rows(job.results(count=4))] == [r["_raw"] for r in all_rows[:4]]


def test_job_control_actions(admin: client.Service, sb: Sandbox) -> None:
    sb.job_duration = 30.0
    try:
        job = admin.jobs.create("search index=main | head 3")
        job.pause()
        wait_until(lambda: dispatch_state(job) == "PAUSED")
        assert job["isPaused"] == "1"
        job.unpause()
        job.set_ttl(1234)
        job.set_priority(7)
        job.touch()
        wait_until(lambda: dispatch_state(job) not in (None, "PAUSED"))
        assert job["priority"] == "7"
        response = job.post("control", action="cancel")
        assert b"Search job cancelled." in response.body.read()
        with pytest.raises(binding.HTTPError) as err:
            admin.job(job.sid).refresh()
        assert err.value.status == 404
        assert "Unknown sid." in str(err.value)
        job.cancel()  # a second cancel is a no-op for splunklib (404 swallowed)
    finally:
        sb.job_duration = 0.0


def test_unknown_sid_is_404_fatal(admin: client.Service) -> None:
    assert "nope.1" not in admin.jobs
    with pytest.raises(binding.HTTPError) as err:
        admin.get("search/v2/jobs/nope.1")
    assert err.value.status == 404
    assert err.value.body.decode().count('<msg type="FATAL">Unknown sid.</msg>') == 1


def test_jobs_are_private_to_their_owner(
    connect: Callable[..., client.Service], admin: client.Service
) -> None:
    analyst = connect(splunkToken="sbx-analyst-token")
    secops = connect(splunkToken="sbx-secops-token")
    job = wait_done(analyst.jobs.create("search index=web | head 1"))
    assert job.sid in {j.sid for j in analyst.jobs.list(count=0)}
    assert job.sid not in {j.sid for j in secops.jobs.list(count=0)}
    assert job.sid not in secops.jobs
    assert job.sid in admin.jobs
    assert admin.job(job.sid).access.owner == "analyst"


def test_analyst_searches_never_see_security_events(connect: Callable[..., client.Service]) -> None:
    analyst = connect(username="analyst", password="analyst-pass")
    assert rows_of(analyst.jobs.oneshot("search index=security | head 5", output_mode="json")) == []
    rows = rows_of(analyst.jobs.oneshot("search index=* | stats count by index", output_mode="json", count=0))
    assert {r["index"] for r in rows} <= {"main", "web", "app"}
    secops = connect(splunkToken="sbx-secops-token")
    rows = rows_of(secops.jobs.oneshot("search index=security | head 5", output_mode="json"))
    assert len(rows) == 5


def test_v1_search_api_is_served_too(admin: client.Service) -> None:
    body = admin.post(
        "search/jobs", search="search index=web | head 2", exec_mode="oneshot", output_mode="json"
    )
    assert len(json.loads(body.body.read())["results"]) == 2
    sid = json.loads(
        admin.post("search/jobs", search="search index=web | head 2", output_mode="json").body.read()
    )["sid"]
    wait_until(
        lambda: (
            admin.get(f"search/jobs/{sid}").status == 200
            and b'name="isDone">1<' in admin.get(f"search/jobs/{sid}").body.read()
        )
    )
    rows = json.loads(admin.get(f"search/jobs/{sid}/results", output_mode="json").body.read())["results"]
    assert len(rows) == 2


def test_job_status_json_envelope(admin: client.Service) -> None:
    job = wait_done(admin.jobs.create("search index=web | head 1"))
    doc = json.loads(admin.get(f"search/v2/jobs/{job.sid}", output_mode="json").body.read())
    content = doc["entry"][0]["content"]
    assert content["isDone"] is True and content["dispatchState"] == "DONE"
    assert content["sid"] == job.sid


def test_export_streams_json_lines_with_lastrow(admin: client.Service) -> None:
    stream = admin.jobs.export("search index=web | head 4", output_mode="json")
    lines = [json.loads(line) for line in stream.read().splitlines() if line.strip()]
    assert [line["offset"] for line in lines] == [0, 1, 2, 3]
    assert all(line["preview"] is False for line in lines)
    assert lines[-1]["lastrow"] is True and "lastrow" not in lines[0]
    assert {line["result"]["index"] for line in lines} == {"web"}
    empty = admin.jobs.export("search index=web nosuchtermxyz", output_mode="json").read()
    assert json.loads(empty) == {"preview": False, "lastrow": True}


def test_export_xml_and_reader(admin: client.Service) -> None:
    rows = xml_rows(admin.jobs.export("search index=app | head 3"))
    assert len(rows) == 3 and {r["index"] for r in rows} == {"app"}
    json_rows = rows_of(io.BufferedReader(admin.jobs.export("search index=app | head 3", output_mode="json")))
    assert len(json_rows) == 3


def test_export_of_bad_spl_is_400(admin: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as err:
        admin.jobs.export("asdaf;lkj2r23=", output_mode="json")
    assert err.value.status == 400


def test_parser_returns_commands_and_rejects_bad_spl(admin: client.Service) -> None:
    parsed = json.loads(
        admin.parse("search index=main | stats count", parse_only=True, output_mode="json").body.read()
    )
    assert [c["command"] for c in parsed["commands"]][-1] == "stats"
    with pytest.raises(binding.HTTPError) as err:
        admin.parse("search index=main | nosuchcmd", output_mode="json")
    assert err.value.status == 400


def test_macros_lookups_and_rest_in_searches(admin: client.Service) -> None:
    errors = rows_of(admin.jobs.oneshot("search `web_errors` | head 5", output_mode="json"))
    assert errors and all(int(r["status"]) >= 500 for r in errors)
    assets = rows_of(admin.jobs.oneshot("| inputlookup assets", output_mode="json", count=0))
    assert len(assets) == 12 and {"host", "owner", "criticality", "ip"} <= set(assets[0])
    statuses = rows_of(admin.jobs.oneshot("| inputlookup http_status.csv", output_mode="json", count=0))
    assert {"status": "404", "status_description": "Not Found"} in statuses
    rest = rows_of(admin.jobs.oneshot("| rest /services/data/indexes", output_mode="json", count=0))
    assert {"web", "main"} <= {r["title"] for r in rest}


def test_rest_command_runs_as_the_searching_user(connect: Callable[..., client.Service]) -> None:
    analyst = connect(splunkToken="sbx-analyst-token")
    rows = rows_of(analyst.jobs.oneshot("| rest /services/data/indexes", output_mode="json", count=0))
    assert "security" not in {r["title"] for r in rows}


def test_audit_records_every_dispatch_with_engine_commands(admin: client.Service, sb: Sandbox) -> None:
    before = len(sb.audit)
    admin.jobs.oneshot("search `web_errors` | stats count", output_mode="json").read()
    job = wait_done(admin.jobs.create("search index=web | head 1"))
    admin.jobs.export("search index=web | head 1", output_mode="json").read()
    new = sb.audit[before:]
    assert [a.mode for a in new] == ["oneshot", "normal", "export"]
    assert new[0].user == "admin" and "stats" in new[0].commands
    assert new[1].sid == job.sid


def test_saved_search_dispatch_history_and_trigger_actions(admin: client.Service, sb: Sandbox) -> None:
    saved = admin.saved_searches["Web traffic by status"]
    job = saved.dispatch(trigger_actions=1, **{"dispatch.earliest_time": "-7d"})
    assert job.sid.startswith("admin__admin__search__RMD5")
    wait_done(job)
    rows = rows_of(job.results(output_mode="json", count=0))
    assert rows and all("status" in r and int(r["count"]) > 0 for r in rows)
    assert job["isSavedSearch"] == "1" and job["label"] == "Web traffic by status"
    assert job.sid in {j.sid for j in saved.history()}
    record = next(a for a in sb.audit if a.sid == job.sid)
    assert (record.mode, record.saved_search, record.trigger_actions) == (
        "saved",
        "Web traffic by status",
        True,
    )
    assert record.query == "search index=web | stats count by status"
    fired = wait_until(
        lambda: [a for a in admin.fired_alerts["Web traffic by status"].alerts if a["sid"] == job.sid]
    )
    assert fired[0]["savedsearch_name"] == "Web traffic by status"


def test_dangerous_saved_search_and_macro_are_visible_to_the_audit(
    admin: client.Service, sb: Sandbox
) -> None:
    before = len(sb.audit)
    job = admin.saved_searches["Purge old events"].dispatch()
    wait_done(job)
    wait_until(lambda: sb.audit[before].commands)
    assert "delete" in sb.audit[before].commands
