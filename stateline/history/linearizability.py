"""Linearizability of a register history: the Wing & Gong search with memoisation, as in
Porcupine (Athalye) and Knossos' WGL checker.

Definition.  Operation ``a`` precedes ``b`` in real time when ``a`` returned (ok) before
``b`` was invoked; an indeterminate operation never returned.  A history is
*linearizable* when there is a set ``I`` of its indeterminate writes and an order of the
ok operations together with ``I`` that is legal for the register (see `register`) and
extends the real-time order: each operation takes effect at one instant between its
invoke and its return, and an indeterminate write at any instant after its invoke, or
never.  Failed operations did not happen; indeterminate reads constrain nothing.

Search.  The invokes and returns form a doubly linked list in real-time order.  The
search repeatedly takes an invoke before the first remaining return, applies its
operation to the register and, if the read is legal and the pair (set of linearised
operations as an int bitset, register value) has not been seen, removes the operation's
two entries and starts again from the head; reaching a return means the operation it
closes could not be placed, so the last choice is undone and the next invoke tried.
Indeterminate writes are not in the list (they never return), and the search succeeds
as soon as every ok operation is placed.

Indeterminate writes are placed lazily: only just before a read of their value that the
register's value does not explain, together with that read in one step. This loses no
linearization: in one, an indeterminate write that is not followed at once by a read of
its value, or that writes the value the register already holds, can be dropped (no read
tells it happened), and what is left is one the search builds. Of the indeterminate
writes of one value that can go at that point, only the first invoked is tried: they are
interchangeable from then on (all invoked, none ever returns). Without this each
indeterminate write would double the configurations from its invoke to the end of the
history.  The search records the frontier as `wgl.search` does (the explanation of a
violation is built from it by `explain`).
"""

from __future__ import annotations

import time

from .model import NEVER
from .register import relevant, unwritten_read
from .wgl import CHECK_EVERY, Outcome, Timeout


def search(operations, initial) -> tuple[int, ...] | None:
    """A linearization as a tuple of operation indices, or None if there is none."""
    return run(operations, initial).order


def run(operations, initial, deadline: float | None = None) -> Outcome:
    """The search's outcome: a linearization, or the frontier (see `wgl`; -1 when a read
    returns a value nobody wrote, which needs no search).  Raises `wgl.Timeout` after
    `deadline` (`time.monotonic()` seconds)."""
    if unwritten_read(operations, initial) is not None:
        return Outcome(None, -1, 0)
    done, maybe = relevant(operations)
    if not done:
        return Outcome((), -1, 0)
    ops = sorted(done + maybe, key=lambda op: op.index)
    n = len(ops)
    writes = [op.f == "write" for op in ops]
    values = [op.value for op in ops]
    certain = [op.status == "ok" for op in ops]
    invoked = [op.invoke for op in ops]
    # The indeterminate writes of each value, in invocation order.
    open_writes: dict = {}
    for k, op in enumerate(ops):
        if not certain[k]:
            open_writes.setdefault(op.value, []).append(k)
    # Entry 2k is the invoke of ops[k] and 2k+1 its return; HEAD and TAIL are sentinels.
    HEAD, TAIL = 2 * n, 2 * n + 1
    # Indeterminate writes are not in the list: they are placed only through
    # `available`, together with a read.
    timeline = sorted((t, e) for k, op in enumerate(ops) if certain[k]
                      for t, e in ((op.invoke, 2 * k), (op.returned, 2 * k + 1)))
    order = [HEAD] + [e for _, e in timeline] + [TAIL]
    nxt = [0] * (2 * n + 2)
    prv = [0] * (2 * n + 2)
    for a, b in zip(order, order[1:]):
        nxt[a], prv[b] = b, a

    def e_at(e: int) -> int:
        """The event index of a return entry (TAIL is never reached: by then every ok
        operation is placed)."""
        return ops[e >> 1].complete

    # The placed indeterminate writes of a value are the first ones of its list (the
    # first one not placed is always the one tried): how many, per value.
    head = {v: 0 for v in open_writes}

    def available(entry: int, v) -> int:
        """The first indeterminate write of `v` not yet placed, if it was invoked before
        the first return after `entry`; else -1."""
        writes, h = open_writes[v], head[v]
        if h == len(writes):
            return -1
        e = entry
        while not e & 1:
            e = nxt[e]
        j = writes[h]
        return j if e == TAIL or invoked[j] <= ops[e >> 1].returned else -1

    remaining = len(done)
    placed = 0                  # bitset of linearised operations (positions in ops)
    value = initial
    # (invoke entry, register value before it, the indeterminate write placed just
    # before it or -1)
    stack: list[tuple[int, object, int]] = []
    seen: set = set()
    frontier = -1
    budget = CHECK_EVERY
    entry = nxt[HEAD]
    while True:
        if entry & 1 == 0:                                   # an invoke: try to place it
            k = entry >> 1
            j = -1
            if writes[k] or value == values[k]:
                key = (placed | 1 << k, values[k])
            else:
                j = available(entry, values[k]) if values[k] in open_writes else -1
                key = (placed | 1 << k | 1 << j, values[k]) if j >= 0 else None
            if key is not None and key not in seen:
                seen.add(key)
                budget -= 1
                if not budget:
                    budget = CHECK_EVERY
                    if deadline is not None and time.monotonic() > deadline:
                        raise Timeout()
                stack.append((entry, value, j))
                placed, value = key
                if j >= 0:
                    head[values[j]] += 1
                remaining -= 1
                if not remaining:
                    return Outcome(tuple(i for e, _, j in stack
                                         for i in ((ops[j].index,) if j >= 0 else ())
                                         + (ops[e >> 1].index,)), -1, len(seen))
                ret = entry + 1                          # lift both entries out
                nxt[prv[entry]], prv[nxt[entry]] = nxt[entry], prv[entry]
                nxt[prv[ret]], prv[nxt[ret]] = nxt[ret], prv[ret]
                entry = nxt[HEAD]
                continue
            entry = nxt[entry]
        else:                                  # a return: its operation was not placed
            if e_at(entry) > frontier:
                frontier = e_at(entry)
            if not stack:
                return Outcome(None, frontier, len(seen))
            entry, value, j = stack.pop()
            k = entry >> 1
            placed ^= 1 << k
            remaining += 1
            if j >= 0:
                placed ^= 1 << j
                head[values[j]] -= 1
            ret = entry + 1                              # put both entries back
            nxt[prv[ret]] = prv[nxt[ret]] = ret
            nxt[prv[entry]] = prv[nxt[entry]] = entry
            entry = nxt[entry]
