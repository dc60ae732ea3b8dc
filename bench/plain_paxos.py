r"""Plain-Python breadth-first explorer for Lamport's single-decree Paxos.tla.

Hand-written "no interpretation overhead" reference for the Paxos model from
the TLA+ examples repository (specifications/Paxos/Paxos.tla), with
3 acceptors, 2 values, Ballot overridden to 0..B and None a model value.

Model
-----
  Messages  [type 1a, bal]                  -> ("1a", b)
            [type 1b, acc, bal, mbal, mval] -> ("1b", a, b, mbal, mval)
            [type 2a, bal, val]             -> ("2a", b, v)
            [type 2b, acc, bal, val]        -> ("2b", a, b, v)
  maxBal, maxVBal : Acceptor -> Ballot \cup {-1}   (init -1)
  maxVal          : Acceptor -> Value \cup {None}  (init None)
  msgs            : set of messages                (init {})

  Next == \/ \E b \in Ballot : Phase1a(b) \/ \E v \in Value : Phase2a(b, v)
          \/ \E a \in Acceptor : Phase1b(a) \/ Phase2b(a)

State encoding
--------------
A state is a tuple ``(maxBal, maxVBal, maxVal, msgs)``: three tuples indexed
by acceptor (values are ints, None is Python ``None``) and a ``frozenset`` of
message tuples as above.  Acceptors are 0..2, values 0..1.

Counting convention (TLC's)
---------------------------
  * states      = number of distinct reachable states;
  * transitions = TLC's "states generated": number of initial states plus one
                  successor per satisfying witness of every existential in
                  the next-state relation, including self-loops and already
                  seen states.  Concretely: Phase1a(b) is always enabled (a
                  self-loop once 1a(b) was sent); Phase1b/Phase2b yield one
                  successor per matching message m \in msgs; Phase2a(b, v)
                  yields one successor per satisfying quorum Q and, within Q,
                  per witness of the inner disjunction (Q1bv = {}, or each
                  m \in Q1bv with m.mval = v carrying the maximal mbal), since
                  TLC enumerates every \E / \/ reached while computing
                  successors, even without primed variables beneath it.
  * depth       = number of BFS levels, the initial state being level 1.

Quorums: ``pairs`` = the three 2-element subsets of the acceptors (default);
``majority`` = all Q with 2*|Q| > 3 (the three pairs plus the full set).
Only ``pairs`` together with the per-witness Phase2a counting above
reproduces TLC's published numbers (B=1: 3,921 states / 23,563 generated /
depth 17; B=2: 185,369 / 1,361,380 / 25).  ``majority`` gives the same states
and depth but 23,839 / 1,382,794 transitions; counting the inner
\E m \in Q1bv only once per quorum gives 23,467 / 1,350,916.
"""
import argparse
import json
import resource
import time
from collections import deque
from itertools import combinations

ACCEPTORS = (0, 1, 2)
VALUES = (0, 1)


def make_quorums(kind):
    quorums = [frozenset(q) for q in combinations(ACCEPTORS, 2)]
    if kind == "majority":
        quorums.append(frozenset(ACCEPTORS))
    return quorums


def phase2a_witnesses(msgs, b, v, quorums):
    """Number of successors TLC generates for Phase2a(b, v) (0 = disabled)."""
    if any(("2a", b, w) in msgs for w in VALUES):
        return 0
    count = 0
    for q in quorums:
        q1b = [m for m in msgs if m[0] == "1b" and m[2] == b and m[1] in q]
        if {m[1] for m in q1b} != q:
            continue
        q1bv = [m for m in q1b if m[3] >= 0]
        if not q1bv:
            count += 1
            continue
        top = max(m[3] for m in q1bv)
        count += sum(1 for m in q1bv if m[4] == v and m[3] == top)
    return count


def successors(state, ballots, quorums):
    """Yield one successor per TLC-enumerated witness of Next."""
    max_bal, max_vbal, max_val, msgs = state
    for b in ballots:
        # Phase1a(b): always enabled.
        yield (max_bal, max_vbal, max_val, msgs | {("1a", b)})
        for v in VALUES:
            k = phase2a_witnesses(msgs, b, v, quorums)
            if k:
                nxt = (max_bal, max_vbal, max_val, msgs | {("2a", b, v)})
                for _ in range(k):
                    yield nxt
    for a in ACCEPTORS:
        for m in msgs:
            # Phase1b(a)
            if m[0] == "1a" and m[1] > max_bal[a]:
                bal = max_bal[:a] + (m[1],) + max_bal[a + 1:]
                reply = ("1b", a, m[1], max_vbal[a], max_val[a])
                yield (bal, max_vbal, max_val, msgs | {reply})
            # Phase2b(a)
            elif m[0] == "2a" and m[1] >= max_bal[a]:
                bal = max_bal[:a] + (m[1],) + max_bal[a + 1:]
                vbal = max_vbal[:a] + (m[1],) + max_vbal[a + 1:]
                val = max_val[:a] + (m[2],) + max_val[a + 1:]
                yield (bal, vbal, val, msgs | {("2b", a, m[1], m[2])})


def explore(max_ballot, quorums="pairs"):
    """Breadth-first exploration with Ballot = 0..max_ballot."""
    t0 = time.perf_counter()
    ballots = range(max_ballot + 1)
    qs = make_quorums(quorums)
    n = len(ACCEPTORS)
    init = ((-1,) * n, (-1,) * n, (None,) * n, frozenset())
    seen = {init}
    frontier = deque([(init, 1)])
    transitions = 1  # the initial state counts as generated
    depth = 1
    while frontier:
        state, d = frontier.popleft()
        if d > depth:
            depth = d
        for nxt in successors(state, ballots, qs):
            transitions += 1
            if nxt not in seen:
                seen.add(nxt)
                frontier.append((nxt, d + 1))
    return {
        "max_ballot": max_ballot,
        "quorums": quorums,
        "states": len(seen),
        "transitions": transitions,
        "depth": depth,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("B", type=int, help="largest ballot (Ballot = 0..B)")
    parser.add_argument("--quorums", choices=("pairs", "majority"),
                        default="pairs")
    args = parser.parse_args(argv)
    result = explore(args.B, args.quorums)
    result["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
