"""Several handlers of one message, `either` and `choose` as statements.

Each is a hidden parameter of the step (stateline/lang/branching.py), so every
engine sees it: the explicit checker enumerates it, the Z3 engines quantify over
it, traces show it (`handler=2`, `either@L=2`, `v=...`) and replay by it.  The
counts pinned here are what the two equivalent formulations must share.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.cli import main
from stateline.explore.session import Session
from stateline.models.verdict import Status
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ROOT / "tests" / "specs" / "lossy_link_handlers.sl"
EITHER = ROOT / "tests" / "specs" / "lossy_link_either.sl"
FAIRNESS = ROOT / "tests" / "specs" / "handler_fairness.sl"


def results(path, text=None):
    loaded = load_text(text, "t.sl") if text is not None else load_spec(str(path))
    return {c.name: run_check(loaded, c, {}) for c in check_blocks(loaded)}


def verdicts(result):
    return {v.prop: v.status for v in result.verdicts}


@pytest.mark.parametrize("path,branch", [(HANDLERS, ("handler", "1")),
                                         (EITHER, ("either@19", "1"))])
def test_handler_alternatives_and_either_explore_the_same_steps(path, branch):
    [r] = results(path).values()
    assert (r.stats.states, r.stats.transitions) == (13, 19)
    assert verdicts(r) == {"Disjoint": Status.HOLDS, "NothingDelivered": Status.VIOLATED}
    trace = next(v.trace for v in r.verdicts if v.prop == "NothingDelivered")
    assert [s.title() for s in trace.steps] == [
        "Sender.transmit", f"Receiver.on Data({branch[0]}={branch[1]})"]


def test_z3_engines_agree_with_the_explicit_checker_and_each_other():
    claims = []
    for path in (HANDLERS, EITHER):
        loaded = load_spec(str(path))
        [block] = check_blocks(loaded)
        bmc = prove_block(loaded, block, {}, ProveOptions("bmc", 6))
        assert {o.name: o.claim for o in bmc.obligations if o.kind == "invariant"} == \
            {"Disjoint": Claim.BOUNDED, "NothingDelivered": Claim.VIOLATED}
        # the shortest counterexample, taking the delivering branch as the explicit one
        trace = next(o.trace for o in bmc.obligations if o.name == "NothingDelivered")
        assert len(trace.steps) == 2 and trace.steps[1].params[0][1] == "1"
        kind = prove_block(loaded, block, {}, ProveOptions("k-induction", 2))
        claims.append([(o.name, o.claim) for o in kind.obligations])
    assert claims[0] == claims[1]


@pytest.mark.parametrize("path", [HANDLERS, EITHER])
def test_saved_counterexamples_replay_in_the_explorer(path, tmp_path):
    out, itf = tmp_path / "r.json", tmp_path / "itf"
    assert main(["check", str(path), "--no-progress", "--quiet", "--json", str(out),
                 "--itf", str(itf)]) == 0
    from stateline.otlp.document import load
    for saved in [out, *sorted(itf.iterdir())]:
        doc = load(str(saved))
        trace = next(p["trace"] for p in doc["results"][0]["properties"]
                     if p["name"] == "NothingDelivered")
        s = Session.open(str(path))
        s.replay(trace)
        assert s.depth == 2, saved


def test_fairness_of_alternatives_is_fairness_of_their_disjunction():
    r = results(FAIRNESS)
    assert verdicts(r["disjunction"])["Delivered"] is Status.VIOLATED
    assert verdicts(r["perHandler"])["Delivered"] is Status.HOLDS
    loop = next(v.trace for v in r["disjunction"].verdicts if v.prop == "Delivered")
    assert [s.title() for s in loop.steps] == [
        "Node.ping", "Node.on Ping(handler=1)", "Node.on Ping(handler=1)"]
    loaded = load_spec(str(FAIRNESS))
    for block in check_blocks(loaded):
        bmc = prove_block(loaded, block, {}, ProveOptions("bmc", 6))
        claim = next(o.claim for o in bmc.obligations if o.name == "Delivered")
        assert claim is {"disjunction": Claim.VIOLATED, "perHandler": Claim.BOUNDED}[block.name]


LOSSY = """spec Loss
const Nodes = {n1, n2}
network bag LOSSY
message Ping(src: Nodes, n: 0..2)

process Node(self in Nodes):
    var got: 0..2 = 0
    var sent: 0..2 = 0

    action ping if sent < 2:
        sent := sent + 1
        send Ping(self, sent)

    on Ping(m):
RECEIVE
allow deadlock
"""


def test_either_modelling_loss_equals_a_lossy_network():
    either = LOSSY.replace(" LOSSY", "").replace(
        "RECEIVE", "        either:\n            got := m.n\n        or:\n            pass")
    lossy = LOSSY.replace("LOSSY", "lossy").replace("RECEIVE", "        got := m.n")
    counts = [(r.stats.states, r.stats.transitions)
              for r in (next(iter(results(None, t).values())) for t in (either, lossy))]
    # The same states; a lossy bag drops by a network step, not a handler step.
    assert counts == [(210, 1133), (210, 885)]


CHOOSE = """spec Pick
var chosen: set[1..3] = {}
var last: 0..3 = 0

action pick:
    choose v in {1, 2, 3} - chosen:
        chosen := chosen | {v}
        last := v

invariant LastChosen: last == 0 or last in chosen
allow deadlock
"""


def test_choose_branches_per_value_and_an_empty_set_disables_the_step():
    [r] = results(None, CHOOSE).values()
    assert (r.stats.states, r.stats.transitions) == (13, 16)
    loaded = load_text(CHOOSE, "t.sl")
    model = instance(loaded, check_blocks(loaded)[0], {})
    [s0] = list(model.initial_states())
    assert [model.step(s0, lab, n, 1).title() for lab, n in model.successors_labeled(s0)] \
        == ["pick(v=1)", "pick(v=2)", "pick(v=3)"]
    state = s0
    for left in (3, 2, 1):         # one successor per value not chosen yet
        options = model.successors_labeled(state)
        assert len(options) == left
        state = options[0][1]
    assert model.successors_labeled(state) == []     # S is empty: pick is disabled
    # BMC reaches the state where every value is chosen in exactly 3 steps
    text = CHOOSE.replace("invariant LastChosen", "invariant NotAll: len(chosen) < 3\n"
                          "invariant LastChosen") + "check c:\n    expect NotAll violated\n"
    loaded = load_text(text, "t.sl")
    [block] = check_blocks(loaded)
    bmc = prove_block(loaded, block, {}, ProveOptions("bmc", 5))
    found = {o.name: (o.claim, o.trace and len(o.trace.steps)) for o in bmc.obligations}
    assert found["NotAll"] == (Claim.VIOLATED, 3)
    assert found["LastChosen"][0] is Claim.BOUNDED


NESTED = """spec Nested
var x: 0..3 = 0
var y: 0..3 = 0

action b:
    choose v in {1, 2}:
        if v == 1:
            either:
                y := v
            or:
                y := 3
        else:
            y := 0
allow deadlock
"""


def test_an_unreached_either_adds_no_duplicate_successors():
    loaded = load_text(NESTED, "t.sl")
    model = instance(loaded, check_blocks(loaded)[0], {})
    [s0] = list(model.initial_states())
    assert [model.step(s0, lab, n, 1).title() for lab, n in model.successors_labeled(s0)] \
        == ["b(v=1, either@8=1)", "b(v=1, either@8=2)", "b(v=2, either@8=1)"]
