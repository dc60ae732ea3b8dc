"""Procedures (`proc name(p: T):` in a process): inlined at the call site.

tests/specs/two_phase_commit_procs.sl is specs/two_phase_commit.sl with two
procedures; being inlined into the calling action's atomic step, they must
give the original's state and transition counts exactly, and the Z3 engines
(which see the same inlined statements) the original's verdicts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stateline import SpecError, check_blocks, load_spec, load_text, run_check
from stateline.models.verdict import Status
from stateline.prover.run import ProveOptions, prove_block

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ROOT / "specs" / "two_phase_commit.sl"
PROCS = ROOT / "tests" / "specs" / "two_phase_commit_procs.sl"

# check -> (distinct states, transitions), for the original and the rewrite alike
PINNED = {"n3": (288, 1146), "n4": (1568, 8258), "n5": (8832, 58146),
          "fairN3": (288, 1146), "fairHandlersOnly": (288, 1146)}


def counts(path):
    loaded = load_spec(str(path))
    return {c.name: run_check(loaded, c, {}) for c in check_blocks(loaded)}


def test_procedures_explore_exactly_the_original_states():
    for path in (ORIGINAL, PROCS):
        results = counts(path)
        assert {n: (r.stats.states, r.stats.transitions) for n, r in results.items()} == PINNED
    original, procs = counts(ORIGINAL), counts(PROCS)
    for name in PINNED:
        assert [(v.prop, v.status) for v in procs[name].verdicts] == \
            [(v.prop, v.status) for v in original[name].verdicts]


@pytest.mark.parametrize("engine,bound", [("bmc", 8), ("k-induction", 2)])
def test_z3_engines_agree_with_the_original(engine, bound):
    claims = []
    for path in (ORIGINAL, PROCS):
        loaded = load_spec(str(path))
        block = next(c for c in check_blocks(loaded) if c.name == "n3")
        r = prove_block(loaded, block, {}, ProveOptions(engine, bound))
        claims.append([(o.name, o.claim) for o in r.obligations])
    assert claims[0] == claims[1]


SHADOW = """spec Shadow
process P:
    var x: 0..5 = 0
    var y: 0..5 = 0

    proc set(v: 0..5):
        require v > x
        x := v

    action go(k in 0..3):
        require y == 0
        let v = 2
        set(k)
        y := v

invariant YIsTwo: P.y == 0 or P.y == 2

allow deadlock

check c:
    expect YIsTwo holds
"""


def test_parameters_do_not_capture_the_callers_names_and_require_disables_the_step():
    loaded = load_text(SHADOW, "shadow.sl")
    [block] = check_blocks(loaded)
    r = run_check(loaded, block, {})
    # go(0) is disabled by the procedure's require (0 > 0 is false); go(1..3) each
    # reach x = k, y = 2 (the caller's v, not the procedure's): 1 + 3 states (the
    # transition count includes the initial state's).
    assert (r.stats.states, r.stats.transitions) == (4, 4)
    assert [v.status for v in r.verdicts] == [Status.HOLDS]
    loaded = load_text(SHADOW.replace("        require v > x\n", ""), "shadow.sl")
    [block] = check_blocks(loaded)
    r = run_check(loaded, block, {})
    assert (r.stats.states, r.stats.transitions) == (5, 5)       # go(0) enabled


def test_a_procedure_does_not_see_the_callers_locals():
    text = SHADOW.replace("        require v > x\n", "        require k > x\n")
    with pytest.raises(SpecError) as exc:
        load_text(text, "shadow.sl")
    [d] = exc.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("SL201", 7, 17)
    assert "'k'" in d.message


def test_require_of_a_procedure_called_in_a_for_loop_is_refused():
    text = SHADOW.replace("        set(k)\n", "        for i in 1..2:\n            set(i)\n")
    with pytest.raises(SpecError) as exc:
        load_text(text, "shadow.sl")
    assert [(d.code, d.span.line) for d in exc.value.diagnostics] == [("SL106", 7)]


def test_the_language_server_links_calls_to_their_procedure():
    from stateline.lang.parse import parse
    from stateline.lang.symbols import index
    text = PROCS.read_text()
    ix = index(parse(text, "p.sl"), text)
    calls = sorted((r.span.line, r.symbol.name) for r in ix.references
                   if r.symbol is not None and r.symbol.kind == "procedure" and
                   r.span != r.symbol.span)
    assert calls == [(40, "decide"), (43, "decide"), (53, "leave"), (57, "leave")]
