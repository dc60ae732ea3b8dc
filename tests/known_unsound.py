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

KNOWN_UNSOUND: dict = {
    # (empty: every disagreement found so far is fixed; a new one goes here, with its
    # reproduction in tests/soundness/, until it is)
}


def known(finding, run) -> str | None:
    """The name of the known bug `finding` is an instance of, or None."""
    for name, (_, predicate) in KNOWN_UNSOUND.items():
        if predicate(finding, run):
            return name
    return None
