"""Server toolset: what Splunk is this, who am I on it, and how healthy is it."""

from __future__ import annotations

from typing import Annotated, Any

from fastmcp.dependencies import Depends
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
from server.pages import Count, Offset, PageInfo, page_info
from server.splunk.values import as_list, iso_time, truthy
from server.toolsets import READ_ONLY


class SplunkInfo(BaseModel):
    version: str = Field(description="Splunk version, e.g. 9.3.2.")
    build: str | None = None
    server_name: str
    product: str | None = Field(default=None, description="Product type, e.g. enterprise.")
    os: str | None = None
    user: str = Field(description="The Splunk user this token acts as.")
    roles: list[str] = Field(description="That user's roles.")
    default_app: str | None = None
    capabilities_count: int = Field(description="How many capabilities the user's roles grant.")


@tool(title="Splunk server and identity", tags={"server"}, annotations=READ_ONLY)
async def get_splunk_info(splunk: SplunkCall = Depends(splunk_call)) -> SplunkInfo:
    """Splunk's version and server name, and the user and roles this token acts as.

    Cheap (two small REST calls). Call it first to check the connection works and to learn what
    the token may do.
    """
    info = await splunk.run(splunk.client.server_info)
    user = await splunk.run(splunk.client.current_user)
    return SplunkInfo(
        version=str(info.get("version", "")),
        build=info.get("build"),
        server_name=str(info.get("serverName", "")),
        product=info.get("product_type"),
        os=info.get("os_name"),
        user=str(user.get("username", "")),
        roles=as_list(user.get("roles")),
        default_app=user.get("defaultApp"),
        capabilities_count=len(as_list(user.get("capabilities"))),
    )


# --- health ------------------------------------------------------------------------------------


class HealthFeature(BaseModel):
    feature: str = Field(description="Feature path, e.g. 'File Monitor Input > Forwarder Ingestion Latency'.")
    health: str = Field(description="green, yellow or red.")
    reasons: list[str] = Field(description="Why it is not green, in Splunk's words.")


class SplunkHealth(BaseModel):
    health: str = Field(description="Overall splunkd health: green, yellow or red.")
    features: list[HealthFeature]


def _reasons(raw: object) -> list[str]:
    """Splunk nests reasons as {colour: {n: {reason: text, ...}}}; collect the texts."""
    if isinstance(raw, str):
        return [raw] if raw else []
    if isinstance(raw, list):
        return [text for item in raw for text in _reasons(item)]
    if isinstance(raw, dict):
        if "reason" in raw and isinstance(raw["reason"], str):
            return [raw["reason"]]
        return [text for value in raw.values() for text in _reasons(value)]
    return []


def health_features(features: object, prefix: str = "") -> list[HealthFeature]:
    """Flatten splunkd's feature tree: each feature, then its sub-features under `parent > child`."""
    if not isinstance(features, dict):
        return []
    flat: list[HealthFeature] = []
    for name, detail in features.items():
        if not isinstance(detail, dict):
            continue
        path = f"{prefix} > {name}" if prefix else str(name)
        flat.append(
            HealthFeature(
                feature=path,
                health=str(detail.get("health", "unknown")),
                reasons=_reasons(detail.get("reasons")),
            )
        )
        flat += health_features(detail.get("features"), path)
    return flat


@tool(title="Splunk health", tags={"server"}, annotations=READ_ONLY)
async def get_splunk_health(
    only_unhealthy: Annotated[
        bool, Field(description="Only features that are not green (default false: all of them).")
    ] = False,
    splunk: SplunkCall = Depends(splunk_call),
) -> SplunkHealth:
    """splunkd's health report: the overall colour and each feature's colour with the reasons.

    Use it when searches are slow or data seems missing (ingestion, indexing, scheduler problems).
    """
    document = await splunk.run(splunk.client.get_json, "server/health/splunkd/details") or {}
    entries = document.get("entry", []) if isinstance(document, dict) else []
    content = entries[0].get("content", {}) if entries else {}
    features = health_features(content.get("features"))
    if only_unhealthy:
        features = [f for f in features if f.health != "green"]
    return SplunkHealth(health=str(content.get("health", "unknown")), features=features)


# --- apps, users, roles, messages ----------------------------------------------------------------


class AppSummary(BaseModel):
    name: str
    label: str | None
    version: str | None
    visible: bool
    disabled: bool


class AppList(BaseModel):
    apps: list[AppSummary]
    page: PageInfo


