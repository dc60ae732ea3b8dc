"""The history checkers against a brute-force reference on random small histories.

The reference states each definition directly (docs/history.md): it pairs the events
itself, tries every subset of the indeterminate writes as "took effect", every
permutation of the operations, and (for causal consistency) every writes-into choice and
every per-process view.  Histories are realistic: events in real-time order, at most one
pending operation per process, failed and indeterminate (info or still pending)
operations, reads returning the initial value or a value some write was invoked with
(so both verdicts are common).  The witnesses the checkers return are checked against
the definitions too.
"""

from __future__ import annotations

import collections
import itertools
import random

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stateline.history import (causally_consistent, check, linearizable,
                               sequentially_consistent)

EXAMPLES = 300
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# -- the reference ---------------------------------------------------------------------

class Op:
    def __init__(self, n, process, f, value, invoke):
        self.n, self.process, self.f, self.value, self.invoke = n, process, f, value, invoke
        self.ret, self.status = None, "info"

    def __repr__(self):
        return f"Op{self.n}"


def operations(events):
    pending, ops = {}, []
    for i, (p, t, f, v) in enumerate(events):
        if t == "invoke":
            pending[p] = Op(len(ops), p, f, v, i)
            ops.append(pending[p])
        else:
            op = pending.pop(p)
            op.status, op.ret = t, i
            if f == "read":
                op.value = v if t == "ok" else None
    return ops


def realtime(a, b):
    """a returned before b was invoked."""
    return a.status == "ok" and a.ret < b.invoke


def program(a, b):
    return a.process == b.process and realtime(a, b)


def legal(seq, initial):
    value = initial
    for op in seq:
        if op.f == "write":
            value = op.value
        elif op.value != value:
            return False
    return True


def respects(seq, before):
    return not any(before(b, a) for i, a in enumerate(seq) for b in seq[i + 1:])


def scenarios(ops):
    """(ok operations + chosen indeterminate writes) for every choice."""
    certain = [op for op in ops if op.status == "ok"]
    optional = [op for op in ops if op.status == "info" and op.f == "write"]
    for k in range(len(optional) + 1):
        for chosen in itertools.combinations(optional, k):
            yield certain + list(chosen)


def reference_total_order(events, initial, before) -> bool:
    return any(respects(seq, before) and legal(seq, initial)
               for nodes in scenarios(operations(events))
               for seq in itertools.permutations(nodes))


def reference_linearizable(events, initial):
    return reference_total_order(events, initial, realtime)


def reference_sequential(events, initial):
    return reference_total_order(events, initial, program)


BOTTOM = "⊥"


def reference_causal(events, initial) -> bool:
    ops = operations(events)
    processes = {op.process for op in ops}
    for nodes in scenarios(ops):
        writes = [op for op in nodes if op.f == "write"]
        reads = [op for op in nodes if op.f == "read"]
        options = [[w for w in writes if w.value == r.value]
                   + [BOTTOM] * (r.value == initial) for r in reads]
        for choice in itertools.product(*options):
            wi = dict(zip(reads, choice))
            co = {(a, b) for a in nodes for b in nodes if program(a, b)}
            co |= {(w, r) for r, w in wi.items() if w is not BOTTOM}
            changed = True
            while changed:                      # transitive closure
                extra = {(a, d) for a, b in co for c, d in co if b is c} - co
                changed = bool(extra)
                co |= extra
            if any(a is b for a, b in co):
                continue
            if all(_has_view(p, writes, reads, wi, co) for p in processes):
                return True
    return False


def _has_view(p, writes, reads, wi, co):
    mine = [r for r in reads if r.process == p]
    for seq in itertools.permutations(writes + mine):
        if not respects(seq, lambda a, b: (a, b) in co):
            continue
        last, good = BOTTOM, True
        for op in seq:
            if op.f == "write":
                last = op
            elif wi[op] is not last:
                good = False
                break
        if good:
            return True
    return False


# -- random histories --------------------------------------------------------------------

def generate(choose, max_ops=6, views=False):
    """A random history; `choose(options)` picks one of a list (hypothesis or random).

    Events are in real-time order and a process has at most one pending operation.
    By default operations complete ok, fail or info or stay pending, and a read returns
    the initial value or a value some write in the history writes (now and then one that
    no write writes).  With `views`, every
    operation completes ok, each process writes once and then reads, and reads return the
    initial value or a value another process wrote: the shape of the histories where the
    models differ (causally but not sequentially consistent ones are rare otherwise).
    """
    processes = choose([2, 3])
    total = choose(list(range(3 if views else 1, max_ops + 1)))
    initial = choose([0, None])
    distinct = choose([False, True])
    pool = [1, 2] if initial is None else [0, 1, 2]
    events, pending, invoked, writers = [], {}, 0, {}
    while True:
        moves = [("complete", p) for p in sorted(pending)]
        if invoked < total:
            moves += [("invoke", p) for p in range(processes) if p not in pending]
        else:
            moves.append(("stop", None))        # whatever is pending stays pending
        kind, p = choose(moves)
        if kind == "stop":
            break
        if kind == "invoke":
            f = ("write" if p not in writers else "read") if views else choose(["read", "write"])
            value = None
            if f == "write":
                value = invoked + 10 if distinct else choose(pool)
                writers.setdefault(p, []).append(value)
            events.append([p, "invoke", f, value])
            pending[p] = (f, value)
            invoked += 1
        else:
            f, value = pending.pop(p)
            status = "ok" if views else choose(["ok", "ok", "ok", "fail", "info"])
            events.append([p, status, f, value if f == "write" else None])
        if invoked == total and not pending:
            break
    for e in events:                        # the values the reads return
        if e[1:3] == ["ok", "read"]:
            values = [v for q, vs in writers.items() if not views or q != e[0]
                      for v in vs]
            if not views and choose([False] * 7 + [True]):
                values = [99]                   # now and then a value nobody wrote
            e[3] = choose([initial] + values)
    return tuple(map(tuple, events)), initial


