"""A fault-injecting simulator of a replicated object, for history benchmarks and tests.

A primary applies the clients' operations one at a time and copies its state to the
backups; clients (Jepsen's processes) call it over a network that partitions and
lose their connection or crash.  Each operation is invoked at some time, takes effect at
the primary at a later time (if its request gets through) and returns later still (if
the answer gets through), so a correct run is linearizable by construction: every
operation takes effect at one instant between its invoke and its return.  Faults:

- a *partition* cuts a random set of clients off the primary for a while: a request
  sent then is lost (the operation times out, ``info``, and never takes effect) or its
  answer is (``info``, but it did take effect); the client goes on as a new process,
  as in Jepsen;
- a client *crashes* now and then in the middle of an operation (``info``; it may or may
  not have taken effect) and comes back as a new process, numbered as Jepsen numbers
  them (the old number plus the number of clients).

Bugs (``bug=``), to make histories that are not linearizable:

- ``"stale-reads"``: reads are served by a backup that lags the primary by a little
  while, so a read may miss a write that returned before it was invoked;
- ``"lost-writes"``: when a partition heals, the primary is replaced by a backup that
  missed the last few updates, which are lost although they were acknowledged.

    events = simulate("cas-register", operations=1000, processes=10, keys=1, seed=1)

The data types and their operations are those of `stateline.history.datatypes`; values
written are small integers (0-4, as in Jepsen's etcd test), strings appended for the
kv store, distinct integers for sets and queues.  Events are 4-tuples, 5-tuples (with
the key) for ``kv``.  Deterministic for a seed.

`hard_kv` builds, without simulation, a kv history whose every key takes the search a
long time (for tests of timeouts and of stopping workers).
"""

from __future__ import annotations

import random

from stateline.history.datatypes import DATATYPES

MIX = {
    "register": [("read", 1), ("write", 1)],
    "cas-register": [("read", 2), ("write", 1), ("cas", 2)],
    "kv": [("get", 2), ("put", 1), ("append", 2)],
    "set": [("add", 4), ("read", 1)],
    "queue": [("enqueue", 1), ("dequeue", 1)],
}
BUGS = ("stale-reads", "lost-writes")


class _Op:
    __slots__ = ("process", "f", "value", "key", "invoke", "apply", "complete", "status",
                 "result")

    def __init__(self, process, f, value, key, invoke):
        self.process, self.f, self.value, self.key = process, f, value, key
        self.invoke, self.apply, self.complete = invoke, None, None
        self.status, self.result = "ok", None


