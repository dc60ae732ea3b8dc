"""Causal consistency of a register history: causal memory (Ahamad, Neiger, Burns, Kohli
and Hutto 1995) for one read/write register.

Definition.  Program order ``<po`` is as in `sequential` (same process, returned before
invoked).  Let ``W`` be the ok writes together with a set ``I`` of indeterminate writes,
and give each ok read ``r`` a *writes-into* source ``wi(r)``: a write in ``W`` of the
value ``r`` returned, or the initial value ``⊥`` (only if ``r`` returned the initial
value).  The *causal order* ``CO`` is the transitive closure of ``<po`` and the pairs
``(wi(r), r)``.  The history is *causally consistent* when for some ``I`` and some
``wi``, ``CO`` is acyclic and every process ``p`` has a *view*: an order of ``W`` and of
``p``'s own ok reads that extends ``CO`` and in which the last write before each read
``r`` is ``wi(r)`` (no write at all when ``wi(r)`` is ``⊥``).  Different processes may
order concurrent writes differently; only causally related writes are seen by all in one
order.

Distinct values.  When every write writes a different value (Ahamad et al.'s assumption)
``wi`` is determined and this is exactly their definition.  With duplicates, ``wi`` is
chosen: a history is causally consistent when *some* way of telling the equal writes
apart (some choice of which write each read read from) makes it causally consistent.
The choices are enumerated (the latest write of the value invoked before the read
returned first), so the check is exponential only in the number of reads of values
written more than once.  An indeterminate write is in ``I`` exactly when it is some read's
source: one that is nobody's source is causally before nothing and can end every view.

Check.  For one choice of ``wi``: ``CO`` must be acyclic (a topological sort of the
program-order and writes-into edges), no write may be causally before a read of ``⊥``,
and for each process ``p`` the following precedence graph on ``W`` must be acyclic:
``CO`` between writes, and ``u -> wi(r)`` for each write ``u != wi(r)`` causally before
a read ``r`` of ``p`` (``u`` must not come between ``wi(r)`` and ``r``).  Any
topological order of it, with each of ``p``'s reads placed right after its source (in
program order), is ``p``'s view: a write causally after a read ``r`` is causally after
``wi(r)`` too, so it follows ``r``.  Conversely the writes of any view are ordered so.
This is polynomial (bitsets for ``CO``).
"""

from __future__ import annotations

import heapq
import itertools
import math

from .model import Operation
from .register import relevant, thin_air, unwritten_read

BOTTOM = None           # wi(r) for a read of the initial value with no write before it


def analyse(operations, initial, limit: int | None = None) -> tuple[tuple | None, str]:
    """(the views as ((process, op indices), ...), "") or (None, why not).

    With `limit`, give up with (None, "") when there are more than `limit` writes-into
    choices to try (the verdict is then unknown)."""
    bad = unwritten_read(operations, initial)
    if bad is not None:
        return None, thin_air(bad, operations, initial)
    done, maybe = relevant(operations)
    writes = [op for op in done + maybe if op.f == "write"]
    reads = [op for op in done if op.f == "read"]
    choices = []
    for r in reads:
        found = _sources(r, writes, done, initial)
        if not found:
            return None, _unreadable(r, writes, initial)
        choices.append(found)
    if limit is not None and math.prod(map(len, choices)) > limit:
        return None, ""
    processes = list(dict.fromkeys(op.process for op in operations))
    first = None
    tried = 0
    for choice in itertools.product(*choices):
        tried += 1
        wi = {r.index: w for r, w in zip(reads, choice)}
        views, why = _views(done, maybe, wi, processes)
        if views is not None:
            return views, ""
        if first is None:
            first = (choice, why)
    choice, why = first
    if tried == 1:
        return None, why
    chosen = ", ".join(f"op {r.index} from " + ("the initial value" if w is None
                                                else f"op {w.index}")
                       for r, w, found in zip(reads, choice, choices) if len(found) > 1)
    return None, (f"no choice of which equal-valued write each read read from works "
                  f"({tried} tried); for example, with {chosen}: {why}")


def refute(operations, initial, limit: int = 16) -> str:
    """Why the history is not causally consistent, if that is quick to show (at most
    `limit` writes-into choices); "" when it is or when that is unknown."""
    views, why = analyse(operations, initial, limit)
    return "" if views is not None else why


def _sources(r: Operation, writes, done, initial) -> list:
    """The writes `r` may have read from, most plausible first; None stands for ⊥."""
    own = [w for w in done if w.f == "write" and w.process == r.process
           and w.complete < r.invoke]
    found = []
    for w in writes:
        if w.value != r.value:
            continue
        if w.process == r.process and w.invoke > r.complete:
            continue                        # a later write of its own process
        if w.process == r.process and any(w.returned < o.invoke for o in own):
            continue                        # overwritten by its own process before r
        found.append(w)
    found.sort(key=lambda w: (w.invoke > r.complete, -w.invoke))
    if r.value == initial and not own:
        at = sum(w.invoke < r.complete for w in found)
        found.insert(at, BOTTOM)
    return found


def _unreadable(r: Operation, writes, initial) -> str:
    p = r.process
    why = [f"op {w.index} " + (f"follows it in process {p!r}'s program order"
                               if w.invoke > r.complete
                               else f"is overwritten by process {p!r} before it")
           for w in writes if w.value == r.value]
    if r.value == initial:
        why.append(f"the initial value is overwritten by process {p!r} before it")
    return f"{r.describe()} cannot have read {r.value!r} from any write: " + "; ".join(why)


