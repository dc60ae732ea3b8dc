"""What a check block checks: `only` / `skip` lines, `symmetric` lines, and the
command line's `--invariant` / `--property` (issue 13, items 11 and 12).

A property left out is not evaluated (no liveness pass, no state graph, symmetry kept)
and is reported by no output; its expectation lines are refused in the block (SL209)
and dropped by the command line's selection.  A block's `symmetric S` gives the state
counts of `const S = {...} symmetric`, for that block only.
"""

from __future__ import annotations

import json
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stateline import check_blocks, load_text, run_check
from stateline.checker.run import CheckOptions, prepare
from stateline.cli import main
from stateline.diagnostics import SpecError
from stateline.lang import ast as A
from stateline.lang.fmt import format_text
from stateline.lang.parse import parse
from stateline.lang.selection import command_line_selection
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, prove_block

ROOT = Path(__file__).resolve().parent.parent

VOTES = """\
spec Votes
const Nodes = {n1, n2, n3}
var voters: set[Nodes] = {}

action vote(n in Nodes) if n not in voters:
    voters := voters | {n}

invariant AtMostAll: len(voters) <= 3
invariant NotAll: len(voters) < 3
transition Grows: voters <= voters'
property Everyone: eventually len(voters) == 3
allow deadlock

check everything:
    expect NotAll violated
    expect Everyone violated
check safety:
    skip Everyone
    expect NotAll violated
check one:
    only AtMostAll
    symmetric Nodes
"""


def results(text: str, options: CheckOptions = CheckOptions(), path: str = "votes.sl"):
    loaded = load_text(text, path)
    return {c.name: run_check(loaded, c, {}, options) for c in check_blocks(loaded)}


def verdicts(r) -> list[tuple[str, str]]:
    return [(v.prop, v.status.value) for v in r.verdicts]


# ---- the syntax ----------------------------------------------------------------------------


def test_lines_build_the_check_block():
    spec = parse(VOTES, "votes.sl")
    checks = {d.name: d for d in spec.decls if isinstance(d, A.Check)}
    assert checks["everything"].selections == () and checks["everything"].symmetric == ()
    [skip] = checks["safety"].selections
    assert (skip.kind, [m.name for m in skip.names]) == ("skip", ["Everyone"])
    assert (skip.span.line, skip.span.col) == (18, 5)
    [only] = checks["one"].selections
    assert (only.kind, [m.name for m in only.names]) == ("only", ["AtMostAll"])
    [sym] = checks["one"].symmetric
    assert [(m.name, m.span.line, m.span.col) for m in sym.names] == [("Nodes", 22, 15)]


def test_only_and_skip_remain_names_elsewhere():
    text = ("spec Words\nconst only = 2\nvar skip: 0..3 = 0\n"
            "action per if skip < only:\n    skip := skip + 1\n"
            "invariant I: skip <= only\nallow deadlock\ncheck c:\n    only I\n")
    r = results(text)["c"]
    assert verdicts(r) == [("I", "holds")] and r.stats.states == 3


def test_fmt_round_trip():
    messy = VOTES[:VOTES.index("check everything")] + (
        "check safety:\n"
        "  skip   Everyone   # liveness later\n"
        "  expect NotAll violated\n"
        "check one:\n"
        "    only AtMostAll ,NotAll\n"
        "    symmetric  Nodes\n")
    out = format_text(messy, "votes.sl")
    assert out.endswith("check safety:\n    skip Everyone  # liveness later\n"
                        "    expect NotAll violated\n"
                        "check one:\n    only AtMostAll, NotAll\n    symmetric Nodes\n")
    assert parse(out, "votes.sl") == parse(messy, "votes.sl")
    assert format_text(out, "votes.sl") == out


# ---- what is checked -----------------------------------------------------------------------


