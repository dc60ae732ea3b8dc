"""Liveness by Z3 without a ranking function (`stateline prove --liveness-to-safety`,
stateline/prover/l2s.py): its verdicts against the explicit checker.

* The library's temporal properties: pinned verdicts and lasso lengths, each the same as
  `stateline check`'s.
* Random specs with fairness (the fair-liveness generator of
  tests/test_fairness_agreement.py: weak and strong fairness, per-parameter and
  per-message units, crashes, constraints, every temporal form): the reduction proves
  exactly the properties check finds holding, and each lasso it prints is one check
  accepts (confirmed on the compiled model before it is reported, and checked again
  here against check's verdict).

L2S_EXAMPLES=N sets the number of random specs (default 40).  L2S_SLOW=1 adds the library
rows and tests that take more than a few CPU seconds (Paxos with ballots 0..2: about
20 CPU s; the quantifier elimination of a symbolic fair action: about 15 CPU s).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.prover import l2s
from stateline.prover.proofs import load_proof
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

sys.path.insert(0, str(Path(__file__).parent))
import engine_agreement as E  # noqa: E402
from known_unsound import known  # noqa: E402
from spec_shapes import shaped_specs  # noqa: E402
from test_fairness_agreement import gens  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("L2S_EXAMPLES", "40"))
L2S = ProveOptions("l2s", timeout=60)


def temporal(result):
    return {o.name: o for o in result.obligations if o.kind == "temporal"}


def agree(text: str, path: str = "gen.sl"):
    """(check's temporal verdicts, l2s's temporal obligations) of every check block."""
    loaded = load_text(text, path)
    out = []
    for block in check_blocks(loaded):
        model = instance(loaded, block, {})
        r = run_check(loaded, block, {}, model=model)
        l2s = prove_block(loaded, block, {}, L2S)
        for v in r.verdicts:
            if v.kind != "temporal":
                continue
            o = temporal(l2s)[v.prop]
            assert o.claim in (Claim.PROVED, Claim.VIOLATED), (o.claim, o.detail, text)
            assert (o.claim is Claim.VIOLATED) == (v.status.value == "violated"), \
                (v.prop, o.detail, text)
            if o.claim is Claim.VIOLATED:
                assert o.trace.loop_start is not None
                assert len(o.trace.steps) == o.depth
        out.append((r, l2s))
    return out


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(gens())
def test_l2s_agrees_with_check_on_random_fair_specs(gen):
    agree(gen.text)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(shaped_specs())
def test_l2s_in_the_engine_agreement(spec):
    """The engine-agreement specs with temporal properties (integers, sets, networks,
    crashes, constraints, run-time errors): no finding (tests/engine_agreement.py), and
    when check decides every property (a complete search, no run-time error) the
    reduction decides each temporal property as check does, or gives up with a reason."""
    assume(spec.temporal)
    run = E.findings(spec, engines=("l2s",))
    assert not [f for f in run.findings if known(f, run) is None], run.report()
    if run.refused or "l2s" not in run.results:
        return
    ex = run.explicit
    obligations = temporal(run.results["l2s"])
    for v in ex.verdicts:
        if v.kind != "temporal":
            continue
        o = obligations[v.prop]
        if ex.failure is None and ex.stop.value == "complete" and \
                o.claim is not Claim.UNKNOWN:
            assert (o.claim is Claim.VIOLATED) == (v.status.value == "violated"), run.report()
        if ex.failure is not None:
            assert o.claim is Claim.UNKNOWN, run.report()


SLOW = os.environ.get("L2S_SLOW") == "1"

# (spec, check block, property, l2s's claim, (steps, loop start) of its lasso); each
# verdict is also check's, and each lasso has the length of check's.  cap.sl's cp (and
# Paxos' ballots012 when Spacer does not prove "(run-time errors)" in time) is decided
# without that prerequisite: its lasso is free of run-time errors (violation_search);
# cap.sl's ap and cpNoPartition have it proved by the lemmas of proofs/cap.sl.
LIBRARY = [
    ("specs/fairness_flicker.sl", "weak", "ClientServed", Claim.VIOLATED, (2, 0)),
    ("specs/fairness_flicker.sl", "strong", "ClientServed", Claim.PROVED, None),
    ("specs/labs/mutex_no_turn.sl", "two", "StarvationFree", Claim.VIOLATED, (2, 2)),
    ("specs/two_phase_commit.sl", "n3", "AllDecide", Claim.VIOLATED, (0, 0)),
    ("specs/two_phase_commit.sl", "fairN3", "AllDecide", Claim.PROVED, None),
    ("specs/peterson.sl", "two", "StarvationFree", Claim.PROVED, None),
    ("specs/cap.sl", "ap", "Available", Claim.PROVED, None),
    ("specs/cap.sl", "cp", "Available", Claim.VIOLATED, (3, 3)),
    ("specs/cap.sl", "cpNoPartition", "Available", Claim.PROVED, None),
] + ([      # (L2S_SLOW=1: CI's time budget)
    ("specs/paxos.sl", "ballots012", "SomeValueChosen", Claim.VIOLATED, (0, 0)),
] if SLOW else [])

# The rows decided with a proof file (--proof): its lemmas rule out run-time errors.
PROOFS = {("specs/cap.sl", "ap"): "proofs/cap.sl",
          ("specs/cap.sl", "cpNoPartition"): "proofs/cap.sl"}

# A shorter timeout for the rows whose "(run-time errors)" Spacer does not prove: the
# safety run gets half of it, the search for a violation the rest.
# cpNoPartition: Spacer has half of the time left after the safety run, and needs 12 to
# 20 CPU s.
TIMEOUTS = {("specs/cap.sl", "cp"): 30, ("specs/paxos.sl", "ballots012"): 60,
            ("specs/cap.sl", "cpNoPartition"): 120}


@pytest.mark.parametrize("path,check,prop,claim,lasso", LIBRARY,
                         ids=[f"{p.split('/')[-1]}:{c}:{n}" for p, c, n, _, _ in LIBRARY])
def test_library_temporal_properties(path, check, prop, claim, lasso):
    loaded = load_spec(str(ROOT / path))
    [block] = check_blocks(loaded, [check], (prop,))
    model = instance(loaded, block, {})
    [v] = [v for v in run_check(loaded, block, {}, model=model).verdicts if v.prop == prop]
    proof = PROOFS.get((path, check))
    proof = load_proof(str(ROOT / proof), loaded) if proof else None
    options = ProveOptions("l2s", timeout=TIMEOUTS.get((path, check), 60), proof=proof)
    r = prove_block(loaded, block, {}, options)
    o = temporal(r)[prop]
    assert o.claim is claim, o.detail
    assert (v.status.value == "violated") == (claim is Claim.VIOLATED)
    errors = [e for e in r.obligations if e.name == "(run-time errors)"]
    if proof is not None:
        assert errors[0].claim is Claim.PROVED, errors[0].detail
    if errors and errors[0].claim is not Claim.PROVED:
        assert errors[0].claim is Claim.UNKNOWN and "free of run-time errors" in o.detail, \
            o.detail
    if claim is Claim.PROVED:
        assert "loop." in o.invariant
        return
    assert (len(o.trace.steps), o.trace.loop_start) == lasso
    assert len(o.trace.steps) == len(v.trace.steps)


@pytest.mark.parametrize("path,check,prop,lasso", [
    ("specs/fairness_flicker.sl", "weak", "ClientServed", (2, 0)),
    ("specs/labs/mutex_no_turn.sl", "two", "StarvationFree", (2, 2)),
    ("specs/two_phase_commit.sl", "n3", "AllDecide", (0, 0)),
])
def test_the_bounded_search_after_spacer_finds_the_lasso(path, check, prop, lasso,
                                                         monkeypatch):
    """When Spacer's part of a property's time runs out (here at once), the bounded
    fair-lasso search has the rest, and finds check's lasso."""
    monkeypatch.setattr(l2s, "SPACER_PART", 1e-9)
    loaded = load_spec(str(ROOT / path))
    [block] = check_blocks(loaded, [check], (prop,))
    o = temporal(prove_block(loaded, block, {}, ProveOptions("l2s", timeout=60)))[prop]
    assert o.claim is Claim.VIOLATED, o.detail
    assert (len(o.trace.steps), o.trace.loop_start) == lasso