def _views(done, maybe, wi: dict, processes):
    """Each process's view for this writes-into choice, or (None, why not)."""
    used = {id(w) for w in wi.values() if w is not None}
    nodes = sorted(done + [w for w in maybe if id(w) in used], key=lambda op: op.index)
    by_index = {op.index: op for op in nodes}
    preds: dict[int, list[tuple[int, str]]] = {op.index: [] for op in nodes}
    last: dict = {}                       # process -> its latest ok operation so far
    for op in sorted(nodes, key=lambda o: o.invoke):
        before = last.get(op.process)
        if before is not None:
            preds[op.index].append((before.index, "po"))
        if op.status == "ok":
            last[op.process] = op
    for r, w in wi.items():
        if w is not None:
            preds[r].append((w.index, "wi"))
    order, cycle = _toposort(preds)
    if cycle:
        steps = "; ".join(_edge(by_index[a], by_index[b], kind) for a, b, kind in cycle)
        return None, f"the causal order has a cycle: {steps}"
    below = {}                            # op index -> bitset of its CO-predecessors
    for v in order:
        bits = 0
        for u, _ in preds[v]:
            bits |= below[u] | 1 << u
        below[v] = bits
    wmask = sum(1 << op.index for op in nodes if op.f == "write")
    for r, w in wi.items():
        if w is None and below[r] & wmask:
            u = _lowest(below[r] & wmask)
            return None, (f"{by_index[r].describe()} reads the initial value, but "
                          f"{by_index[u].describe()} causally precedes it")
    wset = [v for v in order if wmask >> v & 1]
    views = []
    for p in processes:
        view, why = _view(p, nodes, wi, below, wmask, wset, by_index)
        if view is None:
            return None, why
        views.append((p, view))
    return tuple(views), ""


def _view(p, nodes, wi, below, wmask, wset, by_index):
    mine = [op.index for op in nodes if op.process == p and op.f == "read"]
    need = {u: below[u] & wmask for u in wset}
    for r in mine:
        if wi[r] is not None:
            x = wi[r].index
            need[x] |= below[r] & wmask & ~(1 << x)
    placed, done_bits, pending = [], 0, list(wset)
    while pending:
        rest = []
        for u in pending:
            if need[u] & ~done_bits:
                rest.append(u)
            else:
                placed.append(u)
                done_bits |= 1 << u
        if len(rest) == len(pending):
            return None, _stuck(p, rest, need, done_bits, mine, wi, below, by_index)
        pending = rest
    first = [r for r in mine if wi[r] is None]
    view = list(first)
    after: dict[int, list[int]] = {}
    for r in mine:
        if wi[r] is not None:
            after.setdefault(wi[r].index, []).append(r)
    for u in placed:
        view.append(u)
        view.extend(after.get(u, ()))
    return tuple(view), ""


def _toposort(preds: dict[int, list[tuple[int, str]]]):
    """(a topological order by index, None) or (None, a cycle as [(a, b, kind)])."""
    succs: dict[int, list[int]] = {v: [] for v in preds}
    count = {v: len(ps) for v, ps in preds.items()}
    for v, ps in preds.items():
        for u, _ in ps:
            succs[u].append(v)
    ready = [v for v, c in count.items() if not c]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for w in succs[v]:
            count[w] -= 1
            if not count[w]:
                heapq.heappush(ready, w)
    if len(order) == len(preds):
        return order, None
    left = set(preds) - set(order)
    path, at = [], min(left)
    while at not in path:                 # walk back along edges inside the cycle's part
        path.append(at)
        at = min(u for u, _ in preds[at] if u in left)
    path = path[path.index(at):]          # b <- a <- ... ; reverse to go forwards
    path.reverse()
    cycle = []
    for a, b in zip(path, path[1:] + path[:1]):
        kind = next(k for u, k in preds[b] if u == a)
        cycle.append((a, b, kind))
    return None, cycle


def _edge(a: Operation, b: Operation, kind: str) -> str:
    if kind == "wi":
        return f"op {b.index} reads from op {a.index}"
    return f"op {a.index} precedes op {b.index} in process {a.process!r}'s program order"


def _lowest(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


def _stuck(p, left, need, done_bits, mine, wi, below, by_index) -> str:
    """Explain a cycle among the writes that process `p` cannot order."""
    path, at = [], left[0]
    while at not in path:
        path.append(at)
        at = _lowest(need[at] & ~done_bits)
    path = path[path.index(at):]
    path.reverse()
    named: set[int] = set()

    def name(i: int) -> str:
        if i in named:
            return f"op {i}"
        named.add(i)
        return by_index[i].describe()

    reasons = []
    for a, b in zip(path, path[1:] + path[:1]):
        head = f"{name(a)} before {name(b)}"
        if below[b] >> a & 1:
            why = f"{name(a)} causally precedes {name(b)}"
        else:
            r = next(r for r in mine if wi[r] is not None and wi[r].index == b
                     and below[r] >> a & 1)
            why = f"{name(a)} causally precedes {name(r)}, which reads from {name(b)}"
        reasons.append(f"{head} because {why}")
    return (f"process {p!r} has no view ordering the writes: it must see "
            + "; and ".join(reasons))
