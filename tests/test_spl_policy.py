"""The SPL policy: the corpus verdicts, configuration, expansion bounds and fail-closed behaviour."""

from __future__ import annotations

import dataclasses
import inspect
import time

import pytest

from server.spl import (
    DEFAULT_DENIED_COMMANDS,
    Command,
    MacroDefinition,
    PolicyVerdict,
    SplPolicy,
    SplSyntaxError,
    normalize_query,
    split_commands,
)
from tests.spl_policy_corpus import CORPUS, CORPUS_MACROS, CORPUS_SAVED_SEARCHES, PolicyCase


class DictResolver:
    """Answers from dicts keyed like Splunk's stanzas: `name`, or `name(N)` for N arguments."""

    def __init__(
        self, macros: dict[str, MacroDefinition] | None = None, saved: dict[str, str] | None = None
    ) -> None:
        self.macros = CORPUS_MACROS if macros is None else macros
        self.saved = CORPUS_SAVED_SEARCHES if saved is None else saved
        self.calls: list[tuple[str, str, int]] = []

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        self.calls.append(("macro", name, argc))
        return self.macros.get(name if argc == 0 else f"{name}({argc})")

    def saved_search(self, name: str) -> str | None:
        self.calls.append(("saved", name, 0))
        return self.saved.get(name)


class FailingResolver:
    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        raise ConnectionError("https://admin:hunter2@splunk.internal:8089 refused")

    def saved_search(self, name: str) -> str | None:
        raise ConnectionError("https://admin:hunter2@splunk.internal:8089 refused")


POLICY = SplPolicy()


def _id(case: PolicyCase) -> str:
    return ("allow: " if case.allowed else "deny: ") + case.why


# --- the corpus ------------------------------------------------------------------------------------


def test_corpus_is_large_and_covers_both_verdicts() -> None:
    allowed = [c for c in CORPUS if c.allowed]
    denied = [c for c in CORPUS if not c.allowed]
    assert len(CORPUS) >= 70
    assert len(allowed) >= 25 and len(denied) >= 25
    assert len({_id(c) for c in CORPUS}) == len(CORPUS), "case descriptions double as test ids"
    assert not any(c.runnable and not c.allowed for c in CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=_id)
def test_corpus_verdict(case: PolicyCase) -> None:
    verdict = POLICY.check(case.query, DictResolver())
    assert verdict.allowed is case.allowed, verdict.explain()
    assert verdict.allowed is (not verdict.violations)


@pytest.mark.parametrize("case", [c for c in CORPUS if not c.allowed], ids=_id)
def test_denied_case_names_the_command_and_where_it_was_found(case: PolicyCase) -> None:
    verdict = POLICY.check(case.query, DictResolver())
    assert case.command is not None, "every denied corpus case says which command it expects"
    matching = [
        v for v in verdict.violations if v.command == case.command and (case.where or "") in v.location
    ]
    assert matching, verdict.violations
    explanation = verdict.explain()
    assert explanation.startswith("Blocked: ")
    assert verdict.violations[0].location in explanation
    if case.command:
        assert case.command in explanation


@pytest.mark.parametrize("case", [c for c in CORPUS if c.allowed], ids=_id)
def test_allowed_case_lists_only_permitted_commands(case: PolicyCase) -> None:
    verdict = POLICY.check(case.query, DictResolver())
    assert verdict.commands, "an allowed search has at least one command"
    assert not set(verdict.commands) & DEFAULT_DENIED_COMMANDS
    assert all(name == name.lower() for name in verdict.commands)


# --- what the verdict reports ----------------------------------------------------------------------


def test_commands_are_listed_in_order_with_subsearches_and_expansions() -> None:
    verdict = POLICY.check(
        'index=web [search a | head 1] | search `web_errors` | savedsearch "Web traffic by status"',
        DictResolver(),
    )
    assert verdict.commands == ("search", "search", "head", "search", "savedsearch", "search", "stats")


def test_a_macro_after_a_pipe_supplies_the_command_name() -> None:
    verdict = POLICY.check("index=app | `web_errors`", DictResolver())
    assert verdict.commands == ("search", "index")


def test_explain_names_command_macro_and_fix() -> None:
    verdict = POLICY.check("`sneaky_delete`", DictResolver())
    assert verdict.explain() == (
        "Blocked: the command 'delete' is not allowed by this server's SPL policy "
        "(found in macro `sneaky_delete`). Remove it; this server only runs read-only searches."
    )


def test_explain_mentions_further_violations() -> None:
    verdict = POLICY.check("index=web | delete | outputlookup x.csv", DictResolver())
    assert [v.command for v in verdict.violations] == ["delete", "outputlookup"]
    assert "Also: the command 'outputlookup'" in verdict.explain()


def test_explain_of_an_allowed_search() -> None:
    assert POLICY.check("index=web").explain().startswith("Allowed")


# --- configuration ---------------------------------------------------------------------------------


def test_operator_can_extend_the_deny_list() -> None:
    policy = SplPolicy(denied_commands=DEFAULT_DENIED_COMMANDS | {"join", "Transaction"})
    assert not policy.check("index=web | join host [search index=app]").allowed
    assert not policy.check("index=web | TRANSACTION host").allowed
    assert not policy.check("index=web | delete").allowed


