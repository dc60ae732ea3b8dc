"""Temporal properties without fairness are decided on the reachable states alone.

Without a fair unit every behaviour may stutter forever anywhere, so `check` skips the
labelled state graph (`run.stuttering_violation`).  On random specs (the generator of
test_fairness_agreement with every fairness assumption removed), its verdicts and
counterexamples are compared with the fair-cycle analysis on the full graph
(`run.liveness_violation`, what check did before): the same verdict, the same trace for
`eventually`, `always eventually` and `leads_to`; for `eventually always` a trace no
longer in all (prefix and loop) than the graph's, since the analysis enters a
component by its shallowest state, which need not be the state that fails P.
"""

from __future__ import annotations

import dataclasses
import os

from hypothesis import HealthCheck, given, settings

from stateline import check_blocks, load_text, run_check
from stateline.checker import run as run_mod
from stateline.checker.search import SearchOptions, bfs
from stateline.models.verdict import Status
from test_fairness_agreement import gens

EXAMPLES = int(os.environ.get("STUTTERING_EXAMPLES", "200"))


def unfair(gen):
    actions = [dataclasses.replace(a, fair=None) for a in gen.actions]
    g = dataclasses.replace(gen, actions=actions, handler_fair=None, process_fair=None,
                            check_fair=[])
    g.text = g.render()
    return g


def graph_verdict(loaded, check):
    """The counterexample (or None) of the one temporal property by the fair-cycle
    analysis of the labelled graph (the generator's predicates never raise)."""
    model = run_mod.prepare(loaded, check, {})
    result = bfs(model, SearchOptions(check_deadlock=False, graph=True))
    ((prop, instances),) = model.temporal
    found, _ = run_mod.liveness_violation(model, result, prop, instances)
    if found is None:
        return None
    states, loop_start, choices = found
    return model.trace(states, loop_start, choices)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gens())
def test_without_fairness_the_states_decide_as_the_graph_does(gen):
    gen = unfair(gen)
    loaded = load_text(gen.text, "gen.sl")
    (check,) = check_blocks(loaded)
    result = run_check(loaded, check, {})
    assert result.stop.value == "complete", gen.text
    (verdict,) = [v for v in result.verdicts if v.kind == "temporal"]
    expected = graph_verdict(loaded, check)
    if expected is None:
        assert verdict.status is Status.HOLDS, gen.text
        return
    assert verdict.status is Status.VIOLATED, gen.text
    trace = verdict.trace
    assert trace.loop_start == len(trace.steps)          # a stuttering end
    if gen.form == "eventually_always":
        loop = len(expected.steps) - expected.loop_start
        assert len(trace.steps) <= expected.loop_start + loop, gen.text
    else:
        assert trace == expected, gen.text


def test_a_shipped_block_without_fairness_builds_no_graph():
    # paxos.sl `ballots01`: SomeValueChosen is violated by stuttering (no fairness).
    from stateline import load_spec

    loaded = load_spec(os.path.join(os.path.dirname(__file__), "..", "specs", "paxos.sl"))
    (check,) = check_blocks(loaded, ["ballots01"])
    model = run_mod.prepare(loaded, check, {})
    assert not model.fairness.rules
    result = run_check(loaded, check, {}, model=model)
    (verdict,) = [v for v in result.verdicts if v.kind == "temporal"]
    assert verdict.status is Status.VIOLATED
    assert result.stats.states == 3921
    assert len(model.fairness) == 0       # no step was labelled with a unit
