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
operations are kept apart (they never return): each is tried, once the others have
been, while it was invoked before the first remaining return.  The search succeeds as
soon as every operation that must be placed is.

Optional operations, kept from doubling the configurations each.  A linearization can
be rewritten, without changing what any operation sees, so that every optional
operation ``j`` in it changes the state and is followed at once by an operation ``o``
that does not *absorb* it (``o`` leaves the same state with or without ``j`` before it,
so ``j`` can be left out) and, if ``o`` must be placed, does not *commute* with it (``o``
then ``j`` is legal and ends in the same state as ``j`` then ``o``, so ``j`` can move
after ``o``; it never returned, so it may), and if ``o`` is optional and commutes, ``j``
was invoked first: each rewrite removes an optional operation, moves one past an
operation that must be placed towards the end, or puts two adjacent optional ones in
invocation order.  A chain of optional operations so built ends with an operation that
must be placed; the search starts one only when an operation that must be placed and
can go next may need it (`DataType.enables`: a set's read needs only the adds of what
it read), and for a *lazy* data type (`DataType.lazy`: the register, the cas-register,
the set) only when such an operation is illegal in the state before the chain.  Optional
operations that no linearization needs (`DataType.useless`: a write
of a value nobody read) are left out first, and values nothing observes are made one
(`DataType.blur`: the elements of a queue no dequeue returns).  Of equal
optional operations (same operation, value and outcome) that are not placed yet, the
first invoked can stand for the others.  The search builds only such linearizations:
after placing an optional operation it remembers it, and the next operation must
neither absorb nor commute with it (the remembered operation and the state before it
are part of the configuration).

Observers go first, alone.  An operation that must be placed and changes no state it
is legal in (a read, a get, a failed cas: `DataType.observes`) and is legal in the
state of a configuration reached by placing an operation that must be placed, is placed
there and then, and nothing else is tried there: in any linearization that extends the
configuration it can move to that point (every operation that returned before its
invoke is placed already, it changes nothing, and it stays before what it preceded).
Concurrent reads and failed cas otherwise multiply the configurations by the subsets
of them placed.

Fewer optional operations dominate.  Right after placing an operation that must be
placed, a configuration whose operations that must be placed and state were seen
before, with a subset of its optional operations placed, is not explored: whatever
follows the larger one can follow the smaller (an optional operation may stay out, and
equal ones are interchangeable).  The seen sets of optional operations of a (set of
placed operations that must be placed, state) pair are kept as an antichain.

