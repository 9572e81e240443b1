"""Alerts toolset: which saved searches alert, and what fired.

Alerts are scheduled saved searches with a trigger condition or actions; fired alerts are the
records Splunk keeps (until they expire) each time one triggered.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastmcp.dependencies import Depends
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.pages import Count, Offset, PageInfo, page_info
from server.splunk.client import entity_path
from server.splunk.values import as_int, iso_time, text, truthy
from server.tools.knowledge import AlertAction, ObjectName, alert_actions
from server.toolsets import READ_ONLY

FIRED = "alerts/fired_alerts"
ALL_FIRED = "-"  # splunkd's group of every fired alert


class AlertSummary(BaseModel):
    name: str
    description: str | None = None
    search: str
    cron_schedule: str | None = None
    next_scheduled_time: str | None = None
    alert_type: str | None = Field(description="number of events, number of results, custom, always…")
    condition: str | None = Field(description="Comparator and threshold, or the custom condition.")
    severity: int | None = Field(description="1 debug, 2 info, 3 warn, 4 error, 5 severe, 6 fatal.")
    actions: list[AlertAction]
    disabled: bool
    fired_count: int = Field(description="Fired alerts Splunk still keeps for it.")
    last_triggered: str | None = Field(description="Newest kept trigger time (ISO 8601), if any.")
    app: str | None = None
    owner: str | None = None


class AlertList(BaseModel):
    alerts: list[AlertSummary]
    page: PageInfo


def is_alert(content: dict[str, Any]) -> bool:
    """Scheduled, and something happens when it runs: a trigger condition, tracking or actions."""
    if not truthy(content.get("is_scheduled")):
        return False
    alert_type = str(content.get("alert_type") or "always").strip().lower()
    return alert_type != "always" or truthy(content.get("alert.track")) or bool(text(content.get("actions")))


def _condition(content: dict[str, Any]) -> str | None:
    custom = text(content.get("alert_condition"))
    if custom:
        return custom
    comparator, threshold = text(content.get("alert_comparator")), text(content.get("alert_threshold"))
    return f"{comparator} {threshold}" if comparator and threshold is not None else None


async def _fired_by_alert(splunk: SplunkCall) -> dict[str, tuple[int, float]]:
    """alert name -> (fired alerts kept, newest trigger epoch), from one listing of every fired alert."""
    page = await splunk.run(splunk.client.list_entities, entity_path(FIRED, ALL_FIRED), count=0)
    fired: dict[str, tuple[int, float]] = {}
    for entry in page.entries:
        content = entry.get("content", {})
        name = str(content.get("savedsearch_name", ""))
        count, newest = fired.get(name, (0, 0.0))
        try:
            when = float(content.get("trigger_time", 0))
        except (TypeError, ValueError):
            when = 0.0
        fired[name] = (count + 1, max(newest, when))
    return fired


@tool(title="List alerts", tags={"alerts"}, annotations=READ_ONLY)
async def list_alerts(
    count: Count = 50,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> AlertList:
    """Alerts: scheduled saved searches with a trigger condition or actions, with severity, actions, schedule, last trigger.

    Paged (`count` default 50). What fired: list_fired_alerts. Full settings of one:
    get_saved_search. Scheduled reports that only run (alert type "always", no actions) are not listed.
    """
    page = await splunk.run(splunk.client.list_entities, "saved/searches", count=0)
    alerting = [entry for entry in page.entries if is_alert(entry.get("content", {}))]
    fired = await _fired_by_alert(splunk) if alerting[offset : offset + count] else {}
    alerts = []
    for entry in alerting[offset : offset + count]:
        content = entry.get("content", {})
        acl = entry.get("acl") or {}
        name = str(entry.get("name", ""))
        fired_count, newest = fired.get(name, (0, 0.0))
        severity = content.get("alert.severity")
        alerts.append(
            AlertSummary(
                name=name,
                description=text(content.get("description")),
                search=str(content.get("search", "")),
                cron_schedule=text(content.get("cron_schedule")),
                next_scheduled_time=text(content.get("next_scheduled_time")),
                alert_type=text(content.get("alert_type")),
                condition=_condition(content),
                severity=as_int(severity) if text(severity) else None,
                actions=alert_actions(content),
                disabled=truthy(content.get("disabled")),
                fired_count=fired_count,
                last_triggered=iso_time(newest) if newest else None,
                app=acl.get("app"),
                owner=acl.get("owner"),
            )
        )
    return AlertList(alerts=alerts, page=page_info(total=len(alerting), offset=offset, returned=len(alerts)))


class FiredAlertGroup(BaseModel):
    name: str = Field(description="The alert (saved search) name.")
    triggered_count: int = Field(description="Fired alerts Splunk still keeps for it.")
    app: str | None = None


class FiredAlert(BaseModel):
    id: str = Field(description="The fired alert's id (its search job's sid).")
    alert: str = Field(description="The alert (saved search) that fired.")
    sid: str
    trigger_time: str | None = Field(description="When it triggered (ISO 8601).")
    severity: int | None = None
    alert_type: str | None = None
    actions: list[str] = Field(description="Actions that ran when it fired.")
    digest_mode: bool | None = Field(default=None, description="True: one alert per run; false: per result.")
    triggered_alerts: int | None = Field(default=None, description="Alerts raised by this run.")
    expires: str | None = Field(default=None, description="When Splunk forgets it.")
    app: str | None = None
    owner: str | None = None


class FiredAlertList(BaseModel):
    alert: str | None = Field(description="The alert these instances belong to; null for the group list.")
    total_fired: int | None = Field(description="Fired alerts kept across all alerts (group list only).")
    groups: list[FiredAlertGroup] = Field(description="Per-alert counts, when no name was given.")
    fired: list[FiredAlert] = Field(
        description="Fired instances of `alert`, newest first, when a name was given."
    )
    page: PageInfo


def fired_alert(entry: dict[str, Any]) -> FiredAlert:
    content = entry.get("content", {})
    acl = entry.get("acl") or {}
    severity = content.get("severity")
    return FiredAlert(
        id=str(entry.get("name", "")),
        alert=str(content.get("savedsearch_name", "")),
        sid=str(content.get("sid") or entry.get("name", "")),
        trigger_time=iso_time(content.get("trigger_time")) or text(content.get("trigger_time_rendered")),
        severity=as_int(severity) if text(severity) else None,
        alert_type=text(content.get("alert_type")),
        actions=[a.strip() for a in str(content.get("actions") or "").split(",") if a.strip()],
        digest_mode=truthy(content["digest_mode"]) if "digest_mode" in content else None,
        triggered_alerts=as_int(content["triggered_alerts"]) if "triggered_alerts" in content else None,
        expires=text(content.get("expiration_time_rendered")),
        app=acl.get("app"),
        owner=acl.get("owner"),
    )


@tool(title="List fired alerts", tags={"alerts"}, annotations=READ_ONLY)
async def list_fired_alerts(
    name: Annotated[
        ObjectName | None,
        Field(description="An alert name: list its fired instances. Omit for per-alert counts."),
    ] = None,
    count: Count = 50,
    offset: Offset = 0,
    splunk: SplunkCall = Depends(splunk_call),
) -> FiredAlertList:
    """Fired (triggered) alerts: without `name`, each alert with how many fired; with `name`, its instances.

    Instances carry trigger time, sid, severity and actions; read a run's rows with
    get_search_results(sid) while its job lives. Only alerts not yet expired are kept by Splunk.
    Paged (`count` default 50).
    """
    if name is None:
        page = await splunk.run(splunk.client.list_entities, FIRED, count=0)
        total_fired = None
        groups = []
        for entry in page.entries:
            group = FiredAlertGroup(
                name=str(entry.get("name", "")),
                triggered_count=as_int(entry.get("content", {}).get("triggered_alert_count")),
                app=(entry.get("acl") or {}).get("app"),
            )
            if group.name == ALL_FIRED:
                total_fired = group.triggered_count
            else:
                groups.append(group)
        chosen = groups[offset : offset + count]
        return FiredAlertList(
            alert=None,
            total_fired=total_fired if total_fired is not None else sum(g.triggered_count for g in groups),
            groups=chosen,
            fired=[],
            page=page_info(total=len(groups), offset=offset, returned=len(chosen)),
        )
    page = await splunk.run(
        splunk.client.list_entities,
        entity_path(FIRED, name),
        count=count,
        offset=offset,
        sort_key="trigger_time",
        sort_dir="desc",
        sort_mode="num",
    )
    fired = [fired_alert(entry) for entry in page.entries]
    return FiredAlertList(
        alert=name,
        total_fired=None,
        groups=[],
        fired=fired,
        page=page_info(total=page.total, offset=offset, returned=len(fired)),
    )


@tool(title="Fired alert details", tags={"alerts"}, annotations=READ_ONLY)
async def get_fired_alert(
    name: Annotated[ObjectName, Field(description="The alert (saved search) name.")],
    sid: Annotated[
        str,
        Field(
            min_length=1,
            max_length=400,
            pattern=r"^[A-Za-z0-9_.:@-]+$",
            description="The fired alert's sid (its id), from list_fired_alerts.",
        ),
    ],
    splunk: SplunkCall = Depends(splunk_call),
) -> FiredAlert:
    """One fired alert of an alert, by its sid: trigger time, severity, actions, expiry."""
    page = await splunk.run(splunk.client.list_entities, entity_path(FIRED, name), count=0)
    for entry in page.entries:
        if sid in (entry.get("name"), entry.get("content", {}).get("sid")):
            return fired_alert(entry)
    raise ToolError(
        f"Alert {name!r} has no fired alert {sid!r} (it may have expired). "
        "List what is kept with list_fired_alerts(name)."
    )


TOOLS = (list_alerts, list_fired_alerts, get_fired_alert)
