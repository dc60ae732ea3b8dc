"""Breadth-first exploration that stores a 64-bit fingerprint per state (`--fingerprints`).

TLC's `-fp` mode: the visited set holds fingerprints, not states, so a distinct state
costs a slot of an open-addressing table of 64-bit words, the index of its parent
(4 bytes) and the position of the step that reached it among its parent's successors
(2 bytes, 4 when a state has more than 65,535 successors).  Only the two levels the
search works on are kept as states, marshalled and compressed in chunks.  A
counterexample is rebuilt by replaying the stored steps from the initial state: the
state at each position of the path is recomputed with the model's own successor
function, so the trace is exactly the one the exact search prints.

Numbering, parents, violations, bounds and errors follow `search.bfs` step by step (the
same loop, over fingerprints), so every count and counterexample is the exact search's
unless two distinct states share a fingerprint.  The chance of that is printed, as
TLC prints it: with n distinct states found among g generated, about n (g - n) / 2^64
(TLC's "optimistic" estimate).

A fingerprint must not collide by construction, and CPython's `hash` alone does for
Stateline's states: an int hashes to itself modulo 2^61 - 1, so two bitmask sets whose
bits lie 61 positions apart, or the integers -1 and -2 (both hash to -2), are the same
to it (Paxos with three ballots lost 7,003 of 185,369 states that way in a prototype).
`fingerprinter` therefore rewrites the slots whose type can hold such integers: each
such int becomes the pair of its residues modulo two primes near 2^61, which separates
them; every other slot is hashed as it is (tuple hashing is deterministic: no value of
a state hashes through PYTHONHASHSEED).
"""

from __future__ import annotations

import marshal
import sys
import time
import zlib
from array import array
from dataclasses import dataclass, field

from ..models.domains import (DAtom, DBool, DInt, DMap, DMsg, DOption, DRecord, DSeq, DSet,
                              DTuple, Dom)
from ..models.model import Model
from ..models.runtime import ModelError, TooManySuccessors
from .deadline import Deadline, DeadlineReached
from .search import PROGRESS_EVERY, SearchOptions, SearchResult, Violation, _path

P1 = (1 << 61) - 1               # CPython's modulus for hashing ints
P2 = (1 << 61) - 31              # a second prime below it
HASH_BITS = 61
CHUNK = 16384                    # states per marshalled chunk of a level


class FingerprintSet:
    """A set of nonzero signed 64-bit ints in an open-addressing table (linear probing, load at
    most 3/4).  8 bytes a slot, 8 to 16 bytes a member."""

    def __init__(self, capacity: int = 1 << 12):
        size = 1
        while size < capacity:
            size <<= 1
        self.table = array("q", bytes(8 * size))
        self.mask = size - 1
        self.count = 0
        self.limit = size * 3 // 4

    def add(self, fp: int) -> bool:
        """Insert fp (nonzero); True if it was not there."""
        h = self.probe(fp)
        if self.table[h]:
            return False
        self.table[h] = fp
        self.count += 1
        if self.count > self.limit:
            self.grow()
        return True

    def probe(self, fp: int) -> int:
        """The slot holding fp, or the free slot where it would go (the search inlines
        this loop in its hot path)."""
        table, mask = self.table, self.mask
        h = fp & mask
        while True:
            x = table[h]
            if x == 0 or x == fp:
                return h
            h = (h + 1) & mask

    def __contains__(self, fp: int) -> bool:
        return self.table[self.probe(fp)] != 0

    def __len__(self) -> int:
        return self.count

    def grow(self) -> None:
        old = self.table
        size = len(old) * 2
        self.table = table = array("q", bytes(8 * size))
        self.mask = mask = size - 1
        self.limit = size * 3 // 4
        for fp in old:
            if fp:
                h = fp & mask
                while table[h]:
                    h = (h + 1) & mask
                table[h] = fp

    @property
    def nbytes(self) -> int:
        return len(self.table) * 8


