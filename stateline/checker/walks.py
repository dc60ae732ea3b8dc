"""One random walk of `stateline simulate`, and the walks run on several processes
(`simulate --workers N`).

Walk number i draws from its own generator, `random.Random(f"{seed}/{i}")` (a string
seed is hashed with SHA-512: the same on every run and every PYTHONHASHSEED), so walk i
is the same walk whichever process runs it and whatever ran before it.  A walk's
`Record` holds what the merge (`simulate.simulate`) needs to account for it as if every
walk had run in one process, in order: its steps, the states it visited, the violations
it found, the run-time error that ended it.

Which properties a walk checks depends on the walks before it (a property violated is
no longer checked, as in the search), and a worker does not know every violation of the
walks before its own: it checks those it does not know violated (`done`, the names it
knows violated, a subset of the true ones).  Checking more finds the same first violation
of each property the in-order run checks (the walk does not depend on what is checked),
so only a run-time error can differ: one raised by a property the in-order run no longer
checks.  The merge takes a record whose `done` is not the true one and which ended in an
error as unsure, and runs that walk again itself (`Walker.walk` with the true `done`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from ..models.model import Model
from ..models.runtime import ModelError


@dataclass
class Record:
    index: int                      # the walk's number
    done: frozenset                 # the properties it did not check (known violated)
    states: list                    # its states, in order (without those a worker had
                                    # met in its earlier walks, and then `start_new` is
                                    # False when its first state was one of them)
    start_new: bool = True
    steps: int = 0
    length: int = 0                 # the states of the walk
    # (property name, "invariant" | "transition" | "deadlock", the states to it), each
    # property's first violation in the walk, in the order they were found
    events: list = field(default_factory=list)
    # (site, message, code, states to the error, "state" | "step") or None
    error: tuple | None = None


class Walker:
    """The walks of one model: `walk(i, done)` is walk number i (see the module's
    docstring).  `known`: states met in earlier walks (a worker's), left out of
    `Record.states`; None keeps every state."""

    def __init__(self, model: Model, inits: list, depth: int, seed: int,
                 check_deadlock: bool, known: set | None = None):
        self.model, self.inits, self.depth, self.seed = model, inits, depth, seed
        self.check_deadlock, self.known = check_deadlock, known
        self.inv_props = [p for p, _ in model.invariants]

    def walk(self, index: int, done: frozenset) -> Record:
        model, known = self.model, self.known
        rng = random.Random(f"{self.seed}/{index}")
        inv_props = self.inv_props
        violated_in = model.violated_invariants if inv_props else None
        active = sum(1 << b for b, p in enumerate(inv_props) if p.name not in done)
        transitions = [(p.name, fn) for p, fn in model.transitions if p.name not in done]
        deadlock = self.check_deadlock and "DeadlockFreedom" not in done
        constraint = model.constraint
        rec = Record(index, done, [])
        events = rec.events

        def check_state(t: tuple, path: list) -> None:
            nonlocal active
            bad = violated_in(t, active)
            if bad:
                for b, prop in enumerate(inv_props):
                    if bad >> b & 1:
                        events.append((prop.name, "invariant", path + [t]))
                active &= ~bad

        def visit(t: tuple) -> None:
            if known is None:
                rec.states.append(t)
            elif t not in known:
                known.add(t)
                rec.states.append(t)

        s = self.inits[rng.randrange(len(self.inits))]
        walk = [s]
        # Swarm: this walk favours a random half of the actions (taken whenever one of
        # them is enabled), so that walks differ in what they do, not only in the order
        # they do everything in.
        favoured = rng.getrandbits(64)
        rec.start_new = known is None or s not in known
        visit(s)
        # Where a run-time error would be reported, as the search reports it: the path to
        # the state an invariant failed to evaluate in, or to the state a step (a
        # successor, a transition invariant, an invariant outside the constraint) was
        # computed from.
        at = "state"
        try:
            if violated_in is not None and active:
                check_state(s, [])
            for _ in range(self.depth):
                at = "step"
                labeled = model.successors_labeled(s)
                if not labeled:
                    if deadlock:
                        events.append(("DeadlockFreedom", "deadlock", list(walk)))
                        deadlock = False
                    break
                if transitions:                    # on every step from a visited state
                    still = []
                    for name, fn in transitions:
                        for _, t in labeled:
                            if not fn(s, t):
                                events.append((name, "transition", walk + [t]))
                                break
                        else:
                            still.append((name, fn))
                    transitions = still
                # Successors outside the constraint are checked, not walked into (as the
                # search does not explore them); a walk with no other step ends there.
                if constraint is not None:
                    inside = []
                    for (label, x) in labeled:
                        if constraint(x):
                            inside.append((label, x))
                        elif violated_in is not None and active:
                            check_state(x, walk)
                    labeled = inside
                    if not labeled:
                        break
                groups: dict = {}
                for (label, x) in labeled:
                    groups.setdefault(label[0], []).append(x)
                # an enabled action (a favoured one if any is enabled) uniformly, then
                # one of its steps uniformly
                keys = sorted(groups)
                keys = [a for a in keys if favoured >> (a % 64) & 1] or keys
                group = groups[keys[rng.randrange(len(keys))]]
                t = group[rng.randrange(len(group))]
                rec.steps += 1
                walk.append(t)
                visit(t)
                at = "state"
                if violated_in is not None and active:
                    check_state(t, walk[:-1])
                s = t
        except ModelError as exc:
            rec.error = (exc.site, exc.message, exc.code, list(walk), at)
        rec.length = len(walk)
        return rec


def error_of(rec: Record) -> tuple:
    """(ModelError, states, phase) of a record that ended in a run-time error."""
    site, message, code, states, phase = rec.error
    return ModelError(site, message, code), states, phase


# ---- several processes -------------------------------------------------------------------


def _worker(walker: Walker, me: int, count: int, conn) -> None:
    found: set = set()              # the properties this worker's walks violated
    while True:
        msg = conn.recv()
        if msg[0] == "stop":
            return
        _, first, n, done = msg
        out = []
        for i in range(first, first + n):
            rec = walker.walk(i, frozenset(done | found))
            found.update(name for name, _, _ in rec.events)
            out.append(rec)
        conn.send(out)


def walk_in_processes(walker: Walker, traces: int, workers: int, take, done) -> None:
    """Walks 0..traces-1 on `workers` forked processes, handed to `take(record)` in
    order until it returns True (stop); `done()`: the properties known violated, sent
    with each batch of walks.  Ctrl-C (KeyboardInterrupt) stops the workers and is
    raised again."""
    from .forked import Forked

    batch = max(1, min(64, traces // (workers * 16)))
    pool = Forked(_worker, (walker,), workers)
    pending: dict = {}              # first walk of a batch -> its records
    following = 0                   # the next walk to hand to a worker
    expected = 0                    # the next walk to take

    def send(conn) -> None:
        nonlocal following
        if following < traces:
            n = min(batch, traces - following)
            conn.send(("walk", following, n, done()))
            following += n

    stopped = False
    try:
        for conn in pool.conns:    # two batches each: a worker never waits for the parent
            send(conn)
            send(conn)
        while expected < traces and not stopped:
            for conn in wait(pool.conns, timeout=0.2):
                recs = conn.recv()
                pending[recs[0].index] = recs
                send(conn)
            while expected in pending and not stopped:
                for rec in pending.pop(expected):
                    expected += 1
                    if take(rec):
                        stopped = True
                        break
            if not stopped and take(None):      # (a chance to stop between batches)
                stopped = True
    finally:
        pool.close(force=True)
