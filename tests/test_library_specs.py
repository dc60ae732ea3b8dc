"""The consistency part of the protocol library: quorum registers, CAP, last-writer-wins
and the seed document's store (specs/quorum_register.sl, specs/cap.sl,
specs/eventual_lww.sl, specs/quorum_store_fixed.sl and their labs).

Every check block's distinct states, transitions and depth are pinned, as is every
verdict; a violated property also pins the length of its shortest counterexample (and,
for a liveness lasso, where its loop starts).  The lab pages quoting these specs are
compared with what Stateline prints now.
"""

from __future__ import annotations

import pathlib

import pytest

from stateline.models.verdict import Status, StopReason

ROOT = pathlib.Path(__file__).resolve().parent.parent

SPECS = ["specs/quorum_register.sl", "specs/labs/quorum_sloppy.sl", "specs/cap.sl",
         "specs/eventual_lww.sl", "specs/labs/lww_wallclock.sl",
         "specs/labs/seed_store.sl", "specs/quorum_store_fixed.sl"]

HOLDS = "holds"

# (spec, check) -> ((distinct states, transitions, depth),
#                   {property: "holds" | (counterexample steps, loop start or None)})
PINNED = {
    ("specs/quorum_register.sl", "n3r2w2"): ((26_037, 75_921, 18), {"Linearizable": HOLDS}),
    ("specs/quorum_register.sl", "n3r1w3"): ((34_884, 114_645, 18), {"Linearizable": HOLDS}),
    ("specs/quorum_register.sl", "n3r3w1"): ((5_736, 13_178, 18), {"Linearizable": HOLDS}),
    ("specs/quorum_register.sl", "n3r2w2NoRepair"): ((2_630, 5_652, 10),
                                                     {"Linearizable": (10, None)}),
    ("specs/labs/quorum_sloppy.sl", "n3r1w2"): ((573, 1_180, 7), {"Linearizable": (7, None)}),
    ("specs/labs/quorum_sloppy.sl", "n3r1w1"): ((311, 570, 6), {"Linearizable": (6, None)}),
    ("specs/cap.sl", "cp"): ((24_129, 63_213, 27),
                             {"Linearizable": HOLDS, "Available": (3, 3)}),
    ("specs/cap.sl", "ap"): ((19_584, 53_282, 20),
                             {"Linearizable": (8, None), "Available": HOLDS}),
    ("specs/cap.sl", "cpNoPartition"): ((2_681, 4_207, 25),
                                        {"Linearizable": HOLDS, "Available": HOLDS}),
    ("specs/eventual_lww.sl", "fair"): ((7_460, 41_083, 16),
                                        {"CausalWritesWin": HOLDS, "DeadlockFreedom": HOLDS,
                                         "Converge": HOLDS}),
    ("specs/eventual_lww.sl", "noHeal"): ((7_460, 41_083, 16),
                                          {"CausalWritesWin": HOLDS, "DeadlockFreedom": HOLDS,
                                           "Converge": (6, 4)}),
    ("specs/eventual_lww.sl", "weakDelivery"): ((1_492, 7_495, 14),
                                                {"CausalWritesWin": HOLDS,
                                                 "DeadlockFreedom": HOLDS,
                                                 "Converge": (7, 1)}),
    ("specs/labs/lww_wallclock.sl", "three"): ((7_780, 42_715, 16),
                                               {"CausalWritesWin": (4, None),
                                                "DeadlockFreedom": HOLDS, "Converge": HOLDS}),
    ("specs/labs/seed_store.sl", "three"): ((36, 40, 4), {"Linearizable": (4, None)}),
    ("specs/quorum_store_fixed.sl", "three"): ((84_557, 281_147, 16),
                                               {"Linearizable": HOLDS}),
    ("specs/quorum_store_fixed.sl", "noWriteBack"): ((2_713, 5_582, 7),
                                                     {"Linearizable": (7, None)}),
}



@pytest.fixture(scope="module")
def results(library):
    return {(path, name): r for path in SPECS for name, r in library(path).items()}


def verdict(results, path, check, prop):
    return next(v for v in results[path, check].verdicts if v.prop == prop)


def test_every_check_block_is_pinned(results):
    assert sorted(results) == sorted(PINNED)


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: f"{k[0]}:{k[1]}")
def test_counts_and_verdicts(results, key):
    r = results[key]
    (states, transitions, depth), props = PINNED[key]
    assert r.failure is None
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (states, transitions, depth)
    assert {v.prop for v in r.verdicts} == set(props)
    for v in r.verdicts:
        assert v.met is True, (key, v.prop, v.status)
        want = props[v.prop]
        if want == HOLDS:
            assert v.status is Status.HOLDS, (key, v.prop)
            assert v.trace is None
        else:
            steps, loop = want
            assert v.status is Status.VIOLATED, (key, v.prop)
            assert (len(v.trace.steps), v.trace.loop_start) == (steps, loop), (key, v.prop)
    # A block with a property that holds explores everything.
    if any(w == HOLDS for w in props.values()):
        assert r.stop is StopReason.COMPLETE
    else:
        assert r.stop is StopReason.ALL_VIOLATED


