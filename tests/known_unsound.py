"""The engine disagreements known today (issue 11), one predicate each.

`tests/test_engine_agreement.py` tolerates a finding that matches an entry here, and
`tests/test_soundness_reproductions.py` marks the reproduction of each entry (in
tests/soundness/, listed in its README) as an expected failure.  When a fix lands,
delete its entry: the random test then fails on any finding of that kind again.

Each entry: name -> (where it comes from, predicate(finding, run) -> bool), with
`finding` an `engine_agreement.Finding` and `run` the `engine_agreement.Run` (the spec,
the explicit result, every engine's result).
"""

from __future__ import annotations

import re


def _check_verdict(run, prop):
    return next((v for v in run.explicit.verdicts if v.prop == prop), None) \
        if run.explicit is not None else None


def _earlier_violation(run, f) -> bool:
    """Has check found another invariant violated no later than `f.prop` (so that it
    stopped evaluating it there)?"""
    v = _check_verdict(run, f.prop)
    n = len(v.trace) if v is not None and v.trace is not None else 10 ** 9
    return any(w.prop != f.prop and w.kind == "invariant" and w.status.value == "violated"
               and len(w.trace) <= n for w in run.explicit.verdicts)


def _proved_k(f) -> int:
    """The k of a finding's "k-inductive" claim (0 if none)."""
    m = re.search(r"(\d+)-inductive", f.detail)
    return int(m.group(1)) if m else 0


def _transition_violated_within(run, n: int) -> bool:
    return any(v.kind == "transition" and v.status.value == "violated" and len(v.trace) <= n
               for v in run.explicit.verdicts)


def _k(f) -> bool:
    return f.engine.startswith("k-induction")


KNOWN_UNSOUND = {
    # --k-induction's base case checks the state invariants only: a transition
    # invariant violated within k-1 steps is "proved"; and when every path of the step
    # case breaks a transition invariant, every property is (state invariants and the
    # absence of run-time errors too).
    "kinduction-base-case-skips-transitions": (
        "issue 11 item 1",
        lambda f, run: _k(f) and f.what in ("proved-violated", "errors-proved")
        and _transition_violated_within(run, _proved_k(f) - 1)),
    # --k-induction's paths are of distinct states, the state after the breaking step
    # included: a state-preserving step, or a step back to a state on the path, never
    # breaks a transition invariant there.
    "kinduction-drops-stuttering-steps": (
        "issue 11 item 2",
        lambda f, run: _k(f) and f.kind == "transition" and f.what == "proved-violated"
        and not _transition_violated_within(run, _proved_k(f) - 1)),
    # --induction with a `prove` line judges the other invariants within the constraint
    # only ("implied by the inductive invariant"), not on the states one step beyond it.
    "induction-others-within-constraint-only": (
        "issue 11 item 3",
        lambda f, run: f.engine.startswith("induction") and f.what == "proved-violated"
        and "implied by the inductive invariant" in f.detail and "constraint" in run.spec.text),
    # An invariant check has stopped evaluating (violated earlier) still cuts off the
    # states where it cannot be evaluated (Spacer), or its evaluation error is reported
    # as a run-time error check never meets (BMC, k-induction, Spacer).
    "stopped-invariant-cuts-states": (
        "issue 11 item 4",
        lambda f, run: f.engine == "auto" and f.what == "proved-violated"
        and _earlier_violation(run, f)),
    "stopped-invariant-cuts-lassos": (
        "issue 11 item 4",
        lambda f, run: f.engine == "bmc" and f.what == "lasso-missed"
        and _earlier_violation(run, f)),
    "stopped-invariant-raises": (
        "issue 11 item 4",
        lambda f, run: f.what == "error-differs" and run.explicit.failure is None
        and _earlier_violation(run, f)),
    # --induction and --k-induction have no DeadlockFreedom obligation at all.
    "induction-skips-deadlock": (
        "issue 11 item 5",
        lambda f, run: f.what == "missing" and f.kind == "deadlock"
        and f.engine.startswith(("induction", "k-induction"))),
    # A temporal property whose predicate raises crashes check (a ModelError escapes).
    "temporal-predicate-raises": (
        "issue 11 item 6",
        lambda f, run: f.what == "check-crash" and "ModelError" in f.detail
        and bool(run.spec.temporal)),
    # --induction's "(run-time errors)" obligation is proved for the states satisfying
    # the invariant, and reported "proved" even when the invariant fails (an initial
    # state violates it, or cannot evaluate it), so a reachable error goes unreported.
    "induction-errors-proved-outside-invariant": (
        "found by the engine-agreement generator",
        lambda f, run: f.engine.startswith("induction") and f.what == "errors-proved"),
    # --auto crashes (Disagreement, exit 4) replaying its counterexample when a state on
    # it has a step that raises a run-time error.
    "auto-replay-meets-error": (
        "found by the engine-agreement generator",
        lambda f, run: f.engine == "auto" and f.what == "engine-crash"
        and "did not predict" in f.detail),
    # The explicit checker hoists a `require` that does not mention the parameters above
    # an earlier one that raises (a process index that is not an instance): check misses
    # the run-time error, and BMC / Spacer, which find it, stop with an internal error
    # when the compiled model does not raise it on replay.
    "check-hoists-require-over-error": (
        "found by the engine-agreement generator",
        lambda f, run: f.what == "engine-crash" and "the compiled model does not raise"
        in f.detail),
}


def known(finding, run) -> str | None:
    """The name of the known bug `finding` is an instance of, or None."""
    for name, (_, predicate) in KNOWN_UNSOUND.items():
        if predicate(finding, run):
            return name
    return None