def test_each_block_checks_what_it_selects():
    rs = results(VOTES)
    assert verdicts(rs["everything"]) == [("AtMostAll", "holds"), ("NotAll", "violated"),
                                          ("Grows", "holds"), ("Everyone", "violated")]
    assert verdicts(rs["safety"]) == [("AtMostAll", "holds"), ("NotAll", "violated"),
                                      ("Grows", "holds")]
    assert verdicts(rs["one"]) == [("AtMostAll", "holds")]
    assert all(v.met for r in rs.values() for v in r.verdicts)
    # every block explores the 8 sets of voters; `one` keeps one per size (symmetry)
    assert [(r.stats.states, r.stats.transitions) for r in rs.values()] == \
        [(8, 13), (8, 13), (4, 7)]


def test_a_property_left_out_is_not_evaluated():
    """No liveness phase (so no state graph) when the block skips its temporal property;
    and its predicate, which raises a run-time error, is never evaluated."""
    text = VOTES.replace("property Everyone: eventually len(voters) == 3",
                         "property Everyone: eventually 3 // (3 - len(voters)) == 1")
    loaded = load_text(text, "votes.sl")
    blocks = {c.name: c for c in check_blocks(loaded)}
    for name, phases_seen in (("everything", ["search", "liveness"]), ("safety", ["search"])):
        phases = []
        r = run_check(loaded, blocks[name], {}, CheckOptions(phase=phases.append))
        assert phases == phases_seen
        assert (r.failure is not None) == (name == "everything")
    model = prepare(loaded, blocks["safety"], {})
    assert model.system.temporal == () and [p.name for p in model.system.invariants] == \
        ["AtMostAll", "NotAll"]


def test_skipping_the_temporal_property_keeps_symmetry():
    """Symmetry is off (with a warning) for a check with a temporal property; a block
    that skips it keeps the reduction."""
    text = VOTES.replace("const Nodes = {n1, n2, n3}", "const Nodes = {n1, n2, n3} symmetric")
    rs = results(text)
    assert rs["everything"].stats.states == 8
    assert any("symmetry reduction is off" in w for w in rs["everything"].warnings)
    assert (rs["safety"].stats.states, rs["safety"].stats.transitions) == (4, 7)
    assert rs["safety"].warnings == ()


def test_constraints_always_apply():
    text = VOTES.replace("allow deadlock", "constraint Two: len(voters) <= 2\nallow deadlock")
    rs = results(text)
    assert rs["one"].stats.states == 3          # sizes 0, 1, 2 (the constraint, symmetry)
    assert rs["safety"].stats.states == 7


# ---- symmetry per block: the state counts of the constant-level form ----------------------


def paxos_variant(symmetric_at: str) -> str:
    src = (ROOT / "specs" / "paxos.sl").read_text()
    body = src[:src.index("check ballots01")]
    if symmetric_at == "constant":
        body = body.replace("const Acceptors = {a1, a2, a3}",
                            "const Acceptors = {a1, a2, a3} symmetric")
        body = body.replace("const Values = {v1, v2}", "const Values = {v1, v2} symmetric")
        return body + "check c(MaxBallot = 1):\n    skip SomeValueChosen\n"
    return body + ("check c(MaxBallot = 1):\n    skip SomeValueChosen\n"
                   "    symmetric Acceptors, Values\n"
                   "check plain(MaxBallot = 1):\n    skip SomeValueChosen\n")


def counts(r) -> tuple[int, int]:
    return r.stats.states, r.stats.transitions


def test_block_symmetry_counts_equal_the_constant_level_form():
    const = results(paxos_variant("constant"), path="paxos.sl")["c"]
    block = results(paxos_variant("block"), path="paxos.sl")
    assert counts(const) == counts(block["c"]) == (443, 2697)
    assert counts(block["plain"]) == (3921, 23563)     # the other block: no symmetry
    assert verdicts(block["c"]) == verdicts(block["plain"]) == verdicts(const) == \
        [("Agreement", "holds"), ("VotesWereProposed", "holds"), ("DeadlockFreedom", "holds")]


