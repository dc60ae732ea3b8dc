"""Linearizability of a history of one object of any data type: the Wing & Gong search
with memoisation (Lowe), as in Porcupine and Knossos' WGL checker.

Definition.  Operation ``a`` precedes ``b`` in real time when ``a`` returned before
``b`` was invoked; an indeterminate operation never returned.  A history is
*linearizable* when some order of its operations that must be placed (see
`datatypes`: the ``ok`` ones, and a failed cas), together with some of its optional
(indeterminate) ones, extends the real-time order and is legal for the data type: each
operation takes effect at one instant between its invoke and its return, an optional
one at any instant after its invoke, or never.

Search.  The invokes and returns form a doubly linked list in real-time order.  The
search repeatedly takes an invoke before the first remaining return, applies its
operation to the state and, if that is legal and the configuration (the set of placed
operations as an int bitset, the state) has not been seen, removes the operation's
entries and starts again from the head; reaching a return means the operation it closes
could not be placed, so the last choice is undone and the next invoke tried.  Optional
operations have no return entry; the search succeeds as soon as every operation that
must be placed is.

Optional operations, kept from doubling the configurations each.  A linearization can
be rewritten, without changing what any operation sees, so that every optional
operation ``j`` in it changes the state and is followed at once by an operation ``o``
that does not *absorb* it (``o`` leaves the same state with or without ``j`` before it,
so ``j`` can be left out) and, if ``o`` must be placed, does not *commute* with it (``o``
then ``j`` is legal and ends in the same state as ``j`` then ``o``, so ``j`` can move
after ``o``; it never returned, so it may): each rewrite removes an optional operation
or moves one past an operation that must be placed, towards the end.  (Two optional
operations that commute are tried in both orders: moving one past the other would not
end.)  Of equal
optional operations (same operation, value and outcome) that are not placed yet, the
first invoked can stand for the others.  The search builds only such linearizations:
after placing an optional operation it remembers it, and the next operation must
neither absorb nor commute with it (the remembered operation and the state before it
are part of the configuration).

The frontier.  Every configuration the search reaches stands for a *partial
linearization*: an order of every operation that must be placed and returned before
its first remaining return, and of some operations invoked before it, each with the
outcome the history records.  The latest first-remaining-return any configuration
reaches is the *frontier*: the history up to it has a partial linearization, and none
places the operation that returns there.  The search records it for free; a second
search on that prefix (`partial`) gives the longest partial linearization itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .datatypes import DROP, MUST, DataType
from .model import NEVER, Operation

CHECK_EVERY = 1 << 12        # configurations between two looks at the clock


class Timeout(Exception):
    """The search ran past its deadline (`time.monotonic()` seconds)."""


@dataclass(frozen=True)
class Outcome:
    order: tuple[int, ...] | None   # a linearization (operation indices), or None
    frontier: int                   # when None: the event index of the frontier
    configurations: int             # configurations explored


def search(operations, datatype: DataType, initial, deadline: float | None = None,
           horizon: int | None = None) -> Outcome:
    """Search a linearization of `operations` (all of one object).

    With `horizon`, search a partial linearization of the events before it instead:
    operations invoked from then on are left out, and those that return from then on
    are optional (with the outcome the history records)."""
    ops: list[Operation] = []
    optional: list[bool] = []
    for op in operations:
        role = datatype.role(op)
        if role == DROP:
            continue
        if horizon is not None:
            if op.invoke >= horizon:
                continue
            if role == MUST and op.returned >= horizon:
                role = "optional"
        ops.append(op)
        optional.append(role != MUST)
    state = datatype.initial_state(initial)
    musts = optional.count(False)
    if not musts:
        return Outcome((), -1, 0)
    n = len(ops)
    # twin[k]: the previous optional operation equal to ops[k], or -1
    twin = [-1] * n
    last: dict = {}
    for k, op in enumerate(ops):
        if optional[k]:
            ident = (op.f, op.value, op.status, op.key)
            twin[k] = last.get(ident, -1)
            last[ident] = k
    # Entry 2k is the invoke of ops[k] and 2k+1 its return; HEAD and TAIL are sentinels.
    HEAD, TAIL = 2 * n, 2 * n + 1
    at = [0.0] * (2 * n + 2)                   # the event index of each entry
    timeline = []
    for k, op in enumerate(ops):
        timeline.append((op.invoke, 2 * k))
        at[2 * k] = op.invoke
        if not optional[k]:
            timeline.append((op.returned, 2 * k + 1))
            at[2 * k + 1] = op.returned
    timeline.sort()
    chain = [HEAD] + [e for _, e in timeline] + [TAIL]
    nxt = [0] * (2 * n + 2)
    prv = [0] * (2 * n + 2)
    for a, b in zip(chain, chain[1:]):
        nxt[a], prv[b] = b, a
    at[TAIL] = NEVER
    step = datatype.step

    placed = 0
    pend, before = -1, None          # the optional operation just placed, the state before
    stack: list[tuple] = []          # (invoke entry, state, pend, before)
    seen: set = set()
    frontier = -1
    budget = CHECK_EVERY
    entry = nxt[HEAD]
    while True:
        if not entry & 1:                                     # an invoke: try to place it
            k = entry >> 1
            op = ops[k]
            opt = optional[k]
            if opt and twin[k] >= 0 and not placed >> twin[k] & 1:
                entry = nxt[entry]
                continue
            legal, new = step(state, op)
            if not legal or (opt and new == state):
                entry = nxt[entry]
                continue
            if pend >= 0:
                legal, alone = step(before, op)
                if legal and (alone == new or (not opt and step(alone, ops[pend])
                                               == (True, new))):
                    entry = nxt[entry]                    # absorbs or commutes with pend
                    continue
            bits = placed | 1 << k
            key = (bits, new, k, state) if opt else (bits, new)
            if key in seen:
                entry = nxt[entry]
                continue
            seen.add(key)
            budget -= 1
            if not budget:
                budget = CHECK_EVERY
                if deadline is not None and time.monotonic() > deadline:
                    raise Timeout()
            stack.append((entry, state, pend, before))
            placed = bits
            nxt[prv[entry]], prv[nxt[entry]] = nxt[entry], prv[entry]
            if opt:
                pend, before = k, state
            else:
                pend = -1
                musts -= 1
                if not musts:
                    return Outcome(tuple(ops[e >> 1].index for e, _, _, _ in stack), -1,
                                   len(seen))
                ret = entry + 1
                nxt[prv[ret]], prv[nxt[ret]] = nxt[ret], prv[ret]
            state = new
            entry = nxt[HEAD]
        else:                                  # a return: its operation was not placed
            if at[entry] > frontier:
                frontier = at[entry]
            if not stack:
                return Outcome(None, int(frontier), len(seen))
            entry, state, pend, before = stack.pop()
            k = entry >> 1
            placed ^= 1 << k
            if not optional[k]:
                musts += 1
                ret = entry + 1
                nxt[prv[ret]] = prv[nxt[ret]] = ret
            nxt[prv[entry]] = prv[nxt[entry]] = entry
            entry = nxt[entry]


def stuck(operations, frontier: int) -> Operation:
    """The operation that returns at the frontier (the one no linearization places)."""
    return next(op for op in operations if op.complete == frontier)


def partial(operations, datatype: DataType, initial, frontier: int,
            deadline: float | None = None) -> tuple[int, ...] | None:
    """The longest partial linearization: of the history up to the frontier."""
    return search(operations, datatype, initial, deadline, horizon=frontier).order
