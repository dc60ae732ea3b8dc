"""The Z3 encoding of networks with partitions agrees with the explicit checker.

With `partitions(N)` a bag's messages carry their sender, the built-in
`network.partition` step cuts the nodes in two and `network.heal` joins them, and a
message is deliverable only between nodes on the same side.  Hypothesis draws small
specs of that shape (two or three processes, lossy or duplicating bags, guarded
handlers, one or two partition events) and checks, for each: BMC to the explicit
search's depth gives the same verdicts and the same shortest counterexample lengths;
`--auto` never proves what the explicit search violates; `--induction` never proves
it either.  PROVE_PARTITIONS_EXAMPLES sets the number of specs (default 30).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, encode, instance, prove_block

EXAMPLES = int(os.environ.get("PROVE_PARTITIONS_EXAMPLES", "30"))
MAX_DEPTH = 8


@st.composite
def partition_specs(draw):
    n = draw(st.integers(2, 3))
    options = draw(st.sampled_from(["", " lossy", " duplicating"]))
    parts = draw(st.integers(1, 2))
    guard = draw(st.sampled_from(["", " if m.v == 1", " if m.v != self % 2"]))
    update = draw(st.sampled_from(["x := min(x + 1, 2)", "x := (x + m.v) % 3",
                                   "x := m.v + 1"]))
    sends = draw(st.sampled_from(["send M(self % 2)", "send M(1)", "send M(x % 2)"]))
    prop = draw(st.sampled_from([
        "invariant I: P[1].x + P[2].x <= {t}",
        "invariant I: not (P[1].x == {a} and P[2].x == {b})",
        "invariant I: P[2].x <= {t} or P[1].sent == 0",
        "transition T: P[1].x' >= P[1].x or P[1].x == 2",
    ])).format(t=draw(st.integers(0, 3)), a=draw(st.integers(0, 2)), b=draw(st.integers(0, 2)))
    text = f"""\
spec Gen
network bag{options} partitions({parts})
message M(v: 0..1)
process P(self in 1..{n}):
    var x: 0..2 = 0
    var sent: 0..1 = 0
    action emit:
        require sent == 0
        sent := 1
        {sends}
    on M(m){guard}:
        {update}
{prop}
check c:
    allow deadlock
"""
    return text


def engines(text: str, depth: int | None = None):
    loaded = load_text(text, "gen.sl")
    [block] = check_blocks(loaded)
    model = instance(loaded, block, {})
    enc = encode(model)
    explicit = run_check(loaded, block, {}, model=model)
    if depth is None:
        depth = max(0, min(explicit.stats.depth - 1, MAX_DEPTH))
    out = {}
    for engine, bound in (("bmc", depth), ("auto", 0), ("induction", 0)):
        out[engine] = prove_block(loaded, block, {}, ProveOptions(engine, bound, 20.0),
                                  model=model, enc=enc)
    return explicit, out, depth


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(partition_specs())
def test_partitions_agree_with_the_explicit_checker(text):
    explicit, results, depth = engines(text)
    assert explicit.failure is None
    complete = explicit.stop.exhaustive and explicit.stats.depth - 1 <= MAX_DEPTH
    bmc = {o.name: o for o in results["bmc"].obligations}
    context = f"\n{text}"
    for v in explicit.verdicts:
        o = bmc[v.prop]
        if v.status.value == "violated":
            n = len(v.trace)
            if n <= depth:
                assert o.claim is Claim.VIOLATED and len(o.trace) == n, v.prop + context
            for engine in ("auto", "induction"):
                claims = {x.name: x.claim for x in results[engine].obligations}
                assert claims.get(v.prop) is not Claim.PROVED, engine + context
        elif complete:
            assert o.claim is Claim.BOUNDED, v.prop + context
        if o.claim is Claim.VIOLATED:
            assert v.status.value == "violated", v.prop + context


def test_a_partition_blocks_delivery():
    # P[2] can only hear P[1] while they are on the same side; the violation needs the
    # message delivered before a partition and another after a heal.
    text = """\
spec Cut
network bag partitions(1)
message M(v: 0..1)
process P(self in 1..2):
    var got: 0..2 = 0
    action emit:
        require self == 1 and got < 2
        got := got + 1
        send M(0)
    on M(m) if self == 2:
        got := min(got + 1, 2)
invariant Heard: P[2].got < 2 or P[1].got < 2
check c:
    allow deadlock
"""
    explicit, results, depth = engines(text, 6)
    [v] = [v for v in explicit.verdicts if v.prop == "Heard"]
    assert v.status.value == "violated" and len(v.trace) == 4
    o = next(o for o in results["bmc"].obligations if o.name == "Heard")
    assert o.claim is Claim.VIOLATED and len(o.trace) == 4
    steps = [s.action for s in o.trace.steps]
    assert "partition" not in steps


def test_fair_heal_in_the_lasso_search():
    # docs/language.md's Partitioned spec: without fairness on network.heal a partition
    # may last forever (a 2-step lasso); with `fair weak network.heal` it holds.
    from pathlib import Path
    doc = (Path(__file__).resolve().parent.parent / "docs" / "language.md").read_text()
    start = doc.index("spec Partitioned")
    text = doc[start:doc.index("```", start)]
    loaded = load_text(text, "partitioned.sl")
    for block in check_blocks(loaded):
        model = instance(loaded, block, {})
        explicit = {v.prop: v for v in run_check(loaded, block, {}, model=model).verdicts}
        r = prove_block(loaded, block, {}, ProveOptions("bmc", 6, 60.0), model=model)
        o = next(o for o in r.obligations if o.name == "Converge")
        v = explicit["Converge"]
        if block.name == "c":
            assert v.status.value == "violated" and len(v.trace) == 2
            assert o.claim is Claim.VIOLATED and len(o.trace) == 2
            assert sorted(s.action for s in o.trace.steps) == ["partition", "write"]
        else:
            assert v.status.value == "holds"
            assert o.claim is Claim.BOUNDED
