"""Sequential consistency of a history of one object of any data type (the register has
its own search, `sequential`, which also uses causal refutation).

Definition.  Operation ``a`` precedes ``b`` in program order when both are by the same
process and ``a`` returned before ``b`` was invoked.  A history is *sequentially
consistent* when some order of its operations that must be placed, together with some
of its optional ones, extends program order and is legal for the data type.  An
optional (indeterminate) operation is ordered after its process's earlier operations
and before none (the process did not wait for it).

Search.  A linearization is a serialization, so the linearizability search runs first.
Then depth-first over the order being built: a state is the number of operations
placed from each process's program order, the set of optional operations placed (an int
bitset), the data type's state and, right after an optional operation, that operation
and the state before it: as in `wgl`, the next operation must neither absorb nor commute
with it (two optional ones go in invocation order), one is placed only if an operation
that can go next may need it, and of equal optional operations of one process only the
first is tried.
States already explored are skipped.  Deciding sequential consistency is NP-complete
(Gibbons and Korach 1997): the states are up to the product of the processes' operation
counts.
"""

from __future__ import annotations

import time

from . import wgl
from .datatypes import DROP, MUST, DataType


def decide(operations, datatype: DataType, initial, deadline: float | None = None):
    """(a serialization, "") or (None, why there is none)."""
    order = wgl.search(operations, datatype, initial, deadline).order
    if order is not None:
        return order, ""
    chains: dict = {}
    optional = []
    roles = [datatype.role(op) for op in operations]
    observed = datatype.observed(
        [op for op, role in zip(operations, roles) if role == MUST],
        [op for op, role in zip(operations, roles) if role not in (MUST, DROP)], initial)
    for op in operations:
        role = datatype.role(op)
        if role == MUST:
            chains.setdefault(op.process, []).append(op)
        elif role != DROP and (observed is None or not datatype.useless(op, observed)):
            optional.append(op)
    lanes = list(chains.values())
    lane_of = {p: i for i, p in enumerate(chains)}
    # (operation, its process's lane or -1, how many of the lane must be placed first,
    # the previous equal optional operation of the process or -1)
    extra = []
    last: dict = {}
    for j, op in enumerate(optional):
        i = lane_of.get(op.process, -1)
        need = sum(o.invoke < op.invoke for o in lanes[i]) if i >= 0 else 0
        ident = (op.process, op.f, op.value, op.status, op.key)
        extra.append((op, i, need, last.get(ident, -1)))
        last[ident] = j
    step = datatype.step
    enables = datatype.enables
    total = sum(map(len, lanes))
    start = datatype.initial_state(initial)
    ptr = [0] * len(lanes)
    seen: set = set()
    best: tuple = ((), start)
    budget = wgl.CHECK_EVERY

    def moves(mask, state, pend, before):
        """(operation, lane or -1, optional index or -1, new state) that may go next."""
        found = []
        for i, lane in enumerate(lanes):
            if ptr[i] < len(lane):
                found.append((lane[ptr[i]], i, -1))
        for j, (op, i, need, twin) in enumerate(extra):
            if mask >> j & 1 or (i >= 0 and ptr[i] < need) or \
                    (twin >= 0 and not mask >> twin & 1):
                continue
            found.append((op, i, j))
        heads = [lane[ptr[i]] for i, lane in enumerate(lanes) if ptr[i] < len(lane)]
        out = []
        for op, i, j in sorted(found, key=lambda m: m[0].index):
            legal, new = step(state, op)
            if not legal or (j >= 0 and new == state):
                continue
            if pend is not None:
                legal, alone = step(before, op)
                if legal and (alone == new or step(alone, pend) == (True, new)
                              and (j < 0 or op.index < pend.index)):
                    continue
            if j >= 0 and not any(enables(op, o, new) for o in heads):
                continue
            out.append((op, i, j, new))
        return out

    order: list[int] = []
    path: list[tuple] = []           # (lane, optional index) of each placed operation
    frames = [[moves(0, start, None, None), 0, 0, start]]     # [moves, next, mask, state]
    while frames:
        frame = frames[-1]
        options, at, mask, state = frame
        if at == len(options):
            frames.pop()
            if path:
                i, j = path.pop()
                order.pop()
                if j < 0:
                    ptr[i] -= 1
            continue
        frame[1] += 1
        op, i, j, new = options[at]
        if j < 0:
            ptr[i] += 1
            bits = mask
            key = (tuple(ptr), bits, new)
        else:
            bits = mask | 1 << j
            key = (tuple(ptr), bits, new, j, state)
        if key in seen:
            if j < 0:
                ptr[i] -= 1
            continue
        seen.add(key)
        budget -= 1
        if not budget:
            budget = wgl.CHECK_EVERY
            if deadline is not None and time.monotonic() > deadline:
                raise wgl.Timeout()
        path.append((i, j))
        order.append(op.index)
        if j < 0 and sum(ptr) == total:
            return tuple(order), ""
        if len(order) > len(best[0]):
            best = (tuple(order), new)
        frames.append([moves(bits, new, op if j >= 0 else None, state), 0, bits, new])
    placed, state = best
    shown = ", ".join(f"op {i}" for i in placed[-12:])
    if len(placed) > 12:
        shown = "..., " + shown
    if placed:
        start_text = (f"the longest order found that respects every process's program "
                      f"order ({len(placed)} operation{'s' * (len(placed) != 1)}: {shown}) "
                      f"leaves the state {show_state(state)}")
    else:
        start_text = f"the state starts as {show_state(state)}"
    done = set(placed)
    waiting = [next(o for o in lane if o.index not in done) for lane in lanes
               if any(o.index not in done for o in lane)]
    blocked = "; ".join(o.describe() for o in waiting)
    return None, (f"no order of the operations respects program order and is legal: "
                  f"{start_text}, and no operation that could come next can take effect: "
                  f"{blocked}")


def show_state(state) -> str:
    if isinstance(state, frozenset):
        return "{" + ", ".join(sorted(map(repr, state))) + "}"
    if isinstance(state, tuple):
        return "[" + ", ".join(map(repr, state)) + "]"
    return repr(state)
