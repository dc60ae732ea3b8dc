"""Sequential consistency of a register history (Lamport 1979): a search with memoisation.

Definition.  Operation ``a`` precedes ``b`` in program order when both are by the same
process and ``a`` returned (ok) before ``b`` was invoked.  A history is *sequentially
consistent* when there is a set ``I`` of its indeterminate writes and an order of the ok
operations together with ``I`` that is legal for the register (see `register`) and
extends program order.  Real time between processes does not matter: a stale read is
allowed as long as every process sees one order of all the writes.  An indeterminate
write is ordered after its process's earlier operations and not before its later ones
(the process did not wait for it), which keeps linearizable => sequentially consistent.

Search.  A linearization is a serialization, so the linearizability search runs first.
A sequentially consistent history is causally consistent, so a history with many
operations that is quickly shown not to be causal (see `causal.refute`) is not either.
Otherwise, depth-first over the order being built: a state is the number of operations
placed from each process's program order, the set of indeterminate writes placed (an int
bitset) and the register's value; states already explored are skipped.  A read that can
go next and returns the register's value is placed at once without branching (moving it
forward in any serialization keeps that serialization legal, as reads change nothing);
otherwise the writes that can go next are tried in the order of their invokes, and an
indeterminate write is placed only together with a read of its value that goes right
after it (the first invoked such write that can go; see `linearizability` for why this
loses nothing).  Deciding
sequential consistency is NP-complete (Gibbons and Korach 1997); the search is
exponential in the worst case, in the number of writes that can go next.
"""

from __future__ import annotations

import time

from . import causal, linearizability, wgl
from .model import Operation
from .register import relevant, thin_air, unwritten_read


LARGE = 24      # from this many operations, try refuting causal consistency first


def search(operations, initial) -> tuple[int, ...] | None:
    """A serialization as a tuple of operation indices, or None if there is none."""
    order = linearizability.search(operations, initial)
    if order is not None:
        return order
    if len(operations) >= LARGE and causal.refute(operations, initial):
        return None
    return _search(operations, initial, False)[0]


def decide(operations, initial, deadline: float | None = None) \
        -> tuple[tuple[int, ...] | None, str]:
    """(a serialization, "") or (None, why there is none, naming operations); raises
    `wgl.Timeout` after `deadline`."""
    order = linearizability.run(operations, initial, deadline).order
    if order is not None:
        return order, ""
    bad = unwritten_read(operations, initial)
    if bad is not None:
        return None, thin_air(bad, operations, initial)
    why = causal.refute(operations, initial)
    if why:
        return None, "not even causally consistent: " + why
    order, best = _search(operations, initial, True, deadline)
    if order is not None:
        return order, ""
    order, value, blocked = best
    shown = ", ".join(f"op {i}" for i in order[-12:])
    if len(order) > 12:
        shown = "..., " + shown
    reads = "; ".join(op.describe() for op in blocked)
    if not order:
        start = f"the register starts with {value!r}"
    else:
        start = (f"the longest order found that respects every process's program order "
                 f"({len(order)} operation{'s' * (len(order) != 1)}: {shown}) leaves the "
                 f"register holding {value!r}")
    return None, (f"no order of the operations respects program order and is legal: "
                  f"{start}, and every operation that could come next is a read of another "
                  f"value: {reads}")


def _search(operations, initial, track: bool, deadline: float | None = None):
    if unwritten_read(operations, initial) is not None:
        return None, None
    done, maybe = relevant(operations)
    procs: dict = {}
    for op in done:
        procs.setdefault(op.process, []).append(op)
    chains = list(procs.values())
    where = {p: i for i, p in enumerate(procs)}
    # An indeterminate write waits for the ok operations its process invoked before it.
    infos = [(op, where.get(op.process), sum(o.invoke < op.invoke for o in procs.get(
        op.process, ()))) for op in maybe]
    total = len(done)
    if not total:
        return (), None
    ptr = [0] * len(chains)
    mask = 0
    value = initial
    order: list[int] = []
    undo: list[tuple[int, int, object]] = []      # (chain, indeterminate write or -1, value)
    seen: set = set()
    best: tuple = ((), initial, [])

    def opened(v) -> int:
        """The first invoked indeterminate write of `v` that is not placed yet and whose
        process's earlier operations are placed, or -1."""
        for j, (op, i, need) in enumerate(infos):
            if op.value == v and not mask >> j & 1 and (i is None or ptr[i] >= need):
                return j
        return -1

    def moves() -> list[tuple[int, int, Operation, int]]:
        """(invoke, chain, operation, indeterminate write placed just before it or -1)."""
        found = []
        for i, chain in enumerate(chains):
            if ptr[i] < len(chain):
                op = chain[ptr[i]]
                if op.f == "read" and op.value == value:
                    return [(op.invoke, i, op, -1)]         # a legal read goes next
                found.append((op.invoke, i, op, -1 if op.f == "write" else opened(op.value)))
        found.sort(key=lambda m: m[0])
        return found

    frames = [[moves(), 0]]
    while frames:
        frame = frames[-1]
        if frame[1] == len(frame[0]):
            frames.pop()
            if undo:
                i, j, value = undo.pop()
                ptr[i] -= 1
                total += 1
                order.pop()
                if j >= 0:
                    mask ^= 1 << j
                    order.pop()
            continue
        _, i, op, j = frame[0][frame[1]]
        frame[1] += 1
        if op.f == "read" and op.value != value and j < 0:
            continue                                        # nothing explains the read
        ptr[i] += 1
        key = (tuple(ptr), mask | (1 << j if j >= 0 else 0), op.value)
        if key in seen:
            ptr[i] -= 1
            continue
        seen.add(key)
        if deadline is not None and not len(seen) % wgl.CHECK_EVERY \
                and time.monotonic() > deadline:
            raise wgl.Timeout()
        undo.append((i, j, value))
        if j >= 0:
            mask |= 1 << j
            order.append(infos[j][0].index)
        order.append(op.index)
        value = op.value
        total -= 1
        if not total:
            return tuple(order), None
        next_moves = moves()
        if track and len(order) > len(best[0]):
            best = (tuple(order), value, [m[2] for m in next_moves])
        frames.append([next_moves, 0])
    if track and not best[0]:
        best = ((), initial, [m[2] for m in moves()])
    return None, best
