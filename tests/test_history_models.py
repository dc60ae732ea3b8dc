"""The data types (cas-register, kv, set, queue) against a brute-force reference on
random small histories, and the generic search against the register's own.

The reference states the definitions directly (docs/history.md): it pairs the events
itself, leaves out what did not happen (failed operations other than a cas,
indeterminate reads), tries every subset of the indeterminate operations as "took
effect" and every permutation of the operations that extends the real-time order
(program order for sequential consistency), and runs each permutation through its own
sequential specification of the data type.  A kv history is judged as a whole, on a map
of every key, so the per-key checker is checked against the definition, not against
itself.  Histories come from a simulated object whose operations take effect at their
completion, an indeterminate one half the time, with now and then a wrong result, so
both verdicts are common.  The witnesses the checker returns are checked too.

CI runs EXAMPLES cases per test (derandomized); HISTORY_EXAMPLES=N runs N locally.
"""

from __future__ import annotations

import collections
import itertools
import os
import random

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stateline.history import check, linearizable, pair, sequentially_consistent
from stateline.history import linearizability, wgl
from stateline.history.datatypes import DATATYPES, REGISTER

EXAMPLES = int(os.environ.get("HISTORY_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# -- the reference ----------------------------------------------------------------------

class Op:
    def __init__(self, n, process, f, value, key, invoke):
        self.n, self.process, self.f, self.value, self.key = n, process, f, value, key
        self.invoke, self.ret, self.status = invoke, None, "info"


def operations(events):
    pending, ops = {}, []
    for i, e in enumerate(events):
        p, t, f, v = e[:4]
        key = e[4] if len(e) > 4 else None
        if t == "invoke":
            pending[p] = Op(len(ops), p, f, v, key, i)
            ops.append(pending[p])
        else:
            op = pending.pop(p)
            op.status, op.ret = t, i
            if f in ("read", "get", "dequeue"):
                op.value = v if t == "ok" else None
    return ops


def apply(model, state, op):
    """The state after `op` (with its outcome), or None if `op` is illegal there.  States
    are dicts {key: value} (one key, None, for the single-object models)."""
    value = state.get(op.key, INITIAL[model])
    f, v, s = op.f, op.value, op.status
    if f in ("read", "get"):
        if model == "set":
            return state if set(value) == set(v) else None
        if model == "kv" and value is None and v in ("", ()):
            return state                    # a key never written reads as empty
        return state if value == v else None
    if f in ("write", "put"):
        new = v
    elif f == "cas":
        if s == "fail":
            return state if value != v[0] else None
        if value != v[0]:
            return None if s == "ok" else state
        new = v[1]
    elif f == "append":
        if isinstance(v, str):
            if isinstance(value, tuple):
                return None                 # a string cannot go on a list
            new = (value or "") + v
        else:
            if isinstance(value, str):
                return None                 # nor a number on a string
            new = tuple(value or ()) + (v,)
    elif f == "add":
        new = tuple(sorted(set(value) | {v}))
    elif f == "enqueue":
        new = value + (v,)
    else:                                           # dequeue
        if s != "ok":
            new = value[1:]
        elif v is None:
            return state if not value else None
        elif not value or value[0] != v:
            return None
        else:
            new = value[1:]
    return {**state, op.key: new}


INITIAL = {"register": 0, "cas-register": 0, "kv": None, "set": (), "queue": ()}


def happened(op) -> str:
    """"must", "maybe" or "no" by the outcome alone."""
    if op.status == "ok" or (op.status == "fail" and op.f == "cas"):
        return "must"
    if op.status == "fail" or op.f in ("read", "get"):
        return "no"
    return "maybe"


def realtime(a, b):
    return a.status in ("ok", "fail") and a.ret < b.invoke


def program(a, b):
    return a.process == b.process and realtime(a, b)


def reference(events, model, before) -> bool:
    ops = operations(events)
    must = [op for op in ops if happened(op) == "must"]
    maybe = [op for op in ops if happened(op) == "maybe"]
    for k in range(len(maybe) + 1):
        for chosen in itertools.combinations(maybe, k):
            for seq in itertools.permutations(must + list(chosen)):
                if any(before(b, a) for i, a in enumerate(seq) for b in seq[i + 1:]):
                    continue
                state = {}
                for op in seq:
                    state = apply(model, state, op)
                    if state is None:
                        break
                else:
                    return True
    return False


def legal_witness(events, model, order, before):
    ops = operations(events)
    seq = [ops[i] for i in order]
    assert len(set(order)) == len(order)
    assert {op for op in ops if happened(op) == "must"} <= set(seq)
    assert all(happened(op) != "no" for op in seq)
    assert not any(before(b, a) for i, a in enumerate(seq) for b in seq[i + 1:])
    state = {}
    for op in seq:
        state = apply(model, state, op)
        assert state is not None


# -- random histories from a simulated object --------------------------------------------

def generate(model, choose, max_ops=6):
    """A history of `model`: operations take effect when they complete (an indeterminate
    one half the time); one result in four is replaced by a random one."""
    processes = choose([2, 3])
    total = choose(list(range(1, max_ops + 1)))
    keys = ["a", "b"] if model == "kv" else [None]
    state, events, pending, invoked = {}, [], {}, 0
    functions = {"register": ["read", "write"], "cas-register": ["read", "write", "cas"],
                 "kv": ["get", "put", "append"], "set": ["add", "read"],
                 "queue": ["enqueue", "dequeue"]}[model]
    while True:
        moves = [("complete", p) for p in sorted(pending)]
        if invoked < total:
            moves += [("invoke", p) for p in range(processes) if p not in pending]
        else:
            moves.append(("stop", None))
        kind, p = choose(moves)
        if kind == "stop":
            break
        key = choose(keys)
        if kind == "invoke":
            f = choose(functions)
            value = None
            if f in ("write", "put", "add", "enqueue"):
                value = choose([1, 2]) if model != "kv" else choose(["x", "y"])
            elif f == "append":             # (a number appends to a list)
                value = choose(["x", "y", "x", "y", 1])
            elif f == "cas":
                value = (choose([0, 1, 2]), choose([1, 2]))
            pending[p] = Op(0, p, f, value, key, 0)
            events.append(_event(model, p, "invoke", f, value, key))
            invoked += 1
            continue
        op = pending.pop(p)
        outcome = choose(["ok", "ok", "ok", "ok", "info", "fail"])
        if outcome == "info":
            if op.f not in ("read", "get") and choose([True, False]) \
                    and apply(model, state, op) is not None:
                state = apply(model, state, op)
            events.append(_event(model, p, "info", op.f, None, op.key))
            continue
        result = op.value
        current = state.get(op.key, INITIAL[model])
        if op.f in ("read", "get"):
            result = current if model != "set" else tuple(sorted(current))
        elif op.f == "dequeue":
            result = current[0] if current else None
        elif op.f == "cas":
            outcome = "ok" if current == op.value[0] else "fail"
        if outcome == "fail" and op.f != "cas":
            events.append(_event(model, p, "fail", op.f, None, op.key))
            continue
        op.status, op.value = outcome, result if op.f in ("read", "get", "dequeue") else op.value
        new = apply(model, state, op)
        if new is not None:
            state = new
        if choose([False] * 3 + [True]):                   # a wrong answer now and then
            if op.f in ("read", "get", "dequeue"):
                result = choose({"kv": ["", "x", "xy", "yx", None, (1,)],
                                 "set": [(), (1,), (1, 2)]}
                                .get(model, [None, 0, 1, 2]))
            elif op.f == "cas":
                outcome = "fail" if outcome == "ok" else "ok"
        events.append(_event(model, p, outcome, op.f, result if op.f in (
            "read", "get", "dequeue") else op.value, op.key))
    return tuple(events)


def _event(model, p, t, f, v, key):
    return (p, t, f, v, key) if model == "kv" else (p, t, f, v)


@st.composite
def histories(draw, model, max_ops=6):
    return generate(model, lambda options: draw(st.sampled_from(options)), max_ops)


def cross_check(model, events, consistency="linearizable"):
    before = realtime if consistency == "linearizable" else program
    initial = INITIAL[model] if model not in ("set", "queue") else None
    expected = reference(events, model, before)
    event(f"{model} {consistency}: {expected}")
    result = check(events, consistency, initial, model)
    assert result.ok == expected, (events, result.explanation)
    if expected:
        order = result.witness
        if model == "kv":
            ops = operations(events)
            for key, key_order in order:
                assert {ops[i].key for i in key_order} <= {key}
            # each key's order is checked against the definition on its own
            for key, key_order in order:
                sub = [e for e in events if e[4] == key]
                index = [op.n for op in ops if op.key == key]
                legal_witness(sub, model, [index.index(i) for i in key_order], before)
        else:
            legal_witness(events, model, order, before)
    else:
        assert result.explanation
    predicate = linearizable if consistency == "linearizable" else sequentially_consistent
    assert predicate(events, initial, model) == expected


@SETTINGS
@given(histories("cas-register"))
def test_cas_register_linearizable_matches_reference(events):
    cross_check("cas-register", events)


@SETTINGS
@given(histories("kv"))
def test_kv_linearizable_matches_reference_on_the_whole_map(events):
    cross_check("kv", events)


@SETTINGS
@given(histories("set"))
def test_set_linearizable_matches_reference(events):
    cross_check("set", events)


@SETTINGS
@given(histories("queue"))
def test_queue_linearizable_matches_reference(events):
    cross_check("queue", events)


@SETTINGS
@given(st.sampled_from(["cas-register", "set", "queue"]).flatmap(
    lambda m: st.tuples(st.just(m), histories(m, max_ops=5))))
def test_sequential_matches_reference(case):
    model, events = case
    cross_check(model, events, "sequential")


@SETTINGS
@given(histories("register", max_ops=7))
def test_generic_search_agrees_with_the_register_search(events):
    """The register has its own search; the generic one, run on the register's data
    type, agrees with it on the verdict and on the frontier of a violation."""
    ops = pair(events)
    own = linearizability.run(ops, 0)
    generic = wgl.search(ops, REGISTER, 0)
    assert (own.order is None) == (generic.order is None)
    if own.order is None and own.frontier >= 0:
        assert own.frontier == generic.frontier


def test_the_generator_gives_both_verdicts():
    """Each model's generated histories are both linearizable and not, at least one time
    in thirteen each."""
    rng = random.Random(5)
    for model in ("cas-register", "kv", "set", "queue"):
        seen = collections.Counter()
        for _ in range(200):
            events = generate(model, rng.choice)
            initial = INITIAL[model] if model not in ("set", "queue") else None
            seen[linearizable(events, initial, model)] += 1
        assert min(seen[True], seen[False]) >= 15, (model, seen)


def test_every_model_is_listed():
    assert set(DATATYPES) == set(INITIAL)