@st.composite
def histories(draw, max_ops=6, views=False):
    return generate(lambda options: draw(st.sampled_from(options)), max_ops, views)


# -- the cross-checks ----------------------------------------------------------------------

@SETTINGS
@given(histories())
def test_linearizable_matches_reference(case):
    events, initial = case
    expected = reference_linearizable(events, initial)
    event(f"linearizable: {expected}")
    assert linearizable(events, initial) == expected
    result = check(events, "linearizable", initial)
    assert result.ok == expected
    if expected:
        _valid_order(events, initial, result.witness, realtime)


@SETTINGS
@given(histories())
def test_sequential_matches_reference(case):
    events, initial = case
    expected = reference_sequential(events, initial)
    event(f"sequentially consistent: {expected}")
    assert sequentially_consistent(events, initial) == expected
    result = check(events, "sequential", initial)
    assert result.ok == expected
    if expected:
        _valid_order(events, initial, result.witness, program)


@SETTINGS
@given(histories())
def test_causal_matches_reference(case):
    events, initial = case
    expected = reference_causal(events, initial)
    event(f"causally consistent: {expected}")
    assert causally_consistent(events, initial) == expected
    result = check(events, "causal", initial)
    assert result.ok == expected
    if expected:
        _valid_views(events, initial, result.witness)


@SETTINGS
@given(histories(views=True))
def test_sequential_and_causal_match_reference_where_views_differ(case):
    events, initial = case
    seq, cau = reference_sequential(events, initial), reference_causal(events, initial)
    event(f"sequentially consistent: {seq}, causally consistent: {cau}")
    assert sequentially_consistent(events, initial) == seq
    assert causally_consistent(events, initial) == cau


@SETTINGS
@given(histories(max_ops=8))
def test_models_are_ordered_by_strength(case):
    """linearizable => sequentially consistent => causally consistent."""
    events, initial = case
    lin = linearizable(events, initial)
    seq = sequentially_consistent(events, initial)
    cau = causally_consistent(events, initial)
    assert (not lin or seq) and (not seq or cau), (lin, seq, cau)


def _valid_order(events, initial, witness, before):
    """The witness is a legal order of every ok operation (and only possible ones)."""
    ops = operations(events)
    seq = [ops[i] for i in witness]
    assert len(set(witness)) == len(witness)
    assert {op for op in ops if op.status == "ok"} <= set(seq)
    assert all(op.status == "ok" or (op.status == "info" and op.f == "write") for op in seq)
    assert respects(seq, before) and legal(seq, initial)


def _valid_views(events, initial, witness):
    """The views witness causal consistency by the definition: one view per process, each
    of the same writes (every ok write and only possible ones) and that process's ok
    reads; the writes-into choice they imply (the last write before each read) is one
    function, and every view is legal and extends the causal order it induces."""
    ops = operations(events)
    views = {p: [ops[i] for i in view] for p, view in witness}
    assert set(views) == {op.process for op in ops}
    writes = {op for view in views.values() for op in view if op.f == "write"}
    assert {op for op in ops if op.status == "ok" and op.f == "write"} <= writes
    assert all(op.status in ("ok", "info") for op in writes)
    wi = {}
    for p, view in views.items():
        assert len(set(view)) == len(view)
        assert {op for op in view if op.f == "write"} == writes
        assert {op for op in view if op.f == "read"} == \
            {op for op in ops if op.process == p and op.f == "read" and op.status == "ok"}
        assert legal(view, initial)
        last = BOTTOM
        for op in view:
            if op.f == "write":
                last = op
            else:
                wi[op] = last
    nodes = writes | set(wi)
    co = {(a, b) for a in nodes for b in nodes if program(a, b)}
    co |= {(w, r) for r, w in wi.items() if w is not BOTTOM}
    changed = True
    while changed:
        extra = {(a, d) for a, b in co for c, d in co if b is c} - co
        changed = bool(extra)
        co |= extra
    assert not any(a is b for a, b in co)
    for view in views.values():
        assert respects(view, lambda a, b: (a, b) in co)


def test_the_generator_gives_every_verdict():
    """A sanity check on the generator: linearizable, only sequentially consistent, only
    causally consistent and inconsistent histories all come up."""
    rng = random.Random(7)
    seen = collections.Counter()
    for views in (False, True):
        for _ in range(500):
            events, initial = generate(rng.choice, views=views)
            seen[linearizable(events, initial), sequentially_consistent(events, initial),
                 causally_consistent(events, initial)] += 1
    assert set(seen) == {(True, True, True), (False, True, True), (False, False, True),
                         (False, False, False)}, seen