def actions(trace):
    return [s.title() for s in trace.steps]


def history_after(trace):
    """The events recorded in H, as the trace shows them appended step by step."""
    events = []
    for step in trace.steps:
        for c in step.changes:
            if c.variable == "H":
                assert c.new == "[" + ", ".join(events + [c.appended]) + "]"
                events.extend(c.appended.split(", "))
    return events


def test_sloppy_quorum_read_misses_a_completed_write(results):
    trace = verdict(results, "specs/labs/quorum_sloppy.sl", "n3r1w2", "Linearizable").trace
    titles = actions(trace)
    # The write returns before the read is invoked, and the read asks one replica that
    # never acknowledged the write.
    assert titles.index("Client[c1].writeDone") < titles.index("Client[c2].read")
    acked = {s.node for s in trace.steps if s.action == "on Write"}
    assert len(acked) == 2 and titles[-1] == "Client[c2].readDone(q={r3})"
    assert "Replica[r3]" not in acked
    assert history_after(trace)[-2:] == ["c2 invoke read", "c2 ok read(none)"]


def test_quorum_without_read_repair_reads_new_then_old(results):
    trace = verdict(results, "specs/quorum_register.sl", "n3r2w2NoRepair",
                    "Linearizable").trace
    titles = actions(trace)
    assert "Client[c1].writeDone" not in titles          # the write is still in progress
    reads = [t for t in titles if t.startswith("Client[c2].readDone")]
    assert reads == ["Client[c2].readDone(q={r1, r2})", "Client[c2].readDone(q={r2, r3})"]
    assert history_after(trace)[-3:] == ["c2 ok read(1)", "c2 invoke read", "c2 ok read(none)"]


def test_cap_cp_waits_forever_behind_a_partition(results):
    trace = verdict(results, "specs/cap.sl", "cp", "Available").trace
    assert actions(trace) == ["Client[c1].write", "Replica[r1].on WriteReq",
                              "network.partition(side={Replica[r1]})"]
    assert trace.loop_start == len(trace.steps)            # then it stutters forever


def test_cap_ap_stale_read_needs_no_partition(results):
    trace = verdict(results, "specs/cap.sl", "ap", "Linearizable").trace
    titles = actions(trace)
    assert not any(s.node == "network" for s in trace.steps)
    assert titles.index("Client[c1].on WriteOk") < titles.index("Client[c2].read")
    assert "Replica[r2].on Replicate" not in titles
    assert trace.steps[-1].received.shown == "ReadOk(client=c2, ver=0)"


def test_lww_convergence_fails_only_behind_a_partition_or_an_unfair_link(results):
    no_heal = verdict(results, "specs/eventual_lww.sl", "noHeal", "Converge").trace
    # The shortest fair loop (2 steps) is behind the partition: write, gossip, split.
    assert actions(no_heal)[:no_heal.loop_start] == [
        "Replica[1].write", "Replica[1].gossip", "Replica[3].gossip",
        "network.partition(side={Replica[1]})"]
    assert "network.heal" not in actions(no_heal)
    weak = verdict(results, "specs/eventual_lww.sl", "weakDelivery", "Converge").trace
    loop = weak.steps[weak.loop_start:]
    # Every gossip message on the loop is dropped; none of them is received.
    assert any(s.action == "drop" for s in loop)
    assert not any(s.action == "on Gossip" and s.node == "Replica[2]" for s in loop)


def test_wall_clock_lww_loses_a_causally_later_write(results):
    trace = verdict(results, "specs/labs/lww_wallclock.sl", "three", "CausalWritesWin").trace
    assert actions(trace) == ["Replica[1].write", "Replica[1].gossip", "Replica[2].on Gossip",
                              "Replica[2].write"]
    last = {c.variable: c.new for c in trace.steps[-1].changes}
    assert last["before[2]"] == "0..1"                     # write 2 follows write 1
    assert "Replica[2].cur" not in last                    # ... and loses to it


def test_seed_store_stale_local_read(results):
    trace = verdict(results, "specs/labs/seed_store.sl", "three", "Linearizable").trace
    assert actions(trace) == ["Node[n1].write", "Node[n2].on Replicate", "Node[n1].writeOk",
                              "Node[n3].read"]