def test_operator_can_empty_the_deny_list() -> None:
    assert SplPolicy(denied_commands=()).check("index=web | delete").allowed


def test_allow_list_permits_only_listed_commands() -> None:
    policy = SplPolicy(allowed_commands={"search", "stats", "head"})
    assert policy.check("index=web | stats count | head 5").allowed
    verdict = policy.check("index=web | timechart count")
    assert [v.command for v in verdict.violations] == ["timechart"]
    assert "allowed commands only: head, search, stats" in verdict.explain()


def test_allow_list_counts_generating_commands_and_subsearch_first_words() -> None:
    policy = SplPolicy(allowed_commands={"search", "stats"})
    assert not policy.check("| makeresults").allowed
    assert not policy.check("index=web [inputlookup hosts.csv]").allowed
    assert not policy.check("index=web [customcmd arg]").allowed, "an unlisted custom command"
    assert policy.check("index=web [search host=a]").allowed
    assert policy.check("index=web [host=a]").allowed


def test_deny_list_wins_over_allow_list() -> None:
    policy = SplPolicy(allowed_commands={"search", "delete"})
    assert not policy.check("index=main | delete").allowed
    assert (
        SplPolicy(allowed_commands={"search", "delete"}, denied_commands=())
        .check("index=main | delete")
        .allowed
    )


def test_rest_credential_endpoints_stay_denied_when_rest_is_allow_listed() -> None:
    policy = SplPolicy(allowed_commands={"rest"})
    assert policy.check("| rest /services/server/info").allowed
    assert not policy.check("| rest /services/storage/passwords").allowed


def test_rest_endpoint_from_a_subsearch_is_denied() -> None:
    verdict = POLICY.check('| rest [| makeresults | eval p="/services/storage/passwords" | return $p]')
    assert not verdict.allowed
    assert "subsearch" in verdict.violations[0].reason


def test_operator_allowed_map_still_checks_its_search() -> None:
    policy = SplPolicy(denied_commands=DEFAULT_DENIED_COMMANDS - {"map"})
    assert policy.check('| makeresults | map search="search index=web | head 1"').allowed
    verdict = policy.check('| makeresults | map search="search index=main | delete"')
    assert [(v.command, v.location) for v in verdict.violations] == [("delete", "map search")]
    verdict = policy.check('| makeresults | eval q="| delete" | map search="search index=x $q$"')
    assert [v.command for v in verdict.violations] == ["map"]
    verdict = policy.check('| makeresults | map "Purge old events"', DictResolver())
    assert [v.command for v in verdict.violations] == ["delete"]


def test_savedsearch_replacements_are_substituted_before_checking() -> None:
    resolver = DictResolver(saved={"Templated": "search index=$idx$"})
    assert POLICY.check('| savedsearch Templated idx="web"', resolver).allowed
    verdict = POLICY.check('| savedsearch Templated idx="main | delete"', resolver)
    assert [v.command for v in verdict.violations] == ["delete"]


# --- fail closed -----------------------------------------------------------------------------------


def test_self_recursive_macro_hits_the_depth_bound() -> None:
    resolver = DictResolver(macros={"loop": MacroDefinition("index=web `loop`")})
    verdict = POLICY.check("`loop`", resolver)
    assert not verdict.allowed
    assert "more than 8 levels deep" in verdict.explain()


def _chain(levels: int) -> dict[str, MacroDefinition]:
    macros = {f"m{i}": MacroDefinition(f"`m{i + 1}`") for i in range(levels - 1)}
    macros[f"m{levels - 1}"] = MacroDefinition("index=web")
    return macros


def test_depth_bound_is_exact() -> None:
    assert POLICY.check("`m0`", DictResolver(macros=_chain(8))).allowed
    assert not POLICY.check("`m0`", DictResolver(macros=_chain(9))).allowed
    assert not SplPolicy(max_expansion_depth=0).check("`web_errors`", DictResolver()).allowed


def test_mutually_recursive_saved_searches_hit_the_depth_bound() -> None:
    resolver = DictResolver(saved={"A": '| savedsearch "B"', "B": '| savedsearch "A"'})
    verdict = POLICY.check('| savedsearch "A"', resolver)
    assert not verdict.allowed
    assert "levels deep" in verdict.explain()


def test_macro_fan_out_is_bounded() -> None:
    macros = {f"f{i}": MacroDefinition(" ".join([f"`f{i + 1}`"] * 6)) for i in range(7)}
    macros["f7"] = MacroDefinition("index=web status=500")
    resolver = DictResolver(macros=macros)
    verdict = SplPolicy(max_query_length=1_000).check("`f0`", resolver)
    assert not verdict.allowed
    assert "characters once its macros are expanded" in verdict.explain()
    assert len(resolver.calls) <= 8, "each macro is looked up once per check"


