"""One partition of the parallel search: the part a worker owns, whatever carries its
messages (forked processes over pipes, `checker/parallel`; Ray actors,
`checker/cluster`).

A partition owns the states whose hash falls to it: their seen-set and the frontier
states among them.  Per level it expands its frontier (`expand`: one marshal batch per
other partition, each state with the smallest (parent index, successor position) key
that reached it), takes the batches the others sent it (`receive`: its new states in
key order) and learns their global indices from the merge (`commit`) or forgets them
(`rollback`).  Any level in which more than new states can happen is reported as
unusual and left to the single-process search (see `checker/parallel`).
"""

from __future__ import annotations

import marshal
from array import array
from operator import itemgetter

from ..models.model import Model
from ..models.runtime import ModelError, TooManySuccessors

KEY_BITS = 24             # a key is parent index << KEY_BITS | successor position


class _Unusual(Exception):
    """The level holds more than new states: the single-process search decides it."""


class Partition:
    def __init__(self, model: Model, canonical, me: int, count: int):
        self.model, self.canonical, self.me, self.count = model, canonical, me, count
        self.seen: dict = {}
        self.frontier: list = []   # (global index, state) owned here, in index order
        self.fresh: list = []      # this level's new states owned here, in key order
        self.new: dict = {}

    def adopt(self, blob: bytes, front: bool, mine_only: bool) -> None:
        """States of a level the parent ran, [(index, state)] in marshal bytes: seen
        here, and the frontier if `front` (`mine_only`: keep those owned here only, for
        a parent whose hash of a state may differ from this process's)."""
        pairs = marshal.loads(blob)
        if mine_only:
            me, count = self.me, self.count
            pairs = [(j, t) for j, t in pairs if hash(t) % count == me]
        for j, t in pairs:
            self.seen[t] = j
        if front:
            self.frontier = pairs

    def expand(self, active: int, trans: int, deadlock: bool):
        """(unusual, moves, one batch per partition (b"" for this one))."""
        model, canonical, me, count, seen = (self.model, self.canonical, self.me,
                                             self.count, self.seen)
        successors, constraint = model.successors, model.constraint
        violated_in = model.violated_invariants if model.invariants else None
        checks = [fn for k, (_, fn) in enumerate(model.transitions) if trans >> k & 1]
        new: dict = {}
        outs = [{} for _ in range(count)]
        moves = 0
        try:
            for j, s in self.frontier:
                succ = successors(s)
                moves += len(succ)
                if not succ and deadlock:
                    raise _Unusual
                if checks:
                    for t in succ:
                        for fn in checks:
                            if not fn(s, t):
                                raise _Unusual
                if canonical is not None:
                    succ = [canonical(t) for t in succ]
                if len(succ) >> KEY_BITS:
                    raise _Unusual
                base = j << KEY_BITS
                for pos, t in enumerate(succ):
                    if t in seen:      # owned here, or sent to its owner before
                        continue
                    if constraint is not None and not constraint(t):
                        if violated_in is not None and violated_in(t, active):
                            raise _Unusual
                        continue
                    o = hash(t) % count
                    if o == me:
                        if t not in new:
                            new[t] = base + pos
                    else:
                        box = outs[o]
                        if t not in box:
                            box[t] = base + pos
            blobs = [b"" if o == me else marshal.dumps(list(outs[o].items()))
                     for o in range(count)]
        except (_Unusual, ModelError, TooManySuccessors, ValueError):
            # (ValueError: a value marshal cannot write)
            self.new = {}
            return True, moves, [b""] * count
        # After this level every state sent is known to its owner (new there, or seen
        # before): never send it again.  (-1: not an index of this partition.)
        for o in range(count):
            if o != me:
                seen.update(dict.fromkeys(outs[o], -1))
        self.new = new
        return False, moves, blobs

    def receive(self, inbox, active: int):
        """Take the other partitions' batches (None: the level is unusual): (unusual,
        keys of the new states owned here as array bytes, the states in marshal bytes)."""
        new, self.new = self.new, {}
        if inbox is None:
            return True, b"", b""
        seen = self.seen
        for blob in inbox:
            for t, key in marshal.loads(blob):
                if t in seen:
                    continue
                old = new.get(t)
                if old is None or key < old:
                    new[t] = key
        fresh = sorted(new.items(), key=itemgetter(1))
        model = self.model
        try:
            if model.invariants:
                for t, _ in fresh:
                    if model.violated_invariants(t, active):
                        raise _Unusual
            blob = marshal.dumps([t for t, _ in fresh])
        except (_Unusual, ModelError, ValueError):
            return True, b"", b""
        self.fresh = fresh
        return False, array("q", [k for _, k in fresh]).tobytes(), blob

    def commit(self, index_bytes: bytes) -> None:
        """The global indices of this level's new states, in their order."""
        indices = array("q")
        indices.frombytes(index_bytes)
        frontier = []
        seen = self.seen
        for j, (t, _) in zip(indices, self.fresh):
            seen[t] = j
            frontier.append((j, t))
        self.frontier = frontier
        self.fresh = []

    def rollback(self) -> None:
        self.fresh = []
        self.new = {}


def gather(pool, replies, unusual: bool, moves: int):
    """A level's end for any pool: each partition's (unusual, keys, states) reply; (None,
    moves) after rolling the level back when any partition met something unusual."""
    parts = []
    for u, keys, states in replies:
        unusual |= u
        parts.append((keys, states))
    if unusual:
        pool.rollback()
        return None, moves
    return parts, moves
