"""A small SPL engine over the sandbox's EventStore: enough of Splunk's search language for the MCP tools.

Modules: lexer (quotes, pipes, macros, subsearch spans), searchexpr (the search language), evalexpr (eval
expressions), timemod (time modifiers), commands / reporting / generating (the commands), engine (running a
query), parser (the search/parser endpoint's view of a query).
"""

from sandbox.spl.engine import run_search
from sandbox.spl.model import MacroDef, SearchEnvironment, SearchOutcome, SplError
from sandbox.spl.parser import parse_query
from sandbox.spl.timemod import parse_time_modifier

__all__ = [
    "MacroDef",
    "SearchEnvironment",
    "SearchOutcome",
    "SplError",
    "parse_query",
    "parse_time_modifier",
    "run_search",
]