def test_after_spacer_a_property_that_holds_stays_unknown(monkeypatch):
    monkeypatch.setattr(l2s, "SPACER_PART", 1e-9)
    loaded = load_spec(str(ROOT / "specs/peterson.sl"))
    [block] = check_blocks(loaded, ["two"], ("StarvationFree",))
    o = temporal(prove_block(loaded, block, {}, ProveOptions("l2s", timeout=4)))[
        "StarvationFree"]
    assert o.claim is Claim.UNKNOWN
    assert o.detail.startswith("not decided: Spacer: its share (0%) of the --timeout of 4 s "
                               "ran out; then no fair violating lasso was found (bounded "
                               "search: "), o.detail


@settings(max_examples=max(1, EXAMPLES // 4), deadline=None, derandomize=True,
          database=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(gens())
def test_the_bounded_search_after_spacer_on_random_fair_specs(gen):
    """With Spacer's part gone at once, each property is left to the bounded search: it
    finds a lasso exactly where check finds a violation, no longer than check's (the
    search's are shortest; check's lasso, closed where its search met the cycle, may
    not be), and says unknown elsewhere (the search proves nothing)."""
    loaded = load_text(gen.text, "gen.sl")
    for block in check_blocks(loaded):
        model = instance(loaded, block, {})
        r = run_check(loaded, block, {}, model=model)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(l2s, "SPACER_PART", 1e-9)
            mp.setattr(l2s, "VIOLATION_BOUND", 16)      # (these specs' lassos are short)
            got = temporal(prove_block(loaded, block, {}, ProveOptions("l2s", timeout=20)))
        for v in r.verdicts:
            if v.kind != "temporal" or v.prop not in got:
                continue
            o = got[v.prop]
            if v.status.value == "violated":
                assert o.claim is Claim.VIOLATED, (v.prop, o.detail, gen.text)
                assert len(o.trace.steps) <= len(v.trace.steps), (v.prop, gen.text)
            else:
                assert o.claim is Claim.UNKNOWN, (v.prop, o.detail, gen.text)


def test_cli_json_and_determinism(tmp_path, capsys):
    """`stateline prove --liveness-to-safety`: exit 0 when every expectation is met, the
    JSON document valid against schemas/stateline.prove.v1.schema.json with engine
    `l2s`, and the same document (apart from times) on a second run."""
    import json

    import jsonschema

    from stateline import cli
    schema = json.loads((ROOT / "schemas" / "stateline.prove.v1.schema.json").read_text())
    docs = []
    for k in range(2):
        out = tmp_path / f"l2s{k}.json"
        code = cli.main(["prove", str(ROOT / "specs/fairness_flicker.sl"),
                         "--liveness-to-safety", "--quiet", "--json", str(out)])
        assert code == 0
        doc = json.loads(out.read_text())
        jsonschema.Draft202012Validator(schema).validate(doc)
        docs.append(_without_seconds(doc))
    assert docs[0] == docs[1], __import__("json").dumps(docs, indent=1)
    weak, strong = docs[0]["results"]
    assert [r["engine"] for r in (weak, strong)] == ["l2s", "l2s"]
    [w] = [o for o in weak["obligations"] if o["name"] == "ClientServed"]
    [s] = [o for o in strong["obligations"] if o["name"] == "ClientServed"]
    assert (w["claim"], s["claim"]) == ("violated", "proved")
    assert "loop.took[serve]" in s["invariant"]
    text = capsys.readouterr().out
    assert "Inductive invariant found by Spacer for ClientServed (check strong), liveness " \
           "to safety" in text


def test_a_proof_file_discharges_the_prerequisite(capsys):
    """With --proof, "(run-time errors)" and the safety properties are proved by
    --induction with the proof's lemmas (its ranking function is not used), and the
    reduction then proves the temporal property, with the lemmas assumed in its steps."""
    from stateline import cli
    code = cli.main(["prove", str(ROOT / "specs/peterson.sl"), "--liveness-to-safety",
                     "--proof", str(ROOT / "proofs/peterson.sl")])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].isalpha() or
            line.startswith("(")}
    assert "proved: inductive (with the other conjuncts)" in rows["FlagsFollowPc"]
    assert "proved: no run-time error in a state satisfying the invariant" in \
        rows["(run-time"]
    assert "proved: for every fair behaviour (liveness to safety)" in rows["StarvationFree"]
    assert "ranking" not in out
    code = cli.main(["prove", str(ROOT / "specs/peterson.sl"), "--bmc", "2",
                     "--proof", str(ROOT / "proofs/peterson.sl")])
    assert code == 2
    assert "error[SL504]: --proof is used by --induction and --k-induction (and " \
           "--liveness-to-safety)" in capsys.readouterr().err