def test_no_symmetry_turns_a_block_symmetry_off(capsys):
    loaded = load_text(paxos_variant("block"), "paxos.sl")
    [c] = [b for b in check_blocks(loaded) if b.name == "c"]
    assert counts(run_check(loaded, c, {}, CheckOptions(symmetry=False))) == (3921, 23563)


def test_block_symmetry_in_the_header(tmp_path, capsys):
    spec = tmp_path / "votes.sl"
    spec.write_text(VOTES)
    assert main(["check", str(spec), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"{spec}: spec Votes, check one (Nodes={{n1, n2, n3}}) · bfs · deadlock allowed " \
           f"· symmetry Nodes · only AtMostAll\n" in out
    assert f"check safety (Nodes={{n1, n2, n3}}) · bfs · deadlock allowed · only AtMostAll, " \
           f"NotAll, Grows\n" in out
    assert "check everything (Nodes={n1, n2, n3}) · bfs · deadlock allowed\n" in out
    assert main(["check", str(spec), "--no-progress", "--no-symmetry", "--check", "one",
                 "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert "· symmetry off · only AtMostAll" in err          # (stdout holds the JSON)
    assert json.loads(out)["results"][0]["stats"]["states"] == 8


def test_any_size_induction_takes_block_symmetric_sets_as_sorts():
    text = """\
spec Sorts
const Vals = {v1, v2}
var x: Vals? = none

action set(v in Vals):
    x := v

invariant Set: x == none or x in Vals
allow deadlock

check plain:
    expect Set holds
check sym:
    symmetric Vals
"""
    loaded = load_text(text, "sorts.sl")
    blocks = {c.name: c for c in check_blocks(loaded)}
    r = prove_block(loaded, blocks["sym"], {}, ProveOptions("induction", any_size=True,
                                                           timeout=60))
    assert r.notes[0] == "for every size of Vals"
    assert [(o.name, o.claim) for o in r.obligations if o.name == "Set"] == \
        [("Set", Claim.PROVED)]
    r = prove_block(loaded, blocks["plain"], {}, ProveOptions("induction", any_size=True,
                                                             timeout=60))
    assert r.notes[0] == "for every size of "


# ---- the command line ----------------------------------------------------------------------


@pytest.fixture
def votes(tmp_path) -> Path:
    spec = tmp_path / "votes.sl"
    spec.write_text(VOTES)
    return spec


def run_json(capsys, *argv) -> tuple[int, dict, str]:
    code = main([*argv, "--no-progress", "--json", "-"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def props(doc) -> dict[str, list[str]]:
    return {r["check"]: [p["name"] for p in r["properties"]] for r in doc["results"]}


def test_command_line_selection_narrows_every_block(votes, capsys):
    code, doc, err = run_json(capsys, "check", str(votes), "--invariant", "NotAll",
                              "--property", "Everyone")
    # a block checks what both select: `safety` keeps skipping Everyone, `one` (only
    # AtMostAll) checks nothing but deadlock, which this spec allows
    assert code == 0, err
    got = {r["check"]: [(p["name"], p["expected"], p["result"]) for p in r["properties"]]
           for r in doc["results"]}
    assert got == {"everything": [("NotAll", "violated", "violated"),
                                  ("Everyone", "violated", "violated")],
                   "safety": [("NotAll", "violated", "violated")],
                   "one": []}
    code = main(["check", str(votes), "--no-progress", "--check", "one", "--property",
                 "Everyone"])
    assert code == 0
    assert "check one (Nodes={n1, n2, n3}) · bfs · deadlock allowed · symmetry Nodes · no " \
           "invariant or property selected\n" in capsys.readouterr().out


def test_expectations_of_properties_left_out_are_dropped(votes, capsys):
    code, doc, _ = run_json(capsys, "check", str(votes), "--invariant", "AtMostAll")
    assert code == 0
    assert props(doc) == {"everything": ["AtMostAll"], "safety": ["AtMostAll"],
                          "one": ["AtMostAll"]}
    code, doc, _ = run_json(capsys, "check", str(votes), "--property", "Grows",
                            "--check", "everything")
    assert code == 0 and props(doc) == {"everything": ["Grows"]}


@pytest.mark.parametrize("argv,message,hint", [
    (["--invariant", "NotAl"], "--invariant NotAl: in {spec}, no invariant or property is "
     "named 'NotAl'", "did you mean 'NotAll'? (its invariants: AtMostAll, NotAll)"),
    (["--property", "NotAll"], "--property NotAll: in {spec}, 'NotAll' is an invariant",
     "select it with --invariant NotAll"),
    (["--invariant", "Everyone"], "--invariant Everyone: in {spec}, 'Everyone' is a temporal "
     "property", "select it with --property Everyone"),
    (["--property", "Nope"], "--property Nope: in {spec}, no invariant or property is named "
     "'Nope'", "its transition invariants and temporal properties: Grows, Everyone"),
    (["--invariant", "DeadlockFreedom"], "--invariant DeadlockFreedom: in {spec}, "
     "'DeadlockFreedom' is checked unless the spec says 'allow deadlock'",
     "its invariants: AtMostAll, NotAll"),
])
def test_unknown_or_misplaced_names_exit_2(votes, capsys, argv, message, hint):
    assert main(["check", str(votes), "--no-progress", *argv]) == 2
    out, err = capsys.readouterr()
    assert err == f"stateline: error[SL507]: {message.format(spec=votes)}\n  hint: {hint}\n"
    assert out == ""
    assert main(["prove", str(votes), "--bmc", "2", *argv]) == 2
    assert capsys.readouterr().err == err


def test_a_constraint_is_not_selected(tmp_path, capsys):
    spec = tmp_path / "c.sl"
    spec.write_text(VOTES.replace("allow deadlock", "constraint Two: len(voters) <= 2\n"
                                                    "allow deadlock"))
    assert main(["check", str(spec), "--no-progress", "--invariant", "Two"]) == 2
    assert "'Two' is a constraint: it limits the search and is not checked" in \
        capsys.readouterr().err


def test_several_specs_need_the_name_in_one(votes, tmp_path, capsys):
    other = tmp_path / "other.sl"
    other.write_text("spec Other\nvar x: 0..1 = 0\ninvariant Zero: x == 0\nallow deadlock\n")
    code, doc, _ = run_json(capsys, "check", str(votes), str(other), "--invariant", "Zero")
    assert code == 0
    assert [(r["check"], [p["name"] for p in r["properties"]]) for r in doc["results"]] == \
        [("everything", []), ("safety", []), ("one", []), ("default", ["Zero"])]
    assert main(["check", str(votes), str(other), "--no-progress", "--invariant",
                 "Zer"]) == 2
    assert "stateline: error[SL507]: --invariant Zer: no spec declares a property 'Zer'" in \
        capsys.readouterr().err


def test_left_out_properties_are_in_no_output(votes, tmp_path, capsys):
    junit, sarif, md = tmp_path / "j.xml", tmp_path / "s.sarif", tmp_path / "r.md"
    code = main(["check", str(votes), "--no-progress", "--check", "safety", "--junit",
                 str(junit), "--sarif", str(sarif), "--markdown", str(md)])
    assert code == 0
    capsys.readouterr()
    cases = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase")]
    assert cases == ["AtMostAll", "NotAll", "Grows"]
    assert "Everyone" not in sarif.read_text() and "Everyone" not in md.read_text()


def test_selection_function_keeps_declaration_order():
    loaded = load_text(VOTES, "votes.sl")
    assert command_line_selection(loaded.typed, ["NotAll", "AtMostAll"], ["Everyone"]) == \
        ("AtMostAll", "NotAll", "Everyone")
    assert command_line_selection(loaded.typed, [], []) is None
    with pytest.raises(SpecError):
        command_line_selection(loaded.typed, ["X"], [])
    assert command_line_selection(loaded.typed, ["X"], [], lenient=True) == ()


# ---- prove honours the selection -----------------------------------------------------------


def test_prove_checks_what_the_block_selects(votes, capsys):
    assert main(["prove", str(votes), "--bmc", "4"]) == 0
    out = capsys.readouterr().out
    assert "check one (Nodes={n1, n2, n3}) · bmc to depth 4 · only AtMostAll\n" in out
    loaded = load_text(VOTES, "votes.sl")
    blocks = {c.name: c for c in check_blocks(loaded)}
    for engine in ("bmc", "k-induction", "induction"):
        r = prove_block(loaded, blocks["safety"], {}, ProveOptions(engine, 4, timeout=60))
        names = [o.name for o in r.obligations]
        assert "Everyone" not in names and "Grows" in names and "NotAll" in names
        assert not any("Everyone" in n for n in r.notes)
        r = prove_block(loaded, blocks["one"], {}, ProveOptions(engine, 4, timeout=60))
        assert [o.name for o in r.obligations if o.kind != "errors"] == ["AtMostAll"]


@pytest.mark.parametrize("block", ["    only NotAll\n", "    skip NotAll, Everyone\n",
                                   "    only Grows, Everyone\n    expect Everyone violated\n"])
def test_engines_agree_with_check_under_a_selection(block):
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    import engine_agreement as E

    text = VOTES[:VOTES.index("check everything")] + "check c:\n" + block
    run = E.findings(types.SimpleNamespace(text=text))
    assert run.refused is None and run.explicit is not None
    assert not run.findings, run.report()
    left = {v.prop for v in run.explicit.verdicts}
    for r in run.results.values():
        assert {o.name for o in r.obligations if o.kind != "errors"} <= left | {"Everyone"}


# ---- the explorer and the pytest plugin ------------------------------------------------------


def test_explorer_session_shows_the_selected_properties(votes):
    from stateline.explore.session import Session

    s = Session.open(str(votes), "one")
    assert [p.name for p in s.properties()] == ["AtMostAll"]
    s = Session.open(str(votes), "safety")
    assert [p.name for p in s.properties()] == ["AtMostAll", "NotAll", "Grows"]


pytest_plugins = ["pytester"]


def test_pytest_plugin_collects_the_selected_properties(pytester):
    (pytester.path / "votes.sl").write_text(VOTES)
    result = pytester.runpytest("--stateline", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    out = result.stdout.str()
    assert "votes.sl::safety::Everyone" not in out and "votes.sl::one::NotAll" not in out
    assert "votes.sl::one::AtMostAll PASSED" in out
    assert "votes.sl::everything::Everyone PASSED" in out


def test_editor_index_finds_the_names_of_selection_and_symmetric_lines():
    """Go to definition, references and rename (the language server's index) see the
    names in `only`, `skip` and `symmetric` lines."""
    from stateline.lang.symbols import index

    idx = index(parse(VOTES, "votes.sl"), VOTES)
    everyone = idx.at(18, 10).symbol                  # `skip Everyone`
    assert (everyone.name, everyone.kind, everyone.span.line) == ("Everyone", "property", 11)
    assert [(s.line, s.col) for s in idx.uses(everyone)] == [(11, 10), (16, 12), (18, 10)]
    nodes = idx.at(22, 15).symbol                      # `symmetric Nodes`
    assert (nodes.name, nodes.span.line) == ("Nodes", 2)
    assert (22, 15) in [(s.line, s.col) for s in idx.uses(nodes)]
    assert idx.at(21, 10).symbol.name == "AtMostAll"   # `only AtMostAll`


def test_simulate_honours_the_selection(votes, capsys):
    code, doc, _ = run_json(capsys, "simulate", str(votes), "--traces", "50",
                            "--invariant", "NotAll")
    assert code == 0
    assert props(doc) == {"everything": ["NotAll"], "safety": ["NotAll"], "one": []}
