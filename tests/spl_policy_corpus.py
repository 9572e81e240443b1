"""SPL queries with the verdict the default policy must give, plus the knowledge objects they use.

The macros and saved searches match the sandbox's catalogue, so an integration test can run the
`runnable` cases against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.spl import MacroDefinition

CORPUS_MACROS: dict[str, MacroDefinition] = {
    "web_errors": MacroDefinition("index=web status>=500"),
    "by_host(1)": MacroDefinition("index=web host=$h$", ("h",)),
    "sneaky_delete": MacroDefinition("index=main | delete"),
    "nested_sneaky": MacroDefinition("`sneaky_delete`"),
    "outputs_lookup": MacroDefinition("| outputlookup evil.csv"),
    "failed_logins": MacroDefinition("index=security action=failure"),
}

CORPUS_SAVED_SEARCHES: dict[str, str] = {
    "Errors last hour": "search index=app log_level=ERROR earliest=-1h",
    "Failed logins by source": "search index=security action=failure | stats count by src_ip | sort -count",
    "Purge old events": "search index=main | delete",
    "Export assets": "| inputlookup assets | outputlookup assets_copy.csv",
    "Web traffic by status": "search index=web | stats count by status",
}


@dataclass(frozen=True)
class PolicyCase:
    query: str
    allowed: bool
    why: str
    runnable: bool = False  # allowed, and only uses SPL the sandbox's engine runs
    command: str | None = None  # denied: the command (or object) a violation must name
    where: str | None = None  # denied: text the violation's location must contain


def _ok(query: str, why: str, *, runnable: bool = False) -> PolicyCase:
    return PolicyCase(query, True, why, runnable=runnable)


def _no(query: str, why: str, command: str, where: str = "query") -> PolicyCase:
    return PolicyCase(query, False, why, command=command, where=where)


CORPUS: list[PolicyCase] = [
    # --- plain read-only searches -----------------------------------------------------------------
    _ok("index=web status=500", "bare search terms are an implicit search", runnable=True),
    _ok("search index=web | stats count by status", "explicit search and stats", runnable=True),
    _ok("index=web | timechart span=1h count by host", "timechart", runnable=True),
    _ok("index=web | top limit=5 host", "top", runnable=True),
    _ok(
        'index=app | rex field=_raw "user=(?<user>\\w+)" | dedup user | table user',
        "rex with a quoted regex",
        runnable=True,
    ),
    _ok(
        "index=web | eval slow=if(duration>1000, 1, 0) | where slow=1 | head 10",
        "eval and where with parentheses",
        runnable=True,
    ),
    _ok("index=web | sort -_time | head 20", "sort and head", runnable=True),
    _ok("| makeresults count=3 | eval n=1", "leading-pipe generating command", runnable=True),
    _ok("| inputlookup http_status.csv", "inputlookup reads a lookup", runnable=True),
    _ok("| metadata type=hosts index=web", "metadata", runnable=True),
    _ok("| tstats count where index=web by host", "tstats", runnable=True),
    _ok("| rest /services/server/info", "rest to a harmless endpoint", runnable=True),
    _ok("| rest /services/authentication/current-context", "rest to the current user's context"),
    _ok("| rest /servicesNS/-/-/saved/searches splunk_server=local", "rest to saved searches"),
    _ok("| rest splunk_server=idx01 /services/server/info", "rest to another server stays allowed"),
    _ok("index=web | loadjob 1700000000.42", "loadjob with a sid"),
    _ok("| localop | makeresults", "localop is allowed"),
    # --- words that only look like commands ----------------------------------------------------------
    _ok("index=ci status=run", "run as a field value", runnable=True),
    _ok('index=app "failed to delete"', "delete inside a quoted phrase", runnable=True),
    _ok("search delete", "delete as a search term", runnable=True),
    _ok("index=main collect", "collect as a bare search term", runnable=True),
    _ok('index=web | eval x="| delete"', "a pipe and delete inside an eval string", runnable=True),
    _ok('index=web | where action="sendemail"', "sendemail as a string value", runnable=True),
    _ok("index=web sendemail=true outputlookup", "command names as field name and term", runnable=True),
    _ok("index=web | stats count by script", "script as a field name", runnable=True),
    _ok('index=app message="[ERROR] | map the thing"', "brackets and pipes inside a string", runnable=True),
    # --- quoting tricks ---------------------------------------------------------------------------------
    _ok('index=app "say \\"hi\\" | delete"', "escaped quotes keep the pipe inside the string", runnable=True),
    _no('index=app "path\\\\" | delete', "an escaped backslash closes the string before the pipe", "delete"),
    _ok('index=app "it\'s | fine"', "a single quote inside a double-quoted string", runnable=True),
    _ok('index=web | eval msg="tick ` here"', "a lone backtick inside a string is literal"),
    _ok(
        'index=web | eval note="see `web_errors` later"', "a macro inside a string expands inside the string"
    ),
    _ok('search "`sneaky_delete`"', "a deleting macro inside a string stays text"),
    _ok("index=web | eval 'bytes out'=bytes*8", "single-quoted field name in eval", runnable=True),
    _no("index=main \\| delete", "a backslash before a pipe outside quotes is ambiguous", ""),
    _no('index=main "unclosed | delete', "unbalanced double quote", ""),
    _no("index=main [search index=web | delete", "unclosed subsearch bracket", ""),
    _no("index=main ] | delete", "a closing bracket without an opening one", ""),
    _no("index=main `unclosed | delete", "unclosed backtick", ""),
    _no("index=web | eval x='a|b' | delete", "a pipe inside a single-quoted field name", ""),
    # --- case and whitespace variations -----------------------------------------------------------------
    _no("index=main | DELETE", "upper-case command name", "delete"),
    _no("index=main | Delete", "mixed-case command name", "delete"),
    _no("index=main |delete", "no space after the pipe", "delete"),
    _no("index=main\n|\n\tdelete", "newlines and tabs around the pipe", "delete"),
    _no("index=main |\u00a0delete", "a no-break space before the command", "delete"),
    _no("index=main | \uff44\uff45\uff4c\uff45\uff54\uff45", "full-width letters fold to delete", "delete"),
    _no("   | delete", "leading whitespace before the pipe", "delete"),
    _no("SEARCH index=main | Collect index=summary", "upper-case search and collect", "collect"),
    _no('index=main | "delete"', "a quoted command name", "delete"),
    _no("index=main | de\u200blete", "a zero-width space inside the command name", "delete"),
    _no("index=web [Delete]", "a bare mixed-case writer opening a subsearch", "delete", "subsearch"),
    _ok('index=web ["outputlookup" x]', "a quoted phrase opening a subsearch is a search term"),
    # --- the default deny list ------------------------------------------------------------------------------
    _no("index=main | delete", "delete removes events", "delete"),
    _no("index=web | stats count | collect index=summary", "collect writes an index", "collect"),
    _no("| mstats avg(cpu) WHERE index=os_metrics | mcollect index=m", "mcollect writes metrics", "mcollect"),
    _no("index=web | tscollect namespace=x", "tscollect writes tsidx files", "tscollect"),
    _no("index=web | sistats count by host", "summary-indexing command", "sistats"),
    _no("index=web | table host | outputlookup hosts.csv", "outputlookup writes a lookup", "outputlookup"),
    _no("index=web | outputcsv out", "outputcsv writes a file", "outputcsv"),
    _no('index=web | sendemail to="x@example.com"', "sendemail sends mail", "sendemail"),
    _no("index=web | sendalert webhook", "sendalert runs an alert action", "sendalert"),
    _no("| script python evil.py", "script runs code", "script"),
    _no("| runshellscript evil.sh", "runshellscript runs code", "runshellscript"),
    _no('| dbxquery connection=prod query="DROP TABLE users"', "dbxquery reaches a database", "dbxquery"),
    _no("| crawl | head 1", "crawl scans the file system", "crawl"),
    _no('| makeresults | map search="search index=main | delete"', "map builds new searches", "map"),
    _no('| makeresults | eval q="x" | map search="search $q$"', "map with field substitution", "map"),
    # --- subsearches ------------------------------------------------------------------------------------------
    _ok(
        "index=web [search index=security action=failure | fields src_ip | rename src_ip as clientip]",
        "read-only subsearch",
    ),
    _ok("index=web [| inputlookup known_hosts.csv | fields host]", "generating command in a subsearch"),
    _ok("index=web [inputlookup known_hosts.csv | fields host]", "bare generating command in a subsearch"),
    _ok("index=web [error | head 1]", "a subsearch of bare search terms"),
    _no("index=web [search index=main | delete]", "delete inside a subsearch", "delete", "subsearch"),
    _no(
        "index=web [search index=x [search index=y | outputlookup z.csv]]",
        "nested subsearch writes a lookup",
        "outputlookup",
        "subsearch",
    ),
    _no(
        "index=web [outputlookup hosts.csv]",
        "bare writer at the start of a subsearch",
        "outputlookup",
        "subsearch",
    ),
    _no(
        "index=web | append [| makeresults | sendemail to=x@example.com]",
        "append subsearch sends mail",
        "sendemail",
        "subsearch",
    ),
    _no(
        "| makeresults | appendpipe [collect index=summary]",
        "appendpipe subpipeline writes an index",
        "collect",
        "subsearch",
    ),
    _no("| makeresults | map [search index=main | delete]", "map with a subsearch", "delete", "subsearch"),
    # --- comments ---------------------------------------------------------------------------------------------
    _ok("index=web ```| delete everything``` | stats count", "a command inside a comment is not run"),
    _ok("index=web | stats count ```by host `sneaky_delete` ```", "a macro inside a comment is not expanded"),
    _no("index=web ```note``` | delete", "a comment before a real command", "delete"),
    _no("index=web ```unclosed comment | delete", "an unclosed comment", ""),
    _no('index=web "```" | delete "```"', "comment markers inside a string are ambiguous", ""),
    # --- macros ----------------------------------------------------------------------------------------------
    _ok("`web_errors` | stats count by host", "a read-only macro", runnable=True),
    _ok('`by_host("web-01")` | stats count', "a macro with a quoted argument", runnable=True),
    _ok("`by_host(web-02)` | head 5", "a macro with a bare argument", runnable=True),
    _ok("`failed_logins` | stats count by src_ip", "another read-only macro", runnable=True),
    _ok("index=web [search `failed_logins` | fields src_ip]", "a macro inside a subsearch"),
    _no("`sneaky_delete`", "a macro that deletes", "delete", "macro `sneaky_delete`"),
    _no(
        "index=web | stats count | `outputs_lookup`",
        "a macro that writes a lookup",
        "outputlookup",
        "macro `outputs_lookup`",
    ),
    _no(
        "`nested_sneaky` | head 1",
        "a macro that calls a deleting macro",
        "delete",
        "via macro `nested_sneaky`",
    ),
    _no(
        "index=web [search `sneaky_delete`]",
        "a deleting macro in a subsearch",
        "delete",
        "subsearch in macro `sneaky_delete`",
    ),
    _no("`no_such_macro` | stats count", "an unknown macro fails closed", "macro `no_such_macro`"),
    _no(
        "`web_errors(1)` | stats count",
        "a known macro with the wrong argument count",
        "macro `web_errors(1)`",
    ),
    _no(
        "`by_host(x | delete)`",
        "an unquoted macro argument that smuggles a pipe",
        "delete",
        "macro `by_host`",
    ),
    _ok('`by_host("x | delete")`', "a quoted macro argument keeps the pipe inside the string"),
    _no("`invalid macro name` | stats count", "text in backticks that is no macro reference", ""),
    # --- saved searches -------------------------------------------------------------------------------------
    _ok('| savedsearch "Errors last hour"', "a read-only saved search"),
    _ok('| savedsearch "Failed logins by source" | head 5', "a read-only saved search with a pipeline"),
    _ok('| savedsearch "Web traffic by status"', "another read-only saved search"),
    _no(
        '| savedsearch "Purge old events"',
        "a saved search that deletes",
        "delete",
        "saved search 'Purge old events'",
    ),
    _no(
        '| savedsearch "Export assets"',
        "a saved search that writes a lookup",
        "outputlookup",
        "saved search 'Export assets'",
    ),
    _no(
        'index=web [| savedsearch "Purge old events"]',
        "a deleting saved search in a subsearch",
        "delete",
        "saved search 'Purge old events'",
    ),
    _no(
        '| savedsearch "No such search"',
        "an unknown saved search fails closed",
        "saved search 'No such search'",
        "query",
    ),
    _no(
        '| from savedsearch:"Purge old events"',
        "from runs a saved search",
        "delete",
        "saved search 'Purge old events'",
    ),
    _no(
        '| union [search index=web] savedsearch:"Export assets"',
        "union runs a saved search that writes",
        "outputlookup",
        "saved search 'Export assets'",
    ),
    _no('`by_host("a") | delete`', "a pipe inside the macro call is not a macro reference", ""),
    # --- rest to credential and admin endpoints ---------------------------------------------------------------
    _no("| rest /services/storage/passwords", "stored credentials", "rest"),
    _no("| rest /services/configs/conf-server", "server.conf holds pass4SymmKey", "rest"),
    _no("| rest /servicesNS/nobody/search/configs/conf-inputs/http", "inputs.conf holds HEC tokens", "rest"),
    _no("| rest /services/properties/outputs", "outputs.conf through properties", "rest"),
    _no("| rest /servicesNS/-/-/storage/passwords", "servicesNS spelling", "rest"),
    _no("| rest /servicesNS/nobody/search/storage/passwords/", "namespaced with a trailing slash", "rest"),
    _no('| rest "/SERVICES/Storage/Passwords"', "quoted and upper-case", "rest"),
    _no("| rest %2Fservices%2Fstorage%2Fpasswords", "percent-encoded slashes", "rest"),
    _no("| rest /services//storage/./passwords", "doubled slash and dot segment", "rest"),
    _no("| rest /services/server/../storage/passwords", "dot-dot segment", "rest"),
    _no("| rest /services/authentication/users", "user accounts", "rest"),
    _no("| rest /services/authorization/tokens splunk_server=local", "authentication tokens", "rest"),
    _no("| rest /services/admin/passwords", "the admin mirror", "rest"),
    _no("| rest /servicesNS/-/-/configs/conf-passwords", "passwords.conf", "rest"),
    _no("| rest /services/data/inputs/http", "HEC tokens", "rest"),
    _no(
        '| rest /services/search/jobs/export search="search index=main | delete"',
        "export runs a search",
        "rest",
    ),
    _no(
        "index=web [| rest /services/storage/passwords | fields clear_password]",
        "credentials from a subsearch",
        "rest",
        "subsearch",
    ),
]