@tool(title="List apps", tags={"server"}, annotations=READ_ONLY)
async def list_apps(
    count: Count = 100, offset: Offset = 0, splunk: SplunkCall = Depends(splunk_call)
) -> AppList:
    """Installed Splunk apps with label, version and whether they are visible or disabled.

    App names are the namespaces of knowledge objects and KV store collections. Paged: `count`
    (default 100) from `offset`.
    """
    page = await splunk.run(splunk.client.list_entities, "apps/local", count=count, offset=offset)
    apps = [
        AppSummary(
            name=str(entry.get("name", "")),
            label=entry.get("content", {}).get("label"),
            version=entry.get("content", {}).get("version"),
            visible=truthy(entry.get("content", {}).get("visible", False)),
            disabled=truthy(entry.get("content", {}).get("disabled", False)),
        )
        for entry in page.entries
    ]
    return AppList(apps=apps, page=page_info(total=page.total, offset=offset, returned=len(apps)))


class UserSummary(BaseModel):
    name: str
    realname: str | None
    roles: list[str]
    default_app: str | None


class UserList(BaseModel):
    users: list[UserSummary]
    page: PageInfo


@tool(title="List users", tags={"server"}, annotations=READ_ONLY)
async def list_users(
    count: Count = 100, offset: Offset = 0, splunk: SplunkCall = Depends(splunk_call)
) -> UserList:
    """Splunk users with real name, roles and default app (a non-admin sees only itself).

    No passwords or other secrets are ever returned. Paged: `count` (default 100) from `offset`.
    """
    page = await splunk.run(splunk.client.list_entities, "authentication/users", count=count, offset=offset)
    # Only named fields are copied: nothing else Splunk sends about a user can leak through.
    users = [
        UserSummary(
            name=str(entry.get("name", "")),
            realname=entry.get("content", {}).get("realname") or None,
            roles=as_list(entry.get("content", {}).get("roles")),
            default_app=entry.get("content", {}).get("defaultApp") or None,
        )
        for entry in page.entries
    ]
    return UserList(users=users, page=page_info(total=page.total, offset=offset, returned=len(users)))


class RoleSummary(BaseModel):
    name: str
    imported_roles: list[str]
    capabilities: list[str] = Field(description="Own and imported capabilities, sorted.")
    search_indexes_allowed: list[str] = Field(description="srchIndexesAllowed, own and imported.")
    search_indexes_default: list[str] = Field(description="srchIndexesDefault, own and imported.")
    search_filter: str | None = Field(description="srchFilter: added to every search of the role.")


class RoleList(BaseModel):
    roles: list[RoleSummary]
    page: PageInfo


def _union(content: dict[str, Any], *keys: str) -> list[str]:
    return sorted({item for key in keys for item in as_list(content.get(key))})


def role_summary(entry: dict[str, Any]) -> RoleSummary:
    content = entry.get("content", {})
    return RoleSummary(
        name=str(entry.get("name", "")),
        imported_roles=as_list(content.get("imported_roles")),
        capabilities=_union(content, "capabilities", "imported_capabilities"),
        search_indexes_allowed=_union(content, "srchIndexesAllowed", "imported_srchIndexesAllowed"),
        search_indexes_default=_union(content, "srchIndexesDefault", "imported_srchIndexesDefault"),
        search_filter=content.get("srchFilter") or None,
    )


@tool(title="List roles", tags={"server"}, annotations=READ_ONLY)
async def list_roles(
    count: Count = 100, offset: Offset = 0, splunk: SplunkCall = Depends(splunk_call)
) -> RoleList:
    """Splunk roles: imported roles, capabilities, the indexes they may search, and search filters.

    Use it to explain why a user cannot see an index or run a command. Paged: `count` (default
    100) from `offset`.
    """
    page = await splunk.run(splunk.client.list_entities, "authorization/roles", count=count, offset=offset)
    roles = [role_summary(entry) for entry in page.entries]
    return RoleList(roles=roles, page=page_info(total=page.total, offset=offset, returned=len(roles)))


class SplunkMessage(BaseModel):
    name: str
    severity: str | None = Field(description="info, warn or error.")
    text: str
    time: str | None = Field(description="When Splunk raised it (ISO 8601).")


class MessageList(BaseModel):
    messages: list[SplunkMessage]
    page: PageInfo


@tool(title="List system messages", tags={"server"}, annotations=READ_ONLY)
async def list_messages(
    count: Count = 100, offset: Offset = 0, splunk: SplunkCall = Depends(splunk_call)
) -> MessageList:
    """Splunk's system messages (the bulletin in Splunk Web): restarts needed, license and disk warnings.

    Paged: `count` (default 100) from `offset`.
    """
    page = await splunk.run(splunk.client.list_entities, "messages", count=count, offset=offset)
    messages = [
        SplunkMessage(
            name=str(entry.get("name", "")),
            severity=entry.get("content", {}).get("severity"),
            text=str(entry.get("content", {}).get("message", "")),
            time=iso_time(entry.get("content", {}).get("timeCreated_epochSecs")),
        )
        for entry in page.entries
    ]
    return MessageList(
        messages=messages, page=page_info(total=page.total, offset=offset, returned=len(messages))
    )


TOOLS = (get_splunk_info, get_splunk_health, list_apps, list_users, list_roles, list_messages)