def wide(dom: Dom) -> bool:
    """Can a value of `dom` contain an int that CPython's hash confuses with another
    (one outside 0 .. 2^61 - 2: a negative one or a bitmask of 61 bits or more)?"""
    if isinstance(dom, (DBool, DAtom)):
        return False
    if isinstance(dom, DInt):
        return dom.lo is None or dom.hi is None or dom.lo < 0 or dom.hi >= P1
    if isinstance(dom, DOption):
        return wide(dom.elem)
    if isinstance(dom, DRecord):
        return any(wide(d) for _, d in dom.fields)
    if isinstance(dom, DMsg):
        return any(wide(r) for r in dom.records)
    if isinstance(dom, DTuple):
        return any(wide(d) for d in dom.items)
    if isinstance(dom, DMap):
        return wide(dom.value)
    if isinstance(dom, DSeq):
        return wide(dom.elem)
    if isinstance(dom, DSet):
        if not dom.mask:
            return wide(dom.elem)
        elem = dom.elem
        if isinstance(elem, DInt):
            if elem.lo is None or elem.hi is None:
                return True
            bits = max(2 * elem.hi + 1, -2 * elem.lo) if elem.lo < 0 else 2 * elem.hi + 1
        else:
            bits = elem.size if elem.size is not None else HASH_BITS
        return bits >= HASH_BITS
    return True                  # a kind of value this module does not know: be safe


def _reduced(v):
    """v with every int outside 0 .. 2^61 - 2 replaced by its residues modulo P1 and P2
    (bools and the ints in that range hash faithfully already)."""
    tv = type(v)
    if tv is int:
        return v if 0 <= v < P1 else (v % P1, v % P2)
    if tv is tuple:
        return tuple(map(_reduced, v))
    if tv is frozenset:
        return frozenset(map(_reduced, v))
    return v


def wide_slots(model: Model) -> list[int]:
    """The slots of a state whose values `_reduced` must rewrite before hashing."""
    system = model.system
    net = system.network
    out = []
    for slot in system.slots:
        if net is not None and slot.index == net.slot:
            # A bitmask of the messages, or a frozenset / bag (message, count) / fifo
            # channels of them: counts and node indices are small non-negative ints.
            size = net.messages.size
            if (size is None or size >= HASH_BITS) if net.rep == "mask" else \
                    wide(net.messages):
                out.append(slot.index)
        elif wide(slot.dom):
            out.append(slot.index)
    return out


def fingerprinter(model: Model):
    """fn(state) -> a signed 64-bit fingerprint (CPython's hash of the state, with the wide
    slots rewritten; the search stores 0 as 1), deterministic on every PYTHONHASHSEED."""
    slots = wide_slots(model)
    if not slots:
        return hash

    def fingerprint_wide(t: tuple) -> int:
        return hash((t, tuple([_reduced(t[k]) for k in slots])))
    return fingerprint_wide


class _Level:
    """The states of one BFS level, marshalled and zlib-compressed CHUNK at a time."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.buffer: list = []
        self.nbytes = 0

    def append(self, t: tuple) -> None:
        self.buffer.append(t)
        if len(self.buffer) == CHUNK:
            self.seal()

    def seal(self) -> None:
        if self.buffer:
            chunk = zlib.compress(marshal.dumps(self.buffer), 1)
            self.chunks.append(chunk)
            self.nbytes += len(chunk)
            self.buffer = []

    def drain(self):
        """The states in order, releasing each chunk once it is read."""
        self.seal()
        chunks, self.chunks = self.chunks, []
        chunks.reverse()
        while chunks:
            chunk = chunks.pop()
            self.nbytes -= len(chunk)
            yield from marshal.loads(zlib.decompress(chunk))


@dataclass
class FingerprintResult(SearchResult):
    """A search result without the states: paths are replayed from the stored steps."""

    positions: array = field(default_factory=lambda: array("H"), repr=False)
    model: Model | None = field(default=None, repr=False)
    canonical: object = field(default=None, repr=False)
    bytes_per_state: float = 0.0
    collision_probability: float = 0.0

    def path_states(self, path: list[int], extra: tuple | None = None) -> list[tuple]:
        states = replay(self.model, self.canonical, self.positions, path)
        if extra is not None:
            states.append(extra)
        return states


def replay(model: Model, canonical, positions: array, path: list[int]) -> list[tuple]:
    """The states of a path of state indices, recomputed from the initial states along the
    stored step positions."""
    out = []
    for k, i in enumerate(path):
        if k == 0:
            s = model.initial_states()[positions[i]]
        else:
            s = model.successors(out[-1])[positions[i]]
        out.append(canonical(s) if canonical is not None else s)
    return out


def collision_probability(states: int, generated: int) -> float:
    """TLC's optimistic estimate of the chance that a fingerprint collision hid a state."""
    return min(1.0, states * max(generated - states, 0) / 2.0 ** 64)


