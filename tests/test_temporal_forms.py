"""The temporal forms `initially P implies eventually Q` and `always (P implies always P)`.

`initially P implies eventually Q` is `eventually Q` on the behaviours whose initial
state satisfies P: on generated specs (test_fairness_agreement's generator, every
variable starting either way) its verdict and counterexample prefix are those of
`eventually Q` on the same spec with the initial states filtered to P, in `check` and
in `prove --bmc`.  The stability form is elaborated as the transition invariant
`P implies P'`: on generated specs, its verdict and counterexample are those of that
transition invariant, and a brute force over the reachable steps agrees.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.diagnostics import SpecError
from stateline.lang.fmt import format_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block
from test_fairness_agreement import gens, predicates

EXAMPLES = int(os.environ.get("TEMPORAL_FORMS_EXAMPLES", "120"))

SPEC = textwrap.dedent("""\
    spec T

    var x: 0..3 = 0
    var y: 0..3 in 0..1

    action inc if x < 2:
        x := x + 1

    action back if x == 2 and y == 1:
        x := 0

    allow deadlock

    property Reach: initially y == 1 implies eventually x == 3
    property Reach0: initially y == 0 implies eventually x == 2
    property Only0: initially y == 0 implies eventually (x == 2 and y == 0)
    property Stable: always (x >= 1 implies always x >= 1)
    property StableEach: forall k in 1..2: always (x >= k implies always x >= k)

    check c:
        fair weak inc
        expect Reach violated
        expect Stable violated
        expect StableEach violated

    check unfair:
        expect Reach violated
        expect Reach0 violated
        expect Stable violated
        expect StableEach violated
    """)


def verdicts(text, block=None):
    loaded = load_text(text, "t.sl")
    out = {}
    for check in check_blocks(loaded, [block] if block else None):
        r = run_check(loaded, check, {})
        for v in r.verdicts:
            steps = None if v.trace is None else (len(v.trace.steps), v.trace.loop_start)
            out[(check.name, v.prop)] = (v.kind, v.status.value, steps)
    return out


def test_check_verdicts_and_counterexample_lengths():
    v = verdicts(SPEC)
    assert v[("c", "Reach")] == ("temporal", "violated", (2, 2))     # 2 steps, stutter
    assert v[("c", "Reach0")] == ("temporal", "holds", None)
    assert v[("c", "Only0")] == ("temporal", "holds", None)   # y == 1 starts are exempt
    assert v[("c", "Stable")] == ("transition", "violated", (3, None))
    assert v[("c", "StableEach")] == ("transition", "violated", (3, None))
    # Without fairness the initial P-state without Q stutters forever.
    assert v[("unfair", "Reach")] == ("temporal", "violated", (0, 0))
    assert v[("unfair", "Reach0")] == ("temporal", "violated", (0, 0))


def test_bmc_verdicts_and_lengths():
    loaded = load_text(SPEC, "t.sl")
    [check] = check_blocks(loaded, ["c"])
    r = prove_block(loaded, check, {}, ProveOptions("bmc", 6))
    got = {o.name: (o.kind, o.claim, o.depth) for o in r.obligations}
    assert got["Reach"] == ("temporal", Claim.VIOLATED, 2)
    assert got["Reach0"] == ("temporal", Claim.BOUNDED, 6)
    assert got["Only0"] == ("temporal", Claim.BOUNDED, 6)
    assert got["Stable"][:2] == ("transition", Claim.VIOLATED)
    assert len([o for o in r.obligations if o.name == "Stable"][0].trace.steps) == 3


def test_initially_p_false_everywhere_holds_vacuously():
    text = SPEC.replace("initially y == 1 implies eventually x == 3",
                        "initially y == 5 implies eventually x == 3")
    assert verdicts(text, "unfair")[("unfair", "Reach")] == ("temporal", "holds", None)


@pytest.mark.parametrize("formula, message", [
    ("initially y == 1 implies always x == 3",
     "'initially P implies ...' is supported only as 'initially P implies eventually Q'"),
    ("initially y == 1 implies eventually always x == 3",
     "'initially P implies ...' is supported only as 'initially P implies eventually Q'"),
    ("always (x >= 1 implies always x >= 2)",
     "'always (P implies always Q)' is supported only as the stability form"),
    ("forall k in 0..x: always (x >= k implies always x >= k)",
     "state"),
])
def test_unsupported_shapes_are_precise_errors(formula, message):
    text = SPEC.replace("initially y == 1 implies eventually x == 3", formula)
    with pytest.raises(SpecError) as exc:
        load_text(text, "t.sl")
    d = exc.value.diagnostics[0] if hasattr(exc.value, "diagnostics") else exc.value
    assert "SL1" in str(d) or "SL3" in str(d), str(d)
    assert message in str(exc.value), str(exc.value)


def test_enabled_is_an_action_predicate_but_a_def_named_enabled_shadows_it():
    base = "spec E\nvar x: 0..3 = 0\n\naction inc:\n    require x < 3\n    x := x + 1\n\n"
    loaded = load_text(base + "invariant I: enabled(inc) or x == 3\n", "e.sl")
    [check] = check_blocks(loaded)
    [v] = [v for v in run_check(loaded, check, {}).verdicts if v.prop == "I"]
    assert v.status.value == "holds"
    loaded = load_text(base + "def enabled(v: int): bool = v < 3\n\n"
                              "invariant I: enabled(x) or x == 3\n", "e.sl")
    [check] = check_blocks(loaded)
    [v] = [v for v in run_check(loaded, check, {}).verdicts if v.prop == "I"]
    assert v.status.value == "holds"


def test_fmt_round_trips_the_new_forms():
    once = format_text(SPEC, "t.sl")
    assert "property Reach: initially y == 1 implies eventually x == 3" in once
    assert "property Stable: always (x >= 1 implies always x >= 1)" in once
    assert "forall k in 1..2: always (x >= k implies always x >= k)" in once
    assert format_text(once, "t.sl") == once
    text = "spec T\n\nvar x: 0..3 = 0\n\nproperty R: initially ((x == 1 or x == 2)) " \
           "implies eventually x == 3\nproperty S: initially (x == 1 implies x == 2) " \
           "implies eventually x == 3\n"
    out = format_text(text, "t.sl")
    assert "initially x == 1 or x == 2 implies eventually x == 3" in out
    assert "initially (x == 1 implies x == 2) implies eventually x == 3" in out
    assert format_text(out, "t.sl") == out


# ---- cross-checks on generated specs ---------------------------------------------------

LITERALS = {"a": ("a", "true"), "not a": ("a", "false"), "b": ("b", "true"),
            "not b": ("b", "false")}


def either_way(text: str) -> str:
    return text.replace(": bool = false", ": bool in {false, true}")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gens(), st.sampled_from(sorted(LITERALS)), st.booleans())
def test_initially_is_eventually_on_the_filtered_initial_states(gen, start, bmc):
    gen = dataclasses.replace(gen, form="eventually")
    plain = either_way(gen.render())
    prop = f"property L: eventually {gen.p}"
    assert prop in plain
    var, value = LITERALS[start]
    a = plain.replace(prop, f"property L: initially {start} implies eventually {gen.p}")
    b = plain.replace(f"var {var}: bool in {{false, true}}", f"var {var}: bool = {value}")
    results = []
    for text in (a, b):
        loaded = load_text(text, "gen.sl")
        [check] = check_blocks(loaded)
        r = run_check(loaded, check, {})
        assert r.failure is None, text
        [v] = [v for v in r.verdicts if v.kind == "temporal"]
        results.append((v.status.value, None if v.trace is None else v.trace.loop_start))
        if bmc:
            p = prove_block(loaded, check, {}, ProveOptions("bmc", 4))
            [o] = [o for o in p.obligations if o.kind == "temporal"]
            results.append((o.claim, o.depth))
    assert results[:len(results) // 2] == results[len(results) // 2:], (a, b)


def brute_stability_violated(model, p_fn) -> bool:
    seen, todo = set(), list(model.initial_states())
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for _label, t in model.successors_labeled(s):
            if p_fn(s) and not p_fn(t):
                return True
            todo.append(t)
    return False


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gens())
def test_stability_is_the_transition_invariant(gen):
    gen = dataclasses.replace(gen, constraint=None)
    plain = either_way(gen.render())
    prop = [line for line in plain.splitlines() if line.startswith("property L:")][0]
    a = plain.replace(prop, f"property L: always ({gen.p} implies always {gen.p})")
    b = plain.replace(prop, f"transition L: ({gen.p}) implies ({gen.p})'")
    got = []
    for text in (a, b):
        loaded = load_text(text, "gen.sl")
        [check] = check_blocks(loaded)
        r = run_check(loaded, check, {})
        assert r.failure is None, text
        [v] = [v for v in r.verdicts if v.prop == "L"]
        got.append((v.kind, v.status.value, v.trace))
    assert got[0] == got[1], (a, b)
    # The brute force: some reachable step from a P-state to a state without P.
    ev = either_way(dataclasses.replace(gen, form="eventually").render())
    loaded = load_text(ev, "gen.sl")
    [check] = check_blocks(loaded)
    model = instance(loaded, check, {})
    p_fn, _ = predicates(model)
    assert (got[0][1] == "violated") == brute_stability_violated(model, p_fn), a


RANKED = textwrap.dedent("""\
    spec R
    var x: 0..3 = 0
    var y: 0..3 in 0..1

    fair weak action inc if x < 2:
        x := x + 1

    property Reach2: initially y == 0 implies eventually x == 2
    property Reach3: initially y == 0 implies eventually x == 3

    allow deadlock
    """)

PROOF = textwrap.dedent("""\
    proof R

    lemma Small: x <= 2

    rank Reach2: 2 - x helps inc
    rank Reach3: 3 - x helps inc
    """)


def test_a_ranking_function_proves_initially_eventually(tmp_path, capsys):
    from stateline.cli import main

    (tmp_path / "r.sl").write_text(RANKED)
    (tmp_path / "p.sl").write_text(PROOF)
    main(["prove", str(tmp_path / "r.sl"), "--induction", "--proof", str(tmp_path / "p.sl")])
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("Reach")}
    assert "proved: by the ranking function Reach2 (helpful: inc)" in rows["Reach2"]
    assert "not proved: no helpful action is enabled" in rows["Reach3"]   # it is false
