"""Breadth-first exploration on several processes (`stateline check --workers N`).

Level-synchronous: the visited states are partitioned by the hash of the state, and
each worker process (forked from this one, so it shares the compiled model) owns one
partition's seen-set and the frontier states it owns.  A level is expanded in three
rounds: every worker computes the successors of its frontier states and keeps those it
owns; the others go to their owners in one batch per pair of workers (marshal bytes,
deduplicated per level, each with the smallest (parent index, successor position) that
reached it); every owner keeps the candidates it has not seen, with their smallest
key.  The parent process merges the new states of all workers by that key, which is
the order in which the single-process search (`search.bfs`) numbers them, so state
indices, parents, counts and every counterexample are the ones `--workers 1` gives.

A level in which anything happens besides new states (an invariant, transition
invariant or deadlock violated, a run-time error, the successor cap, a bound reached
within the level, the depth bound) is not decided by the workers: the parent runs that
level with the single-process search, resumed from the level's start
(`SearchOptions.resume` + `one_level`), and either stops where that search stops or
hands the level's new states to their owners and goes on in parallel.  So every stop,
violation and error is the single-process search's own, byte for byte, and the
workers only ever decide the levels where nothing but new states can be found.

Temporal properties under fairness need the labelled graph and run single-process
(`run.run_check` says so); --max-seconds and Ctrl-C stop the run at the end of the last
complete level.  The parent keeps every state (for the counterexamples) as the
single-process search does; each worker keeps its partition's seen-set besides, so
memory is about twice that of `--workers 1`.
"""

from __future__ import annotations

import bisect
import marshal
import time
from array import array

from ..models.model import Model
from .forked import Forked
from .partition import KEY_BITS, Partition, gather
from .search import PROGRESS_EVERY, SearchOptions, SearchResult, bfs

TAG_BITS = 6              # merged keys carry the worker's number (at most 64 workers)
MAX_WORKERS = 1 << TAG_BITS


# ---- the worker process ---------------------------------------------------------------


def _worker(model: Model, canonical, me: int, count: int, conn) -> None:
    part = Partition(model, canonical, me, count)
    while True:
        msg = conn.recv()
        op = msg[0]
        if op == "stop":
            return
        if op == "adopt":          # states of a level the parent ran: [(index, state)]
            part.adopt(msg[1], msg[2], False)
        elif op == "expand":
            _, active, trans, deadlock = msg
            unusual, moves, blobs = part.expand(active, trans, deadlock)
            conn.send((unusual, moves))
            for o in range(count):
                if o != me:
                    conn.send_bytes(blobs[o])
            blobs = None
            conn.send(part.receive(conn.recv(), active))
        elif op == "commit":       # the global indices of this level's new states
            part.commit(msg[1])
        elif op == "rollback":
            part.rollback()


# ---- the parent -----------------------------------------------------------------------


class _Pool(Forked):
    def __init__(self, model: Model, canonical, count: int):
        super().__init__(_worker, (model, canonical), count)

    def owner(self, t) -> int:
        return hash(t) % self.count

    def adopt(self, states: list, lo: int, hi: int, everything_from: int) -> None:
        """Give each worker its states of indices everything_from..hi (seen), of which
        lo..hi are the frontier."""
        seen_only: list[list] = [[] for _ in range(self.count)]
        front: list[list] = [[] for _ in range(self.count)]
        for j in range(everything_from, hi):
            t = states[j]
            (front if j >= lo else seen_only)[self.owner(t)].append((j, t))
        for w, conn in enumerate(self.conns):
            if seen_only[w]:
                conn.send(("adopt", marshal.dumps(seen_only[w]), False))
            conn.send(("adopt", marshal.dumps(front[w]), True))

    def level(self, active: int, trans: int, deadlock: bool):
        """Expand every frontier: None when the level is unusual, else per worker
        (keys, states) of its new states in key order, and the transitions."""
        for conn in self.conns:
            conn.send(("expand", active, trans, deadlock))
        unusual, moves = False, 0
        outboxes = []
        for conn in self.conns:
            u, m = conn.recv()
            unusual |= u
            moves += m
            outboxes.append([conn.recv_bytes() for _ in range(self.count - 1)])
        for w, conn in enumerate(self.conns):
            if unusual:
                conn.send(None)
                continue
            inbox = []
            for o in range(self.count):
                if o != w:
                    inbox.append(outboxes[o][w if w < o else w - 1])
            conn.send(inbox)
        outboxes = None
        return gather(self, (conn.recv() for conn in self.conns), unusual, moves)

    def commit(self, indices: list) -> None:
        for w, conn in enumerate(self.conns):
            conn.send(("commit", indices[w].tobytes()))

    def rollback(self) -> None:
        for conn in self.conns:
            conn.send(("rollback",))


def _next_check(next_check: int, prior: int, parents_of_new: list, first: int) -> int:
    """Where the single-process search's next bound check falls after this level: it
    checks after each expanded state once the count reaches `next_check`."""
    total = len(parents_of_new)
    while True:
        need = next_check - prior
        if need > total:
            return next_check
        p = first if need <= 0 else parents_of_new[need - 1]
        next_check = prior + bisect.bisect_right(parents_of_new, p) + PROGRESS_EVERY


