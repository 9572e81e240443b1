"""Built-in users, roles and tokens of the sandbox splunkd.

Accounts (username / password -> role):
  admin   / changeme      -> admin    (all capabilities; every index, including _internal)
  analyst / analyst-pass  -> analyst  (imports user; searches main, web, app, os_metrics only;
                                       security and _internal are invisible to it)
  secops  / secops-pass   -> secops   (imports user; searches main and security)

Splunk authentication tokens (splunklib ``splunkToken=`` -> ``Authorization: Bearer <token>``):
  sbx-admin-token -> admin, sbx-analyst-token -> analyst, sbx-secops-token -> secops
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

ADMIN_PASSWORD = "changeme"
ANALYST_PASSWORD = "analyst-pass"
SECOPS_PASSWORD = "secops-pass"

SANDBOX_TOKENS: dict[str, str] = {
    "sbx-admin-token": "admin",
    "sbx-analyst-token": "analyst",
    "sbx-secops-token": "secops",
}

USER_CAPABILITIES = (
    "change_own_password",
    "get_metadata",
    "get_typeahead",
    "input_file",
    "list_inputs",
    "list_all_objects",
    "output_file",
    "request_remote_tok",
    "rest_apps_view",
    "rest_properties_get",
    "search",
)
POWER_CAPABILITIES = (
    "embed_report",
    "rtsearch",
    "schedule_rtsearch",
    "schedule_search",
)
ADMIN_ONLY_CAPABILITIES = (
    "accelerate_datamodel",
    "admin_all_objects",
    "change_authentication",
    "edit_httpauths",
    "edit_indexer_cluster",
    "edit_input_defaults",
    "edit_monitor",
    "edit_roles",
    "edit_search_server",
    "edit_server",
    "edit_tokens_all",
    "edit_tokens_own",
    "edit_user",
    "indexes_edit",
    "license_edit",
    "list_httpauths",
    "list_indexer_cluster",
    "list_settings",
    "list_storage_passwords",
    "list_tokens_all",
    "restart_splunkd",
    "search_process_config_refresh",
)
ALL_CAPABILITIES = tuple(
    sorted({*USER_CAPABILITIES, *POWER_CAPABILITIES, *ADMIN_ONLY_CAPABILITIES, "delete_by_keyword"})
)


@dataclass(frozen=True)
class Role:
    name: str
    capabilities: tuple[str, ...]
    imported_roles: tuple[str, ...] = ()
    srch_indexes_allowed: tuple[str, ...] = ()
    srch_indexes_default: tuple[str, ...] = ()
    srch_filter: str = ""


@dataclass(frozen=True)
class User:
    name: str
    password: str
    roles: tuple[str, ...]
    realname: str
    email: str
    default_app: str = "search"
    tz: str = ""
    extra: dict[str, str] = field(default_factory=dict)


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("user", USER_CAPABILITIES, (), ("main",), ("main",)),
        Role("power", POWER_CAPABILITIES, ("user",), ("*",), ("main",)),
        Role("can_delete", ("delete_by_keyword",), (), (), ()),
        Role(
            "admin",
            tuple(c for c in ALL_CAPABILITIES if c != "delete_by_keyword"),
            ("power", "user"),
            ("*", "_*"),
            ("main", "os_metrics"),
        ),
        Role(
            "analyst",
            ("get_metadata", "schedule_search"),
            ("user",),
            ("main", "web", "app", "os_metrics"),
            ("main", "web"),
        ),
        Role(
            "secops",
            ("get_metadata", "schedule_search", "list_inputs"),
            ("user",),
            ("main", "security"),
            ("main", "security"),
        ),
    )
}

USERS: dict[str, User] = {
    u.name: u
    for u in (
        User("admin", ADMIN_PASSWORD, ("admin",), "Administrator", "admin@sandbox.example"),
        User("analyst", ANALYST_PASSWORD, ("analyst",), "Ada Analyst", "analyst@sandbox.example"),
        User("secops", SECOPS_PASSWORD, ("secops",), "Sam SecOps", "secops@sandbox.example"),
    )
}


def role_closure(role_names: tuple[str, ...]) -> list[Role]:
    """The roles plus everything they import, each once."""
    seen: dict[str, Role] = {}
    stack = list(role_names)
    while stack:
        name = stack.pop(0)
        role = ROLES.get(name)
        if role is None or name in seen:
            continue
        seen[name] = role
        stack.extend(role.imported_roles)
    return list(seen.values())


def capabilities_of(user: User) -> list[str]:
    return sorted({c for r in role_closure(user.roles) for c in r.capabilities})


def imported_capabilities(role: Role) -> list[str]:
    return sorted({c for r in role_closure(role.imported_roles) for c in r.capabilities})


def readable_indexes(user: User, index_names: list[str]) -> frozenset[str]:
    """Indexes the user may search; `*` covers non-internal indexes and `_*` internal ones, as in Splunk."""
    patterns = [p for r in role_closure(user.roles) for p in r.srch_indexes_allowed]
    return frozenset(n for n in index_names if any(_index_matches(p, n) for p in patterns))


def default_indexes(user: User, readable: frozenset[str]) -> tuple[str, ...]:
    # The user's own role decides (imported roles only fill in when it names none).
    for role in role_closure(user.roles):
        if role.srch_indexes_default:
            return tuple(i for i in role.srch_indexes_default if i in readable)
    return ()


def _index_matches(pattern: str, name: str) -> bool:
    if pattern == "*":
        return not name.startswith("_")
    return fnmatchcase(name, pattern)