def bfs_fingerprints(model: Model, options: SearchOptions = SearchOptions()) -> FingerprintResult:
    """`search.bfs` over fingerprints (no state graph, checkpoint or resume)."""
    started = time.perf_counter()
    result = FingerprintResult(0, 0, 0, 0.0, "complete", model=model,
                               canonical=options.canonical)
    model.limit_successors(options.max_states)
    try:
        with Deadline(options.max_seconds) as deadline:
            _search(model, options, result, deadline, started)
    except DeadlineReached:
        result.stop = "max-seconds"
    finally:
        model.limit_successors(None)
    result.seconds = time.perf_counter() - started
    return result


def _search(model: Model, options: SearchOptions, result: FingerprintResult,
            deadline: Deadline, started: float) -> None:
    successors = model.successors
    fingerprint = fingerprinter(model)
    inv_props = [p for p, _ in model.invariants]
    violated_in = model.violated_invariants if inv_props else None
    active = (1 << len(inv_props)) - 1
    transitions_p = list(model.transitions)
    constraint = model.constraint
    check_deadlock = options.check_deadlock
    cap = sys.maxsize if options.max_states is None else options.max_states
    max_seconds, max_depth = options.max_seconds, options.max_depth
    progress, canonical = options.progress, options.canonical

    seen = FingerprintSet()
    parents = array("i")
    positions = array("H")
    violations: dict[str, Violation] = {}
    total_props = len(inv_props) + len(transitions_p) + (1 if check_deadlock else 0)
    if options.exhaustive:
        total_props = 0
    result.violations, result.parents, result.positions = violations, parents, positions
    closing = 0
    peak_level = 0

    def record(bad: int, j: int, extra: tuple | None = None) -> None:
        nonlocal active, closing
        for b, prop in enumerate(inv_props):
            if bad >> b & 1:
                violations[prop.name] = Violation(
                    prop.name, "invariant", _path(parents, j) if j >= 0 else [], extra)
        active &= ~bad
        closing |= bad

    def depth_done() -> None:
        nonlocal closing, violated_in
        closing = 0
        if not active:
            violated_in = None

    def add(fp: int, parent: int, pos: int) -> None:     # (an initial state)
        seen.add(fp)
        parents.append(parent)
        positions.append(pos)

    depth = transitions = n = i = 0
    s = t = None
    t_index = -1             # the index of t once inserted
    stop = "complete"
    capped = over = cut_at_depth = False
    nxt = _Level()
    try:
        for pos, t in enumerate(model.initial_states()):
            t_index = -1
            transitions += 1
            if canonical is not None:
                t = canonical(t)
            fp = fingerprint(t) or 1
            if fp in seen:
                continue
            if constraint is not None and not constraint(t):
                if violated_in is not None:
                    bad = violated_in(t, active | closing) & ~closing
                    if bad:
                        record(bad, -1, t)
                continue
            if n >= cap:
                over = True
                break
            add(fp, -1, pos)
            nxt.append(t)
            t_index = n
            n += 1
            if violated_in is not None:
                bad = violated_in(t, active | closing) & ~closing
                if bad:
                    record(bad, n - 1)
        t = None
        depth_done()
        depth = 1 if n else 0
        next_check = PROGRESS_EVERY
        if over:
            stop = "max-states"
        level_end = n
        parents_append = parents.append
        positions_append = positions.append
        if n > 0xFFFF:
            positions = result.positions = array("I", positions)
            positions_append = positions.append
        while i < n and not over:
            level = nxt
            nxt = _Level()
            buffer_append = nxt.buffer.append
            if i > 0:                         # a new level begins
                depth_done()
                if cut_at_depth:
                    stop = "max-depth"
                    break
                depth += 1
            level_end = n
            at_bound = max_depth is not None and depth >= max_depth
            peak_level = max(peak_level, level.nbytes + len(level.chunks) * 64)
            broke = False
            for s in level.drain():
                t = None
                t_index = -1
                try:
                    succ = successors(s)
                except TooManySuccessors as exc:
                    succ, capped = exc.partial, True
                if n + len(succ) > cap and not at_bound:
                    keep = _room(succ, cap - n, seen, canonical, constraint, fingerprint)
                    if keep < len(succ):
                        over = True
                        succ = succ[:keep]
                transitions += len(succ)
                if not succ and check_deadlock and not over and \
                        "DeadlockFreedom" not in violations:
                    violations["DeadlockFreedom"] = Violation("DeadlockFreedom", "deadlock",
                                                              _path(parents, i))
                if transitions_p:
                    for u in succ:
                        for prop, fn in transitions_p:
                            if not fn(s, u) and prop.name not in violations:
                                violations[prop.name] = Violation(
                                    prop.name, "transition", _path(parents, i), u)
                    transitions_p = [(p, f) for p, f in transitions_p
                                     if p.name not in violations]
                if len(succ) > 0xFFFF and positions.typecode == "H":
                    positions = result.positions = array("I", positions)
                    positions_append = positions.append
                if canonical is not None:
                    succ = [canonical(t) for t in succ]
                table, mask = seen.table, seen.mask
                for pos, fp in enumerate(map(fingerprint, succ)):
                    h = fp & mask          # FingerprintSet's probe, inlined (the hot loop)
                    x = table[h]
                    while x and x != fp:
                        h = (h + 1) & mask
                        x = table[h]
                    if x:
                        continue
                    if not fp:             # 0 marks a free slot: 0 is stored as 1
                        fp = 1
                        if fp in seen:
                            continue
                        h = seen.probe(fp)
                    t = succ[pos]
                    t_index = -1
                    if constraint is not None and not constraint(t):
                        if violated_in is not None:
                            bad = violated_in(t, active | closing) & ~closing
                            if bad:
                                record(bad, i, t)
                        continue
                    if at_bound:
                        cut_at_depth = True
                        continue
                    table[h] = fp
                    seen.count += 1
                    if seen.count > seen.limit:
                        seen.grow()
                        table, mask = seen.table, seen.mask
                    parents_append(i)
                    positions_append(pos)
                    buffer_append(t)
                    if len(nxt.buffer) == CHUNK:
                        nxt.seal()
                        buffer_append = nxt.buffer.append
                    t_index = n
                    n += 1
                    if violated_in is not None:
                        bad = violated_in(t, active | closing) & ~closing
                        if bad:
                            record(bad, n - 1)
                t = None
                i += 1
                if total_props and len(violations) >= total_props:
                    stop = "all-violated"
                    broke = True
                    break
                if capped or over:
                    stop = "max-states"
                    broke = True
                    break
                if n >= next_check:
                    next_check = n + PROGRESS_EVERY
                    elapsed = time.perf_counter() - started
                    if progress is not None:
                        progress(n, depth, elapsed)
                    if max_seconds is not None and elapsed > max_seconds:
                        stop = "max-seconds"
                        broke = True
                        break
            peak_level = max(peak_level, nxt.nbytes + len(nxt.buffer) * 64)
            if broke:
                break
        else:
            if cut_at_depth and stop == "complete":
                stop = "max-depth"
    except KeyboardInterrupt:
        deadline.armed = False
        stop = "interrupted"
    except DeadlineReached:
        deadline.armed = False
        stop = "max-seconds"
    except ModelError as exc:
        deadline.armed = False
        stop = "model-error"
        if t is not None and t_index >= 0:     # an invariant failed to evaluate on t
            result.error = (exc, _path(parents, t_index), "state")
        elif s is not None:                    # computing a step from state i
            result.error = (exc, _path(parents, i), "step")
        else:
            result.error = (exc, [], "state")
    deadline.armed = False
    n = len(parents)
    result.positions = positions
    result.states = n
    result.transitions = transitions
    result.depth = depth if depth or not n else 1
    result.stop = stop
    stored = seen.nbytes + parents.itemsize * len(parents) + \
        positions.itemsize * len(positions) + peak_level
    result.bytes_per_state = stored / n if n else 0.0
    result.collision_probability = collision_probability(n, transitions)


def _room(succ: list, room: int, seen: FingerprintSet, canonical, constraint,
          fingerprint) -> int:
    """search._room over fingerprints."""
    fresh = set()
    for k, t in enumerate(succ):
        if canonical is not None:
            t = canonical(t)
        fp = fingerprint(t) or 1
        if fp in seen or fp in fresh or (constraint is not None and not constraint(t)):
            continue
        if len(fresh) == room:
            return k
        fresh.add(fp)
    return len(succ)
