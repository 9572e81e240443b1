"""The one translation of Splunk failures into tool errors a model (or its user) can act on."""

from __future__ import annotations

from fastmcp.exceptions import ToolError

from server.splunk.errors import (
    SplunkAuthError,
    SplunkError,
    SplunkNotFound,
    SplunkPermissionError,
    SplunkRequestError,
    SplunkResponseTooLarge,
    SplunkTimeout,
    SplunkTlsError,
    SplunkUnreachable,
)


def tool_error(exc: SplunkError) -> ToolError:
    """Word a SplunkError for the model. Splunk's own messages are kept; credentials never appear."""
    detail = exc.detail.rstrip(". ")
    if isinstance(exc, SplunkAuthError):
        return ToolError(
            "Splunk rejected this token's credentials (HTTP 401). The Splunk credentials in the MCP token are "
            "wrong, expired or revoked: ask the user to mint a new token with `splunk-mcp-token mint`."
        )
    if isinstance(exc, SplunkPermissionError):
        return ToolError(
            f"Splunk refused: the token's Splunk user lacks the permission for this ({detail}). "
            "Do not retry; ask the user for a role with the needed capability."
        )
    if isinstance(exc, SplunkNotFound):
        return ToolError(f"Not found in Splunk: {detail}. Check the name with the matching list_* tool.")
    if isinstance(exc, SplunkRequestError):
        return ToolError(
            f"Splunk rejected the request: {detail}. Fix the arguments (or the SPL) and call again."
        )
    if isinstance(exc, SplunkTlsError):
        return ToolError(
            f"{exc.summary}. The token's Splunk URL, verify_tls or ca_pem does not match the Splunk "
            "certificate: ask the user to mint a token with the right CA (--ca-file)."
        )
    if isinstance(exc, SplunkTimeout):
        return ToolError(
            "Splunk did not answer in time. Narrow the time range or the query, or use start_search "
            "and poll with get_search_job."
        )
    if isinstance(exc, SplunkUnreachable):
        return ToolError(
            f"Splunk is unreachable: {exc.summary}. Retry later or check the token's Splunk URL."
        )
    if isinstance(exc, SplunkResponseTooLarge):
        return ToolError("Splunk's answer was too large. Ask for fewer rows or fields (count, fields).")
    return ToolError(f"Splunk failed: {detail}. Retry later.")
