"""`Encoding.changed_leaves`, the leaves an action instance writes, which the transition
relation, the fairness units and Spacer's frozen leaves are built from.  It skips the
state slots and leaves an instance leaves as they are (the same Python object) before
asking Z3; it must give exactly the leaves whose term differs from the pre-state's, the
brute-force definition, on every instance of the library's specs (networks set and bag,
lossy, partitioned; symbolic choices)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stateline import check_blocks, load_spec
from stateline.prover.run import encode, instance

ROOT = Path(__file__).resolve().parent.parent

SPECS = [("specs/eventual_lww.sl", "noHeal"), ("specs/eventual_lww.sl", "weakDelivery"),
         ("specs/paxos.sl", "ballots01"), ("specs/two_phase_commit.sl", "n3"),
         ("specs/raft_election.sl", None), ("specs/lamport_clock.sl", None),
         ("specs/vector_clock.sl", None), ("specs/peterson.sl", None)]


@pytest.mark.parametrize("path,block", SPECS, ids=[f"{p}:{b}" for p, b in SPECS])
def test_changed_leaves_are_the_leaves_that_differ(path, block):
    loaded = load_spec(str(ROOT / path))
    blocks = check_blocks(loaded, [block] if block else None)
    enc = encode(instance(loaded, blocks[0], {}))
    assert enc.instances
    for inst in enc.instances:
        want = [(i, new) for i, (new, old) in
                enumerate(zip(enc.post_leaves(inst), enc.pre.leaves)) if not new.eq(old)]
        got = enc.changed_leaves(inst)
        assert [i for i, _ in got] == [i for i, _ in want], inst.name
        assert all(a.eq(b) for (_, a), (_, b) in zip(got, want)), inst.name
