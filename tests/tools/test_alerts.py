"""Alert tools over the MCP client, checked against the alerts and fired alerts the sandbox holds."""

from __future__ import annotations

from typing import Any

from sandbox import Sandbox
from tests.support import ServerProcess, mcp_client


async def call(server: ServerProcess, token: str, name: str, args: dict[str, Any] | None = None) -> Any:
    async with mcp_client(server, token) as client:
        return (await client.call_tool(name, args or {})).structured_content


def fired_in_sandbox(sandbox: Sandbox, name: str | None = None) -> list[Any]:
    with sandbox.state.catalogue.lock:
        return [a for a in sandbox.state.catalogue.fired_alerts if name in (None, a.savedsearch_name)]


async def test_list_alerts_shows_scheduled_alerting_searches_with_severity_actions_and_last_trigger(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    listed = await call(mcp_server, admin_token, "list_alerts", {"count": 1000})
    alerts = {a["name"]: a for a in listed["alerts"]}
    assert {"Errors last hour", "Failed logins by source"} <= set(alerts)
    assert not {"Web traffic by status", "Purge old events", "Export assets"} & set(alerts)
    errors = alerts["Errors last hour"]
    assert errors["severity"] == 4 and errors["cron_schedule"] == "*/15 * * * *"
    assert errors["condition"] == "greater than 0" and errors["alert_type"] == "number of events"
    assert [a["name"] for a in errors["actions"]] == ["email"]
    assert errors["actions"][0]["params"]["to"] == "oncall@sandbox.example"
    fired = fired_in_sandbox(sandbox, "Errors last hour")
    assert errors["fired_count"] == len(fired) >= 3
    assert errors["last_triggered"] is not None
    soc = alerts["Failed logins by source"]
    assert soc["severity"] == 5 and {a["name"] for a in soc["actions"]} == {"email", "webhook"}
    assert (soc["app"], soc["owner"]) == ("sandbox_app", "secops")
    assert listed["page"]["total"] == len(listed["alerts"])


async def test_paging_list_alerts_walks_every_alert_once(mcp_server: ServerProcess, admin_token: str) -> None:
    names: list[str] = []
    offset: int | None = 0
    async with mcp_client(mcp_server, admin_token) as client:
        everything = (await client.call_tool("list_alerts", {"count": 1000})).structured_content
        while offset is not None:
            page = (await client.call_tool("list_alerts", {"count": 1, "offset": offset})).structured_content
            names += [a["name"] for a in page["alerts"]]
            offset = page["page"]["next_offset"]
    assert names == [a["name"] for a in everything["alerts"]] and len(names) == len(set(names))


async def test_list_fired_alerts_counts_what_fired_per_alert(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    listed = await call(mcp_server, admin_token, "list_fired_alerts")
    counts = {g["name"]: g["triggered_count"] for g in listed["groups"]}
    expected: dict[str, int] = {}
    for alert in fired_in_sandbox(sandbox):
        expected[alert.savedsearch_name] = expected.get(alert.savedsearch_name, 0) + 1
    assert counts == expected
    assert listed["total_fired"] == sum(expected.values())
    assert "-" not in counts and listed["fired"] == []


async def test_list_fired_alerts_of_one_alert_gives_each_instance_newest_first(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    listed = await call(mcp_server, admin_token, "list_fired_alerts", {"name": "Errors last hour"})
    truth = sorted(fired_in_sandbox(sandbox, "Errors last hour"), key=lambda a: a.trigger_time, reverse=True)
    assert [f["sid"] for f in listed["fired"]] == [a.sid for a in truth]
    assert all(f["alert"] == "Errors last hour" and f["severity"] == 4 for f in listed["fired"])
    assert all(f["trigger_time"] and f["actions"] == ["email"] for f in listed["fired"])
    assert listed["page"]["total"] == len(truth) and listed["groups"] == []


async def test_get_fired_alert_reads_one_instance_by_its_sid(
    mcp_server: ServerProcess, admin_token: str, sandbox: Sandbox
) -> None:
    wanted = fired_in_sandbox(sandbox, "Failed logins by source")[-1]
    found = await call(
        mcp_server, admin_token, "get_fired_alert", {"name": "Failed logins by source", "sid": wanted.sid}
    )
    assert found["sid"] == wanted.sid and found["alert"] == "Failed logins by source"
    assert found["severity"] == 5 and found["actions"] == ["email", "webhook"]
    assert found["digest_mode"] is True and found["expires"]


async def test_an_unknown_fired_alert_is_a_tool_error_that_points_to_the_list(
    mcp_server: ServerProcess, admin_token: str
) -> None:
    async with mcp_client(mcp_server, admin_token) as client:
        result = await client.call_tool(
            "get_fired_alert",
            {"name": "Errors last hour", "sid": "scheduler__nobody__gone_1"},
            raise_on_error=False,
        )
    assert result.is_error and "list_fired_alerts" in result.content[0].text


async def test_the_analyst_sees_the_same_alert_definitions_as_the_admin(
    mcp_server: ServerProcess, admin_token: str, analyst_token: str
) -> None:
    # Sandbox knowledge objects are readable by every role (perms read=*), so visibility is equal.
    as_admin = await call(mcp_server, admin_token, "list_alerts", {"count": 1000})
    as_analyst = await call(mcp_server, analyst_token, "list_alerts", {"count": 1000})
    assert [a["name"] for a in as_analyst["alerts"]] == [a["name"] for a in as_admin["alerts"]]