def _without_seconds(doc):
    if isinstance(doc, dict):
        return {k: _without_seconds(v) for k, v in doc.items() if k != "seconds"}
    if isinstance(doc, list):
        return [_without_seconds(x) for x in doc]
    return doc


ANCHORED = """spec Anchored
var x: 0..3 = 0
var fast: bool in bool

action step:
    require x < 2 or (fast and x < 3)
    x := x + 1

action reset:
    require x == 2 and not fast
    x := 0

property FastFinishes: initially fast implies eventually x == 3
property SlowFinishes: initially not fast implies eventually x == 3
property Moves: eventually x == 1

allow deadlock

check fair:
    fair weak step
    expect SlowFinishes violated

check unfair:
    expect FastFinishes violated
    expect SlowFinishes violated
    expect Moves violated
"""


def test_initially_implies_eventually_and_stuttering_without_fairness():
    """docs/language.md's Anchored: `initially P implies eventually Q` under weak fairness
    (the slow run may stop at x = 2: reset is not fair), and without fairness every state
    may stutter forever: each property fails in the initial state, a lasso of 0 steps.
    Each lasso has the length of check's."""
    [(fair_check, fair), (unfair_check, unfair)] = agree(ANCHORED, "anchored.sl")
    got = {name: (o.claim, len(o.trace.steps) if o.trace else None,
                  o.trace.loop_start if o.trace else None)
           for name, o in temporal(fair).items()}
    assert got == {"FastFinishes": (Claim.PROVED, None, None),
                   "SlowFinishes": (Claim.VIOLATED, 2, 2),
                   "Moves": (Claim.PROVED, None, None)}
    got = {name: (o.claim, len(o.trace.steps), o.trace.loop_start)
           for name, o in temporal(unfair).items()}
    for r, l2s in ((fair_check, fair), (unfair_check, unfair)):
        for v in r.verdicts:
            if v.trace is not None and v.kind == "temporal":
                assert len(v.trace.steps) == len(temporal(l2s)[v.prop].trace.steps)
    assert got == {"FastFinishes": (Claim.VIOLATED, 0, 0),
                   "SlowFinishes": (Claim.VIOLATED, 0, 0),
                   "Moves": (Claim.VIOLATED, 0, 0)}


