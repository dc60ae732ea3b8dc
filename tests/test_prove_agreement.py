"""The engines agree: explicit search, bounded model checking and Spacer, on random specs.

Hypothesis draws small random specs with the cross-check's generator
(tests/test_crosscheck.py: one to three variables -- ints, bools, a set, a map --
over small ranges, an optional process with two instances, one to four actions
with random guards, `require`s, `if`s and updates, and a random invariant; a
third of them may also go wrong at run time).  For each one:

* the explicit checker explores every reachable state (its depth D bounds every
  shortest path), and BMC runs to depth D - 1, so both decide every property:
  they must give the same verdict, and a violation the same (shortest) length;
  a run-time error must be found by both, at the same depth;
* every BMC counterexample is replayed in the explicit model (BMC does this
  itself; here the last state is also checked to violate the property);
* `--auto` (Spacer) never claims "proved" for a property the explicit search
  finds violated, nor "no run-time error" for a spec that has one; and what it
  finds violated, the explicit search finds violated too.

PROVE_AGREEMENT_EXAMPLES=N sets the number of examples (default 300);
PROVE_AGREEMENT_SEED=S draws them with seed S instead of derandomized (to hunt).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from stateline import SpecError, check_blocks, load_text, run_check
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

sys.path.insert(0, str(Path(__file__).parent))
from test_crosscheck import specs  # noqa: E402  (the cross-check's spec generator)

EXAMPLES = int(os.environ.get("PROVE_AGREEMENT_EXAMPLES", "300"))
SEED = os.environ.get("PROVE_AGREEMENT_SEED")
MAX_DEPTH = 12          # BMC deeper than this is not attempted (the specs rarely need it)
SPACER_SECONDS = 5.0


def engines(spec):
    """(explicit CheckResult, BMC ProveResult, Spacer ProveResult, model), or None when the
    instance does not compile (an out-of-range constant: the explicit engine's business)."""
    loaded = load_text(spec.text, "gen.sl")
    [block] = check_blocks(loaded)
    try:
        model = instance(loaded, block, {})
    except SpecError:
        return None
    explicit = run_check(loaded, block, {}, model=model)
    depth = max(0, min(explicit.stats.depth - 1, MAX_DEPTH))
    bmc = prove_block(loaded, block, {}, ProveOptions("bmc", depth), model=model)
    auto = prove_block(loaded, block, {}, ProveOptions("auto", timeout=SPACER_SECONDS),
                       model=model)
    return explicit, bmc, auto, model, depth


def agree(spec):
    found = engines(spec)
    if found is None:
        return
    explicit, bmc, auto, model, depth = found
    context = f"\n--- spec ---\n{spec.text}--- explicit ---\n{_explicit(explicit)}\n" \
              f"--- bmc to {depth} ---\n{_prove(bmc)}\n--- auto ---\n{_prove(auto)}\n"
    complete = explicit.stop.exhaustive and explicit.stats.depth - 1 <= MAX_DEPTH
    e_err = len(explicit.failure.trace) if explicit.failure and explicit.failure.trace else \
        (0 if explicit.failure else None)
    b_err = len(bmc.failure.trace) if bmc.failure else None
    all_violated = explicit.stop.value == "all-violated"
    # run-time errors: the same shortest depth
    if e_err is not None or b_err is not None:
        if not all_violated and (e_err is None or e_err <= depth):
            assert e_err == b_err, "run-time error depth differs" + context
    cutoff = min(x for x in (e_err, b_err, 10 ** 9) if x is not None)
    obligations = {o.name: o for o in bmc.obligations}
    for v in explicit.verdicts:
        o = obligations[v.prop]
        if v.status.value == "violated":
            n = len(v.trace)
            if n < cutoff and n <= depth:
                assert o.claim is Claim.VIOLATED and len(o.trace) == n, \
                    f"{v.prop}: BMC misses a violation of length {n}" + context
        elif v.status.value == "holds" and complete:
            assert o.claim is Claim.BOUNDED, f"{v.prop}: BMC finds a violation" + context
        if o.claim is Claim.VIOLATED:
            _really_violated(model, v.kind, v.prop, o.trace, context)
            if explicit.failure is None:
                assert v.status.value == "violated", "BMC violation unknown to BFS" + context
    # Spacer: never "proved" against a violation, never "violated" against a proof
    verdicts = {v.prop: v for v in explicit.verdicts}
    for o in auto.obligations:
        v = verdicts.get(o.name)
        if o.claim is Claim.PROVED:
            if o.kind == "errors":
                assert explicit.failure is None, "Spacer proves a spec with a run-time error" + \
                    context
            else:
                assert v.status.value != "violated", f"Spacer proves {o.name}, which the " \
                                                     f"explicit search violates" + context
        if o.claim is Claim.VIOLATED and o.trace is not None:
            if o.kind == "errors":
                # (a search that stops once every property is violated may not get there)
                assert explicit.failure is not None or all_violated, \
                    "Spacer finds an error BFS does not" + context
            elif explicit.failure is None and explicit.stop.exhaustive:
                assert v.status.value == "violated", f"Spacer violates {o.name}, which " \
                                                     f"holds" + context
    if auto.failure is not None:
        assert explicit.failure is not None or all_violated, \
            "Spacer reports a run-time error" + context


def _really_violated(model, kind, name, trace, context):
    last = trace.states[-1]
    if kind == "invariant":
        fn = next(f for p, f in model.invariants if p.name == name)
        assert not fn(last), "the BMC trace does not end in a violation" + context
    elif kind == "deadlock":
        assert model.successors(last) == [], "the BMC trace does not end in a deadlock" + \
            context


def _explicit(r) -> str:
    parts = [f"stop={r.stop.value} depth={r.stats.depth}"]
    for v in r.verdicts:
        parts.append(f"{v.prop}={v.status.value}" + (f"({len(v.trace)})" if v.trace else ""))
    if r.failure is not None:
        n = len(r.failure.trace) if r.failure.trace else 0
        parts.append(f"error({n}): {r.failure.diagnostic.message}")
    return " ".join(parts)


def _prove(r) -> str:
    parts = [f"{o.name}={o.claim.value}" + (f"({len(o.trace)})" if o.trace else "")
             for o in r.obligations]
    if r.failure is not None:
        parts.append(f"error({len(r.failure.trace)}): {r.failure.diagnostic.message}")
    return " ".join(parts) + "".join(f"\n  note: {n}" for n in r.notes)


def _seeded(fn):
    return seed(int(SEED))(fn) if SEED is not None else fn


@_seeded
@settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          phases=[Phase.explicit, Phase.generate])
@given(specs())
def test_explicit_bmc_and_spacer_agree(spec):
    agree(spec)