def bfs_parallel(model: Model, options: SearchOptions, workers: int,
                 pool_factory=None) -> SearchResult:
    """`search.bfs` with `workers` processes: the same result (see the module's
    docstring), but for --max-seconds and Ctrl-C, which stop at a level's end.
    `pool_factory(model, canonical, workers)`: the workers (default: forked processes;
    `checker/cluster`: Ray actors), with the methods of `_Pool`."""
    started = time.perf_counter()
    one = SearchOptions(options.max_states, options.max_depth, None, options.check_deadlock,
                        options.canonical, False, None, None, options.resume,
                        options.exhaustive, one_level=True)
    result = bfs(model, one)          # the initial states and the first level
    if result.stop != "paused":
        result.seconds = time.perf_counter() - started
        return result
    snap = result.paused
    states, parents = result.state_list, result.parents
    model.limit_successors(options.max_states)
    pool = (pool_factory or _Pool)(model, options.canonical, workers)
    adopted = 0
    interrupted = False
    levels = 0
    try:
        while True:
            if snap is None:          # the single-process search stopped: its result
                break
            i, level_end = snap["i"], snap["level_end"]
            violated = {name for name, *_ in snap["violations"]}
            if adopted < level_end:
                pool.adopt(states, i, level_end, adopted)
                adopted = level_end
            elapsed = time.perf_counter() - started
            if options.progress is not None:
                options.progress(len(states), snap["depth"], elapsed)
            if options.max_seconds is not None and elapsed > options.max_seconds:
                result = _stopped(result, snap, "max-seconds")
                break
            if options.checkpoint is not None and options.checkpoint.due():
                options.checkpoint.save({**snap, "graph": None, "units": None})
            at_bound = options.max_depth is not None and snap["depth"] >= options.max_depth
            parts = None
            if not at_bound and i < level_end:
                trans = sum(1 << k for k, (p, _) in enumerate(model.transitions)
                            if p.name not in violated)
                deadlock = options.check_deadlock and "DeadlockFreedom" not in violated
                parts, moves = pool.level(snap["active"], trans, deadlock)
            if parts is not None:
                merged = _merge(parts, states, parents, workers)
                count = len(merged)
                if options.max_states is not None and level_end + count >= options.max_states:
                    # (the bound falls inside this level: the single-process search)
                    del states[level_end:]
                    del parents[level_end:]
                    pool.rollback()
                    parts = None
                else:
                    pool.commit(merged.indices)
                    snap = {**snap, "transitions": snap["transitions"] + moves,
                            "depth": snap["depth"] + 1, "i": level_end,
                            "level_end": len(states),
                            "next_check": _next_check(snap["next_check"], level_end,
                                                      merged.parent_list, i)}
                    adopted = len(states)
                    levels += 1
                    if i == level_end or len(states) == level_end:
                        result = _finished(result, snap, states, parents)
                        break
                    continue
            # An unusual level (or one at the depth bound): the single-process search.
            resumed = bfs(model, SearchOptions(
                options.max_states, options.max_depth, None, options.check_deadlock,
                options.canonical, False, None, None,
                {**snap, "states": states, "parents": parents, "graph": None,
                 "units": None}, options.exhaustive, one_level=True))
            result = resumed
            states, parents = result.state_list, result.parents
            snap = result.paused if result.stop == "paused" else None
    except KeyboardInterrupt:
        interrupted = True
        result = _stopped(result, snap, "interrupted") if snap is not None else result
        result.stop = "interrupted"
    finally:
        pool.close(force=interrupted)
        model.limit_successors(None)
    result.seconds = time.perf_counter() - started
    result.parallel_levels = levels
    return result


class _Merged:
    def __init__(self, indices, parent_list, count):
        self.indices, self.parent_list, self.count = indices, parent_list, count

    def __len__(self):
        return self.count


def _merge(parts, states: list, parents: array, workers: int) -> _Merged:
    """Append the level's new states (every worker's, by key) to states and parents;
    the global index of each worker's states, in its order."""
    tagged = []
    lists = []
    for w, (keys, blob) in enumerate(parts):
        a = array("q")
        a.frombytes(keys)
        tagged.extend((k << TAG_BITS) | w for k in a)
        lists.append(iter(marshal.loads(blob)))
    tagged.sort()
    base = len(states)
    indices = [array("q") for _ in range(workers)]
    parent_list = []
    mask = MAX_WORKERS - 1
    for pos, x in enumerate(tagged, base):
        w = x & mask
        indices[w].append(pos)
        states.append(next(lists[w]))
        p = x >> (TAG_BITS + KEY_BITS)
        parents.append(p)
        parent_list.append(p)
    return _Merged(indices, parent_list, len(tagged))


def _finished(result: SearchResult, snap: dict, states: list, parents: array) -> SearchResult:
    """The result of a search whose last level found no new state."""
    out = SearchResult(len(states), snap["transitions"], snap["depth"] - 1, 0.0, "complete")
    out.state_list, out.parents = states, parents
    out.violations = result.violations
    return out


def _stopped(result: SearchResult, snap: dict, stop: str) -> SearchResult:
    """The result of a search stopped at the start of the level `snap` begins (a level
    half merged when the interrupt came is taken back)."""
    out = SearchResult(snap["level_end"], snap["transitions"], snap["depth"], 0.0, stop)
    out.state_list, out.parents = snap["states"], snap["parents"]
    del out.state_list[snap["level_end"]:]
    del out.parents[snap["level_end"]:]
    out.violations = result.violations
    return out
