r"""Plain-Python breadth-first explorer for Lamport's TwoPhase.tla.

This is the "no interpretation overhead" reference: a hand-written BFS over
the two-phase-commit state space, used as the baseline Stateline is
benchmarked against.

Model (TwoPhase.tla, N resource managers RM = 0..N-1)
-----------------------------------------------------
  rmState    : RM -> {working, prepared, committed, aborted}
  tmState    : {init, done}
  tmPrepared : SUBSET RM
  msgs       : set of [type: Prepared, rm: r], [type: Commit], [type: Abort]

  Init: all RMs working, tmState = init, tmPrepared = {}, msgs = {}.
  Next == TMCommit \/ TMAbort
          \/ \E r \in RM: TMRcvPrepared(r) \/ RMPrepare(r) \/ RMChooseToAbort(r)
                          \/ RMRcvCommitMsg(r) \/ RMRcvAbortMsg(r)

State encoding
--------------
A state is a flat tuple ``(rm, tm, prepared, msgs)``:
  * ``rm``       -- tuple of small ints (WORKING=0, PREPARED=1, COMMITTED=2,
                    ABORTED=3), one per RM;
  * ``tm``       -- int (INIT=0, DONE=1);
  * ``prepared`` -- int bitmask, bit r set iff r \in tmPrepared;
  * ``msgs``     -- int bitmask, bit r = Prepared(r), bit N = Commit,
                    bit N+1 = Abort.
Bitmasks keep sets hashable and cheap; all states are plain tuples of ints.

Counting convention (TLC's)
---------------------------
  * states      = number of distinct reachable states;
  * transitions = TLC's "states generated": number of initial states plus one
                  successor for every enabled action instance of every
                  explored state, including self-loops and successors that
                  were already seen (e.g. RMRcvCommitMsg(r) on an RM that is
                  already committed, TMRcvPrepared(r) for r already in
                  tmPrepared);
  * depth       = number of BFS levels, the initial state being level 1.
"""
import argparse
import json
import resource
import time
from collections import deque

WORKING, PREPARED, COMMITTED, ABORTED = range(4)
INIT, DONE = range(2)


def successors(state, n, all_rms, commit_bit, abort_bit):
    """Yield one successor per enabled action instance (TLC semantics)."""
    rm, tm, prepared, msgs = state
    if tm == INIT:
        # TMRcvPrepared(r)
        for r in range(n):
            if msgs >> r & 1:
                yield (rm, tm, prepared | (1 << r), msgs)
        # TMCommit
        if prepared == all_rms:
            yield (rm, DONE, prepared, msgs | commit_bit)
        # TMAbort
        yield (rm, DONE, prepared, msgs | abort_bit)
    has_commit = msgs & commit_bit
    has_abort = msgs & abort_bit
    for r in range(n):
        s = rm[r]
        if s == WORKING:
            # RMPrepare(r)
            yield (rm[:r] + (PREPARED,) + rm[r + 1:], tm, prepared, msgs | (1 << r))
            # RMChooseToAbort(r)
            yield (rm[:r] + (ABORTED,) + rm[r + 1:], tm, prepared, msgs)
        # RMRcvCommitMsg(r)
        if has_commit:
            yield (rm[:r] + (COMMITTED,) + rm[r + 1:], tm, prepared, msgs)
        # RMRcvAbortMsg(r)
        if has_abort:
            yield (rm[:r] + (ABORTED,) + rm[r + 1:], tm, prepared, msgs)


def explore(n):
    """Breadth-first exploration with n RMs; returns a result dict."""
    t0 = time.perf_counter()
    all_rms = (1 << n) - 1
    commit_bit, abort_bit = 1 << n, 1 << (n + 1)
    init = ((WORKING,) * n, INIT, 0, 0)
    seen = {init}
    frontier = deque([(init, 1)])
    transitions = 1  # the initial state counts as generated
    depth = 1
    while frontier:
        state, d = frontier.popleft()
        if d > depth:
            depth = d
        for nxt in successors(state, n, all_rms, commit_bit, abort_bit):
            transitions += 1
            if nxt not in seen:
                seen.add(nxt)
                frontier.append((nxt, d + 1))
    return {
        "n": n,
        "states": len(seen),
        "transitions": transitions,
        "depth": depth,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of resource managers")
    args = parser.parse_args(argv)
    result = explore(args.n)
    result["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
