"""Trace validation cross-checked against a brute-force reference on random specs.

Hypothesis draws small random specs with the cross-check's generator
(tests/test_crosscheck.py: global variables, an optional process with two
instances, random guarded actions with parameters) and a random behaviour of
each (a walk through the compiled model's labelled successors), exported with
Stateline's own OTLP writer.  Then:

* the exported trace always conforms, and the matched behaviour is the walk
  itself (same steps, same changes; with the reduction, each node's steps);
* the same trace with one mutation -- a parameter changed, a changed variable's
  old or new value changed, a step dropped, or the contents of two steps of one
  node swapped (against the causal order the trace records) -- conforms exactly
  when the brute-force reference (tests/trace_reference.py: every order of the
  events that respects happens-before, no memoisation, steps compared in the
  spec's shown syntax) finds it is a behaviour, with the partial-order reduction
  (independence.py) and without it.

TRACE_CROSSCHECK_EXAMPLES=N sets the number of examples (default 120);
TRACE_CROSSCHECK_SEED=S draws them with seed S instead of derandomized.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from stateline import SpecError, check_blocks, load_spec, load_text
from stateline.checker.run import prepare
from stateline.models.runtime import ModelError
from stateline.otlp import importer
from stateline.validation.events import EventReader
from stateline.validation.rules import Mapping
from stateline.validation.run import CONFORMS, NOT_CONFORMS, ValidateOptions, validate

sys.path.insert(0, str(Path(__file__).parent))
import trace_reference as ref  # noqa: E402
from test_crosscheck import specs  # noqa: E402  (the cross-check's spec generator)

EXAMPLES = int(os.environ.get("TRACE_CROSSCHECK_EXAMPLES", "120"))
SEED = os.environ.get("TRACE_CROSSCHECK_SEED")
MAX_STEPS = 6
KINDS = ("param", "change", "drop", "swap")

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much],
                    report_multiple_bugs=False)


def _seeded(fn):
    return seed(int(SEED))(fn) if SEED is not None else fn


def model_of(spec):
    loaded = load_text(spec.text, "gen.sl")
    [block] = check_blocks(loaded)
    try:
        return prepare(loaded, block, {})
    except SpecError:
        return None


def walk(model, data):
    """A random behaviour: states and the choice of each step."""
    inits = [s for s in model.initial_states()
             if model.constraint is None or model.constraint(s)]
    if not inits:
        return None
    s = inits[data.draw(st.integers(0, len(inits) - 1), label="initial")]
    states, choices = [s], []
    for _ in range(data.draw(st.integers(1, MAX_STEPS), label="length")):
        try:
            succ = model.successors_labeled(s)
        except ModelError:
            break
        if not succ:
            break
        j = data.draw(st.integers(0, len(succ) - 1), label="step")
        s = succ[j][1]
        states.append(s)
        choices.append(j)
    return model.trace(states, choices=choices)


def verdict(model, request, directory, reduction=True):
    path = ref.write(request, directory)
    reader = EventReader(model, Mapping())
    traces = [t for t in reader.read([importer.read(path)]) if t.events]
    if not traces:          # every step dropped: only the root span is left
        return CONFORMS, None
    [result] = validate(model, reader, traces, ValidateOptions(reduction=reduction))
    return result.verdict, result


def _steps(trace):
    return [(s.action, s.node, s.params, s.changes) for s in trace.steps]


def _per_node(trace):
    """Each node's steps in order (an order of independent steps is not pinned)."""
    out: dict = {}
    for s in trace.steps:
        out.setdefault(s.node, []).append((s.action, s.params))
    return out


@_seeded
@SETTINGS
@given(specs(unsafe=False), st.data())
def test_random_behaviours_conform_and_mutations_agree_with_brute_force(spec, data):
    model = model_of(spec)
    if model is None:
        return
    trace = walk(model, data)
    if trace is None:
        return
    request = ref.export(trace)
    context = f"\n--- spec ---\n{spec.text}--- trace ---\n{_steps(trace)}\n"
    with tempfile.TemporaryDirectory() as tmp:
        if trace.steps:
            got, result = verdict(model, request, tmp, reduction=False)
            assert got == CONFORMS, "an exported behaviour does not conform" + context
            assert _steps(result.behaviour) == _steps(trace), \
                "the matched behaviour is not the walk" + context
            got, result = verdict(model, request, tmp)
            assert got == CONFORMS, "an exported behaviour does not conform (reduction)" + \
                context
            assert _per_node(result.behaviour) == _per_node(trace), \
                "the reduction's behaviour has other steps" + context
        kinds = [k for k in KINDS if ref.mutated(request, k, lambda n: 0) is not None]
        if not kinds:
            return
        kind = data.draw(st.sampled_from(kinds), label="mutation")
        mutant = ref.mutated(request, kind, lambda n: data.draw(st.integers(0, n - 1)))
        if not ref.step_spans(mutant):
            return
        expected = ref.is_behaviour(model, mutant)
        event(f"{kind}: {'still a behaviour' if expected else 'not a behaviour'}")
        for reduction in (True, False):
            got, result = verdict(model, mutant, tmp, reduction)
            assert got in (CONFORMS, NOT_CONFORMS)
            assert (got == CONFORMS) == expected, \
                f"mutation {kind} (reduction {reduction}): validator says {got}, brute force " \
                f"says {'a behaviour' if expected else 'not a behaviour'}" + context + \
                f"--- mutated steps ---\n{[ref.attrs(s) for s in ref.step_spans(mutant)]}\n"


# ---- message-passing specs: every single mutation of the short lab traces ------------------

SHORT = 10          # labs whose counterexample has at most this many steps


def lab_cases(library):
    root = Path(__file__).resolve().parent.parent
    out = []
    for path in sorted((root / "specs" / "labs").glob("*.sl")):
        spec = path.relative_to(root).as_posix()
        for check, result in library(spec).items():
            for v in result.verdicts:
                if v.trace is not None and 0 < len(v.trace.steps) <= SHORT:
                    out.append((spec, check, v.trace))
    return out


def test_every_single_mutation_of_short_lab_traces_agrees_with_brute_force(library,
                                                                           monkeypatch):
    """Messages (set, bag and fifo networks, received messages as parents): every dropped
    step, every swap of two steps of one node, every received message replaced by another
    one the trace sent."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    cases = lab_cases(library)
    assert len(cases) >= 8
    checked = {"behaviour": 0, "rejected": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for spec, check, trace in cases:
            loaded = load_spec(spec)
            [block] = [b for b in check_blocks(loaded) if b.name == check]
            model = prepare(loaded, block, {})
            request = ref.export(trace)
            seen = set()
            for kind in ("drop", "swap", "message"):
                for i in range(64):
                    mutant = ref.mutated(request, kind, lambda n: i % n)
                    if mutant is None:
                        break
                    key = json.dumps(mutant, sort_keys=True)
                    if key in seen:
                        continue
                    seen.add(key)
                    expected = ref.is_behaviour(model, mutant)
                    checked["behaviour" if expected else "rejected"] += 1
                    for reduction in (True, False):
                        got, _ = verdict(model, mutant, tmp, reduction)
                        assert (got == CONFORMS) == expected, \
                            f"{spec} {check}: mutation {kind} #{i} (reduction {reduction}): " \
                            f"validator says {got}, brute force {expected}"
    assert checked["behaviour"] >= 10 and checked["rejected"] >= 20, checked