SYMBOLIC = """spec Sym
var x: 0..2 = 0
var hit: 0..300 = 0

fair weak action pick(v in 0..300):
    require x == 0 and v >= 100
    hit := v
    x := 1

property Picks: eventually x == 1

allow deadlock
"""

RAISES = """spec Raises
var x: 0..3 = 2

fair weak action down:
    require x > 0
    x := x - 1

property Big: eventually 6 // x > 3

allow deadlock
"""


def test_no_verdict_without_its_premises():
    """A reachable run-time error (here evaluating the property at x = 0): check reports
    it instead of a verdict, and so does the reduction leave the property undecided."""
    loaded = load_text(RAISES, "t.sl")
    [block] = check_blocks(loaded)
    [o] = temporal(prove_block(loaded, block, {}, L2S)).values()
    assert o.claim is Claim.UNKNOWN and "a run-time error is reachable" in o.detail, o.detail


@pytest.mark.parametrize("limit", [
    None, pytest.param(0, marks=pytest.mark.skipif(not SLOW, reason="about 15 CPU s; "
                                                                     "set L2S_SLOW=1"))])
def test_symbolic_choice_by_quantifier_elimination(limit, monkeypatch):
    """A fair action whose choice stays symbolic (more than 256 values): its `enabled` is
    an existential, which is written out over the choice's 301 values
    (finite_exists.expanded) or, beyond its limit, eliminated by Z3's quantifier
    elimination, into an equivalent quantifier-free formula (l2s.eliminated), so the
    Horn clauses can negate it and the property is proved, as check finds it holding."""
    from stateline.prover import l2s
    if limit is not None:
        monkeypatch.setattr(l2s, "written_out", lambda t: t)
    loaded = load_text(SYMBOLIC, "t.sl")
    [block] = check_blocks(loaded)
    [v] = run_check(loaded, block, {}).verdicts
    [o] = temporal(prove_block(loaded, block, {}, L2S)).values()
    assert (v.status.value, o.claim) == ("holds", Claim.PROVED), o.detail
    assert "loop.fair[pick]" in o.invariant


LOSSY_SYMBOLIC = """spec SymLasso
network bag lossy
message M(dst: 1..1, a: 0..20, b: 0..20)
process P(self in 1..1):
    var k: 0..2 = 0
    var got: 0..20 = 0
    action send:
        require k < 2
        k := k + 1
        send M(self, k, 7)
    on M(m) if m.dst == self:
        got := m.a
property Done: eventually P[1].got == 2
check c:
    fair weak P.send, P.M
    expect Done violated
"""


def test_bounded_lasso_with_a_symbolic_fair_handler():
    """The handler's choice stays symbolic (441 messages): the bounded lasso search
    writes its `enabled` and "no step raises a run-time error" out over the choice's
    values (finite_exists.written_out) and finds a lasso of the length of check's: a
    message is dropped, so P[1].got never becomes 2."""
    loaded = load_text(LOSSY_SYMBOLIC, "t.sl")
    [block] = check_blocks(loaded)
    [v] = [v for v in run_check(loaded, block, {}).verdicts if v.prop == "Done"]
    r = prove_block(loaded, block, {}, ProveOptions("bmc", 6))
    o = temporal(r)["Done"]
    assert (v.status.value, o.claim) == ("violated", Claim.VIOLATED), o.detail
    assert len(o.trace.steps) == len(v.trace.steps) == 4