def test_resolver_exception_denies_without_leaking_its_text() -> None:
    for query in ("`web_errors`", '| savedsearch "Errors last hour"'):
        verdict = POLICY.check(query, FailingResolver())
        assert not verdict.allowed
        assert "could not be looked up" in verdict.explain()
        assert "hunter2" not in verdict.explain()
        assert "refused" not in repr(verdict)


def test_no_resolver_denies_macros_and_saved_searches() -> None:
    for query in ("`web_errors` | stats count", '| savedsearch "Errors last hour"', 'search "`web_errors`"'):
        verdict = POLICY.check(query)
        assert not verdict.allowed
        assert "cannot check without looking it up" in verdict.explain()
    assert POLICY.check("index=web | stats count").allowed


def test_iseval_macro_is_denied() -> None:
    resolver = DictResolver(macros={"dyn": MacroDefinition('"index=web"', iseval=True)})
    verdict = POLICY.check("`dyn`", resolver)
    assert not verdict.allowed
    assert "iseval=1" in verdict.explain()


def test_overlong_query_is_denied() -> None:
    policy = SplPolicy(max_query_length=50)
    assert policy.check("index=web " + "a" * 40).allowed
    verdict = policy.check("index=web " + "a" * 41)
    assert not verdict.allowed
    assert "limit of 50" in verdict.explain()


def test_non_text_query_is_denied() -> None:
    assert not POLICY.check(None).allowed  # type: ignore[arg-type]  # a caller bug must still deny


def test_subsearch_nesting_is_bounded() -> None:
    assert POLICY.check("index=web " + "[search a " * 32 + "]" * 32).allowed
    verdict = POLICY.check("index=web " + "[search a " * 33 + "]" * 33)
    assert not verdict.allowed
    assert "nested more than 32 levels" in verdict.explain()


@pytest.mark.parametrize(
    "query",
    [
        "[" * 40_000 + "]" * 40_000,
        '"' + "\\" * 79_999,
        "index=web " + "| head 1 " * 10_000,
        "`" * 80_000,
        "(" * 50_000,
        "$" * 90_000,
        "``` " * 20_000,
    ],
    ids=["deep brackets", "backslashes", "many pipes", "backticks", "parens", "dollars", "comment markers"],
)
def test_pathological_queries_are_decided_quickly(query: str) -> None:
    started = time.perf_counter()
    verdict = POLICY.check(query, DictResolver())
    assert isinstance(verdict, PolicyVerdict)
    assert time.perf_counter() - started < 5


# --- the policy cannot be loosened -----------------------------------------------------------------


def test_policy_is_immutable() -> None:
    assert isinstance(POLICY.denied_commands, frozenset)
    with pytest.raises(AttributeError):
        POLICY.denied_commands = frozenset()  # type: ignore[misc]  # the point of the test
    with pytest.raises(AttributeError):
        POLICY.allowed_commands = frozenset({"delete"})  # type: ignore[misc]  # the point of the test
    with pytest.raises(AttributeError):
        del POLICY.max_expansion_depth
    assert "delete" in POLICY.denied_commands


def test_check_takes_no_argument_that_could_loosen_the_policy() -> None:
    assert list(inspect.signature(SplPolicy.check).parameters) == ["self", "query", "resolver"]
    with pytest.raises(TypeError):
        POLICY.check("index=main | delete", DictResolver(), denied_commands=())  # type: ignore[call-arg]  # the point


def test_verdicts_and_violations_are_frozen() -> None:
    verdict = POLICY.check("index=main | delete")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.allowed = True  # type: ignore[misc]  # the point of the test
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.violations[0].command = "stats"  # type: ignore[misc]  # the point of the test


def test_a_single_string_is_not_mistaken_for_a_list_of_commands() -> None:
    with pytest.raises(TypeError):
        SplPolicy(denied_commands="delete")


# --- helpers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("index=web", "search index=web"),
        ("  search index=web  ", "search index=web"),
        ("SEARCH index=web", "SEARCH index=web"),
        ("| makeresults", "| makeresults"),
        ("\n  | rest /services/server/info", "| rest /services/server/info"),
        ("searchterm", "search searchterm"),
        ("search=foo", "search search=foo"),
        ("search", "search"),
        ("`web_errors`", "search `web_errors`"),
        ("", "search "),
    ],
)
def test_normalize_query(query: str, expected: str) -> None:
    assert normalize_query(query) == expected


def test_split_commands_finds_every_pipeline() -> None:
    commands = split_commands(
        'index=web [| inputlookup h.csv | fields host] | eval x="a|b" | `m(1)` | STATS count'
    )
    assert commands == [
        Command("search", "index=web [| inputlookup h.csv | fields host]", 0),
        Command("inputlookup", "h.csv", 1, "subsearch"),
        Command("fields", "host", 1, "subsearch"),
        Command("eval", 'x="a|b"', 0),
        Command("`m(1)`", "", 0),
        Command("stats", "count", 0),
    ]


@pytest.mark.parametrize(
    "query", ['index=web "open', "index=web [search x", "index=web ]", "index=web `m", "a ```b"]
)
def test_split_commands_raises_on_unbalanced_syntax(query: str) -> None:
    with pytest.raises(SplSyntaxError):
        split_commands(query)