The frontier.  Every configuration the search reaches stands for a *partial
linearization*: an order of every operation that must be placed and returned before
its first remaining return, and of some operations invoked before it, each with the
outcome the history records.  The latest first-remaining-return any configuration
reaches is the *frontier*: the history up to it has a partial linearization, and none
places the operation that returns there.  The search records it for free; a second
search on that prefix (`partial`) gives the longest partial linearization itself.
"""

from __future__ import annotations

import bisect
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
    musts: list[Operation] = []
    extra: list[Operation] = []            # the optional operations, in invocation order
    roles = [(op, datatype.role(op)) for op in operations]
    observed = datatype.observed([op for op, role in roles if role == MUST],
                                 [op for op, role in roles if role not in (MUST, DROP)],
                                 initial)
    for op, role in roles:
        if role == DROP or (horizon is not None and op.invoke >= horizon):
            continue
        if role == MUST and (horizon is None or op.returned < horizon):
            musts.append(op if observed is None else datatype.blur(op, observed))
        elif observed is None or not datatype.useless(op, observed):
            extra.append(op if observed is None else datatype.blur(op, observed))
    state = datatype.initial_state(initial)
    if not musts:
        return Outcome((), -1, 0)
    if deadline is not None and time.monotonic() > deadline:
        raise Timeout()             # (the next keys of a kv history, once one timed out)
    n, m = len(musts), len(extra)
    # Equal optional operations (same operation, value, outcome) form a class.  They are
    # placed in invocation order, so the placed ones of a class are a prefix of it, and
    # only the next one, the class's head, is tried.
    members: list[list[int]] = []
    cls = [0] * m
    classes: dict = {}
    for j, op in enumerate(extra):
        c = classes.setdefault((op.f, op.value, op.status, op.key), len(members))
        if c == len(members):
            members.append([])
        cls[j] = c
        members[c].append(j)
    head = [0] * len(members)

    invoked = [op.invoke for op in extra]
    # Entry 2k is the invoke of musts[k] and 2k+1 its return; HEAD and TAIL are sentinels.
    HEAD, TAIL = 2 * n, 2 * n + 1
    at = [0] * (2 * n + 2)                     # the event index of each entry
    for k, op in enumerate(musts):
        at[2 * k], at[2 * k + 1] = op.invoke, op.returned
    chain = [HEAD] + sorted(range(2 * n), key=at.__getitem__) + [TAIL]
    nxt = [0] * (2 * n + 2)
    prv = [0] * (2 * n + 2)
    for a, b in zip(chain, chain[1:]):
        nxt[a], prv[b] = b, a
    at[TAIL] = NEVER
    step, enables, lazy = datatype.step, datatype.enables, datatype.lazy
    observes = datatype.observes

    def targets():
        """The operations that must be placed and that an optional operation placed now
        may be for (the invokes before the first remaining return), or None."""
        e, window = nxt[HEAD], []
        while not e & 1:
            window.append(musts[e >> 1])
            e = nxt[e]
        if lazy and pend < 0:       # a chain of optional operations starts only before
            window = [o for o in window if not step(state, o)[0]]    # an illegal one
        return window or None

    UNSET = ()
    placed = 0                       # bit k: musts[k]; bit n + j: extra[j]
    pend, before = -1, None          # the optional operation just placed, the state before
    stack: list[tuple] = []          # (kind, entry or j, state, pend, before, cands)
    seen: set = set()                # configurations right after an optional operation
    # Right after an operation that must be placed: for each (set of those placed, state),
    # the sets of optional operations placed with them, none a subset of another.
    below: dict = {}
    low = (1 << n) - 1
    configurations = 0
    frontier = -1
    budget = CHECK_EVERY
    left = n
    # The candidates at a configuration, in invocation order: the invoke entries of the
    # list up to the first return (`entry`), merged with the heads of the classes of
    # optional operations invoked before it (`cands[ci]`).
    entry, cands, ci, wanted = nxt[HEAD], sorted(c[0] for c in members), 0, UNSET
    fresh, forced = True, False
    while True:
        if fresh:
            # A configuration reached by placing an operation that must be placed: if
            # one that changes nothing is legal, it goes next, alone (see above).
            fresh = False
            if pend < 0:
                e = entry
                while not e & 1 and not (observes(musts[e >> 1])
                                         and step(state, musts[e >> 1])[0]):
                    e = nxt[e]
                if not e & 1:
                    entry, ci, forced = e, len(cands), True
        if ci < len(cands) and invoked[cands[ci]] < at[entry]:     # an optional one
            if wanted is UNSET:
                wanted = targets()
                if wanted is None:
                    ci = len(cands)
                    continue
            j = cands[ci]
            ci += 1
            op = extra[j]
            legal, new = step(state, op)
            if not legal or new == state:
                continue
            if pend >= 0:
                alone_legal, alone = step(before, op)
                if alone_legal and (alone == new or j < pend and step(
                        alone, extra[pend]) == (True, new)):
                    continue
            if not any(enables(op, o, new) for o in wanted):
                continue
            bit = 1 << (n + j)
            key = (placed | bit, new, j, state)
            if key in seen:
                continue
            seen.add(key)
            configurations += 1
            budget -= 1             # placements of both kinds count (a search can place
            if not budget:          # and undo optional ones for minutes between musts)
                budget = CHECK_EVERY
                if deadline is not None and time.monotonic() > deadline:
                    raise Timeout()
            stack.append((1, j, state, pend, before, cands))
            placed |= bit
            c = cls[j]
            head[c] += 1
            pend, before, state = j, state, new
            # the class's next member, if any, takes j's place among the candidates
            cands = cands[:ci - 1] + cands[ci:]
            if head[c] < len(members[c]):
                bisect.insort(cands, members[c][head[c]])
            entry, ci, wanted = nxt[HEAD], 0, UNSET
            continue
        if not entry & 1:                     # an invoke of an operation that must go
            k = entry >> 1
            op = musts[k]
            legal, new = step(state, op)
            if legal and pend >= 0:
                alone_legal, alone = step(before, op)
                if alone_legal and (alone == new or step(alone, extra[pend])
                                    == (True, new)):
                    legal = False                   # absorbs or commutes with pend
            if legal:
                mine = (placed | 1 << k) & low, new
                extras = placed >> n
                known = below.get(mine)
                if known is None:
                    below[mine] = [extras]
                elif any(not e & ~extras for e in known):
                    legal = False           # dominated: seen with fewer optional ones
                else:
                    known[:] = [e for e in known if extras & ~e]
                    known.append(extras)
                if legal:
                    configurations += 1
                    budget -= 1
                    if not budget:
                        budget = CHECK_EVERY
                        if deadline is not None and time.monotonic() > deadline:
                            raise Timeout()
                    stack.append((2 if forced else 0, entry, state, pend, before, cands))
                    forced = False
                    placed |= 1 << k
                    left -= 1
                    if not left:
                        return Outcome(tuple(
                            extra[f[1]].index if f[0] == 1 else musts[f[1] >> 1].index
                            for f in stack), -1, configurations)
                    ret = entry + 1
                    nxt[prv[entry]], prv[nxt[entry]] = nxt[entry], prv[entry]
                    nxt[prv[ret]], prv[nxt[ret]] = nxt[ret], prv[ret]
                    state, pend = new, -1
                    entry, ci, wanted, fresh = nxt[HEAD], 0, UNSET, True
                    continue
            entry = nxt[entry]
            if forced:          # it was the only candidate: on to the first return
                forced = False
                while not entry & 1:
                    entry = nxt[entry]
            continue
        # the first remaining return: its operation was not placed in time; undo the
        # last choice and try the next candidate after it
        if at[entry] > frontier:
            frontier = at[entry]
        if not stack:
            return Outcome(None, frontier, configurations)
        kind, x, state, pend, before, cands = stack.pop()
        wanted = UNSET
        if kind != 1:
            placed ^= 1 << (x >> 1)
            left += 1
            ret = x + 1
            nxt[prv[ret]] = prv[nxt[ret]] = ret
            nxt[prv[x]] = prv[nxt[x]] = x
            entry = nxt[x]
            ci = bisect.bisect_right(cands, at[x], key=invoked.__getitem__)
            if kind == 2:       # placed alone: nothing else is tried here either
                ci = len(cands)
                while not entry & 1:
                    entry = nxt[entry]
        else:
            placed ^= 1 << (n + x)
            head[cls[x]] -= 1
            ci = cands.index(x) + 1
            entry = nxt[HEAD]
            while at[entry] < invoked[x]:
                entry = nxt[entry]


def stuck(operations, frontier: int) -> Operation:
    """The operation that returns at the frontier (the one no linearization places)."""
    return next(op for op in operations if op.complete == frontier)


def partial(operations, datatype: DataType, initial, frontier: int,
            deadline: float | None = None) -> tuple[int, ...] | None:
    """The longest partial linearization: of the history up to the frontier."""
    return search(operations, datatype, initial, deadline, horizon=frontier).order
