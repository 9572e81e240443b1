"""Server toolset: what Splunk is this, and who am I on it."""

from __future__ import annotations

from fastmcp.dependencies import Depends
from fastmcp.tools import tool
from pydantic import BaseModel, Field

from server.deps import SplunkCall, splunk_call
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


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


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
        roles=_as_list(user.get("roles")),
        default_app=user.get("defaultApp"),
        capabilities_count=len(_as_list(user.get("capabilities"))),
    )


TOOLS = (get_splunk_info,)