def simulate(model: str, operations: int, processes: int, keys: int = 1, seed: int = 0,
             bug: str | None = None, partitions: float = 0.02, crashes: float = 0.005,
             lag: float = 3.0) -> tuple:
    """A history of `operations` operations by `processes` concurrent clients."""
    if bug not in (None,) + BUGS:
        raise ValueError(f"unknown bug {bug!r}")
    rng = random.Random(seed)
    datatype = DATATYPES[model]
    fs = [f for f, w in MIX[model] for _ in range(w)]
    key_names = [str(k) for k in range(keys)]
    clock = [rng.random() for _ in range(processes)]        # when each client is free
    number = list(range(processes))                         # each client's process number
    cut: list[tuple[float, float, frozenset]] = []          # partitions (from, to, clients)
    ops: list[_Op] = []
    counter = 0
    while len(ops) < operations:
        c = min(range(processes), key=clock.__getitem__)
        now = clock[c]
        if rng.random() < partitions:                       # a partition starts now
            length = rng.uniform(2, 10)
            cut.append((now, now + length,
                        frozenset(rng.sample(range(processes), max(1, processes // 2)))))
        f = rng.choice(fs)
        counter += 1
        value = _argument(model, f, rng, counter)
        op = _Op(number[c], f, value, rng.choice(key_names) if datatype.keyed else None, now)
        ops.append(op)
        arrive = now + rng.uniform(0.05, 1.0)
        answer = arrive + rng.uniform(0.05, 1.0)
        if rng.random() < crashes:                          # the client crashes
            op.status = "info"
            op.apply = arrive if rng.random() < 0.5 else None
            op.complete = answer
            number[c] += processes
            clock[c] = answer + rng.uniform(1, 3)
            continue
        if _cut(cut, c, arrive):                            # request lost
            op.status, op.apply, op.complete = "info", None, now + 5.0
        elif _cut(cut, c, answer):                          # answer lost
            op.status, op.apply, op.complete = "info", arrive, now + 5.0
        else:
            op.apply, op.complete = arrive, answer
        if op.status == "info":         # Jepsen gives the client a new process
            number[c] += processes
        clock[c] = op.complete + rng.uniform(0.0, 0.5)
    _run(ops, datatype, cut, bug, lag, rng)
    return _events(ops, datatype.keyed)


def _argument(model, f, rng, counter):
    if f in ("read", "get", "dequeue"):
        return None
    if f == "cas":
        return (rng.randrange(5), rng.randrange(5))
    if model in ("set", "queue"):
        return counter
    if f == "append":
        return f"{counter} "
    if model == "kv":
        return f"{counter} "
    return rng.randrange(5)


def _cut(cut, client, t) -> bool:
    return any(a <= t < b and client in who for a, b, who in cut)


def _run(ops, datatype, cut, bug, lag, rng):
    """Apply the operations at the primary in the order they arrive; give each its
    result (and a cas its outcome)."""
    initial = datatype.initial_state(None if datatype.name not in ("register", "cas-register")
                                     else 0)
    state: dict = {}
    history: dict = {}          # key -> [(time, state)] for stale reads
    heals = sorted(b for _, b, _ in cut)
    next_heal = 0
    applied = sorted((op for op in ops if op.apply is not None), key=lambda o: o.apply)
    for op in applied:
        while bug == "lost-writes" and next_heal < len(heals) and heals[next_heal] <= op.apply:
            # failover: the new primary missed the updates of the last `lag` time units
            t = heals[next_heal]
            for key, past in history.items():
                older = [s for when, s in past if when <= t - lag]
                state[key] = older[-1] if older else initial
            next_heal += 1
        current = state.get(op.key, initial)
        seen = current
        if bug == "stale-reads" and op.f in ("read", "get"):
            past = [s for when, s in history.get(op.key, ()) if when <= op.apply - lag]
            seen = past[-1] if past else initial
        if op.f in ("read", "get"):
            op.result = seen if datatype.name != "set" else tuple(sorted(seen))
            continue
        if op.f == "cas":
            if current != op.value[0]:
                op.status = "fail" if op.status == "ok" else op.status
                continue
            new = op.value[1]
        elif op.f == "dequeue":
            op.result = current[0] if current else None
            new = current[1:]
        else:
            probe = _Probe(op.f, op.value)
            _, new = datatype.step(current, probe)
        state[op.key] = new
        history.setdefault(op.key, []).append((op.apply, new))


class _Probe:
    """An operation as `DataType.step` reads it."""

    __slots__ = ("f", "value", "status")

    def __init__(self, f, value):
        self.f, self.value, self.status = f, value, "ok"


def _events(ops, keyed: bool) -> tuple:
    timed = []
    for n, op in enumerate(ops):
        result = op.result if op.f in ("read", "get", "dequeue") else op.value
        timed.append((op.invoke, 0, n, (op.process, "invoke", op.f, op.value, op.key)))
        done = result if op.status == "ok" else (op.value if op.f == "cas" else None)
        if op.status == "info":
            done = None
        timed.append((op.complete, 1, n, (op.process, op.status, op.f, done, op.key)))
    timed.sort()
    return tuple(e if keyed else e[:4] for _, _, _, e in timed)


def hard_kv(keys: int = 8, easy: int = 500, appends: int = 10) -> tuple:
    """A kv history whose every key is hard: `easy` operations one after the other, then
    `appends` concurrent appends and a get that misses them all, so the search tries
    every order of the appends (as many strings) before it gives up."""
    events = []
    for k in range(keys):
        key = f"k{k}"
        for i in range(easy // 2):
            events += [(0, "invoke", "put", str(i), key), (0, "ok", "put", str(i), key),
                       (0, "invoke", "get", None, key), (0, "ok", "get", str(i), key)]
        events += [(1 + i, "invoke", "append", chr(97 + i), key) for i in range(appends)]
        events += [(1 + i, "ok", "append", chr(97 + i), key) for i in range(appends)]
        events += [(0, "invoke", "get", None, key), (0, "ok", "get", "", key)]
    return tuple(events)
