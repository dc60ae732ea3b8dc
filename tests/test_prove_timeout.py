"""`stateline prove --timeout S` covers the time spent building the Z3 encoding.

Raft's encoding takes tens of seconds; before, `prove specs/raft.sl --bmc 3 --timeout 3`
ran 84-102 s because the deadline was only checked by the solver calls after it.  Now
the encoder checks the deadline in its loops, and when it passes every property is
unknown with that reason (exit 3).  The timeout here is a hundredth of a second, so
the encoding (not the solver) is what it interrupts on any machine.
"""

from __future__ import annotations

from pathlib import Path

from stateline.cli import main
from stateline.lang.load import load_spec
from stateline.prover.run import ProveOptions, encode, instance, prove_block

ROOT = Path(__file__).resolve().parent.parent
RAFT = ROOT / "specs" / "raft.sl"
WHY = "the --timeout of 0.01 s ran out while encoding"


def test_the_timeout_stops_the_encoding_with_every_property_unknown(capsys):
    code = main(["prove", str(RAFT), "--bmc", "3", "--timeout", "0.01", "--check",
                 "replication", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 3
    for prop in ("ElectionSafety", "LogMatching", "LeaderCompleteness", "StateMachineSafety"):
        assert f"{prop}  " in out and f"unknown: {WHY}" in out
    assert out.count(f"unknown: {WHY}") == 4
    assert f"note: {WHY}" in out
    assert "1 check, 4 obligations: 4 without a verdict." in out


def test_a_shared_encoding_gets_each_run_its_own_deadline():
    loaded = load_spec(str(ROOT / "specs" / "two_phase_commit.sl"))
    block = loaded.typed.checks[0]
    model = instance(loaded, block, {})
    enc = encode(model)
    assert enc.deadline.end is None
    result = prove_block(loaded, block, {}, ProveOptions("bmc", 2, 1e-9), model, enc)
    assert {o.claim.value for o in result.obligations} == {"unknown"}
    assert all(o.detail == "the --timeout of 1e-09 s ran out while encoding"
               for o in result.obligations)
    assert enc.deadline.end is None                 # the next run is not limited by it
    again = prove_block(loaded, block, {}, ProveOptions("bmc", 2, None), model, enc)
    assert "unknown" not in {o.claim.value for o in again.obligations}
