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
    # Not unsound: an order-dependent difference, documented in docs/proofs.md ("When
    # 'proved' is sound", --bmc).  When one state at a depth violates an invariant and
    # another state at the same depth cannot evaluate it, check reports whichever its
    # exploration order meets first (and stops evaluating the invariant after a
    # violation); BMC and k-induction's base case report the run-time error.
    "stopped-invariant-raises": (
        "issue 11 item 4",
        lambda f, run: f.what == "error-differs" and run.explicit.failure is None
        and _earlier_violation(run, f)),
}


def known(finding, run) -> str | None:
    """The name of the known bug `finding` is an instance of, or None."""
    for name, (_, predicate) in KNOWN_UNSOUND.items():
        if predicate(finding, run):
            return name
    return None
