"""The minimal reproductions of the engine disagreements of issue 11 (tests/soundness/).

Each spec file (with its proof file, if any) runs through the same comparison as the
random engine-agreement test (`tests/engine_agreement.py`: check, then --bmc,
--induction with and without the proof, --k-induction K, --auto).  While the bug it
reproduces is listed in `tests/known_unsound.py`, the test pins that the file still
reproduces it (and nothing unknown); once the entry is removed (the fix landed), the
test demands that every engine agrees with check on it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import engine_agreement as E  # noqa: E402
from known_unsound import KNOWN_UNSOUND, known  # noqa: E402

HERE = Path(__file__).parent / "soundness"


@dataclass
class ProofFile:
    text: str
    lemmas: list = field(default_factory=list)


@dataclass
class SpecFile:
    """What `engine_agreement.findings` reads of a generated spec, from files."""

    text: str
    proof: ProofFile | None
    k_bound: int
    k_proof: bool
    temporal: list


# (spec file, proof file or None, --k-induction K, the KNOWN_UNSOUND entry it shows)
REPRODUCTIONS = [
    ("kinduction_base_transition.sl", None, 2, "kinduction-base-case-skips-transitions"),
    ("kinduction_vacuous_path.sl", None, 2, "kinduction-base-case-skips-transitions"),
    ("kinduction_stutter.sl", None, 1, "kinduction-drops-stuttering-steps"),
    ("kinduction_step_back.sl", None, 2, "kinduction-drops-stuttering-steps"),
    ("induction_constraint_others.sl", "induction_constraint_others.proof.sl", 2,
     "induction-others-within-constraint-only"),
    ("stopped_invariant_cuts_states.sl", None, 2, "stopped-invariant-cuts-states"),
    ("stopped_invariant_cuts_lasso.sl", None, 2, "stopped-invariant-cuts-lassos"),
    ("stopped_invariant_raises.sl", None, 2, "stopped-invariant-raises"),
    ("induction_skips_deadlock.sl", None, 2, "induction-skips-deadlock"),
    ("temporal_predicate_raises.sl", None, 2, "temporal-predicate-raises"),
    ("induction_errors_proved.sl", None, 2, "induction-errors-proved-outside-invariant"),
    ("auto_replay_error.sl", None, 2, "auto-replay-meets-error"),
    ("check_hoisted_require.sl", None, 2, "check-hoists-require-over-error"),
]


def load(name: str, proof: str | None, k: int) -> SpecFile:
    text = (HERE / name).read_text()
    pf = ProofFile((HERE / proof).read_text()) if proof else None
    temporal = [line for line in text.splitlines() if line.startswith("property ")]
    return SpecFile(text, pf, k, pf is not None, temporal)


@pytest.mark.parametrize("name, proof, k, bug", REPRODUCTIONS,
                         ids=[r[0].removesuffix(".sl") for r in REPRODUCTIONS])
def test_reproduction(name, proof, k, bug):
    run = E.findings(load(name, proof, k))
    if bug in KNOWN_UNSOUND:
        shown = {known(f, run) for f in run.findings}
        assert bug in shown, f"{name} no longer shows {bug}: if it is fixed, remove " \
                             f"'{bug}' from tests/known_unsound.py\n" + run.report()
        assert None not in shown, f"{name} shows an unknown disagreement\n" + run.report()
    else:
        assert not run.findings, f"{name}: the engines disagree with check\n" + run.report()


def test_every_known_bug_has_a_reproduction():
    assert {r[3] for r in REPRODUCTIONS} >= set(KNOWN_UNSOUND)
    listed = (HERE / "README.md").read_text()
    for name, proof, _, bug in REPRODUCTIONS:
        assert name in listed and bug in listed, f"{name} ({bug}) is not in the README"
        assert (HERE / name).exists() and (proof is None or (HERE / proof).exists())
