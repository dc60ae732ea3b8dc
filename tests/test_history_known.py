"""The history checkers on hand-made histories with known verdicts, and the Python API."""

from __future__ import annotations

import pytest

from stateline.history import (MODELS, HistoryError, causally_consistent, check,
                               linearizable, pair, sequentially_consistent)
from stateline.history import result as result_module

R, W = "read", "write"


def inv(p, f, v=None):
    return (p, "invoke", f, v)


def ok(p, f, v=None):
    return (p, "ok", f, v)


def fail(p, f, v=None):
    return (p, "fail", f, v)


def info(p, f, v=None):
    return (p, "info", f, v)


def write(p, v):
    """A write that runs alone: invoke, then ok."""
    return [inv(p, W, v), ok(p, W, v)]


def read(p, v):
    return [inv(p, R), ok(p, R, v)]


def seq(*parts):
    return tuple(e for part in parts for e in (part if isinstance(part, list) else [part]))


# (name, history, initial, linearizable, sequentially consistent, causally consistent)
CASES = [
    ("empty", (), 0, True, True, True),
    ("one write", seq(write(0, 1)), 0, True, True, True),
    ("read the initial value", seq(read(0, 0)), 0, True, True, True),
    ("initial None by default", seq(read(0, None), write(1, 1), read(0, 1)), None,
     True, True, True),
    ("write then read it", seq(write(0, 1), read(1, 1)), 0, True, True, True),
    # The textbook stale read: the write completed before the read began, yet the read
    # returns the old value.  Sequentially consistent (order the read first), not
    # linearizable (real time forbids it).
    ("stale read", seq(write(0, 1), read(1, 0)), 0, False, True, True),
    ("a value nobody wrote", seq(write(0, 1), read(1, 3)), 0, False, False, False),
    ("read concurrent with a write sees the new value",
     (inv(0, W, 1), inv(1, R), ok(1, R, 1), ok(0, W, 1)), 0, True, True, True),
    ("read concurrent with a write sees the old value",
     (inv(0, W, 1), inv(1, R), ok(1, R, 0), ok(0, W, 1)), 0, True, True, True),
    ("two reads concurrent with a write disagree in real time",
     (inv(0, W, 1), inv(1, R), ok(1, R, 1), inv(2, R), ok(2, R, 0), ok(0, W, 1)), 0,
     False, True, True),
    # Two processes observe two concurrent writes in opposite orders: causal memory
    # allows it, a single order of the writes (sequential consistency) does not.
    ("concurrent writes seen in different orders",
     seq(write(0, 1), write(1, 2), read(2, 1), read(2, 2), read(3, 2), read(3, 1)), 0,
     False, False, True),
    # Each process writes, then reads the other's value: no single order explains both.
    ("each reads the other's write",
     (inv(0, W, 1), inv(1, W, 2), ok(0, W, 1), ok(1, W, 2), inv(0, R), inv(1, R),
      ok(0, R, 2), ok(1, R, 1)), 0, False, False, True),
    # Writes of one process seen in the reverse of its program order: not even causal.
    ("program order of writes reversed",
     seq(write(0, 1), write(0, 2), read(1, 2), read(1, 1)), 0, False, False, False),
    # w(1) -> r(1) -> w(2) by process 1: w(1) causally precedes w(2), so a process that
    # sees 2 and then 1 violates causality.
    ("causality through a read",
     seq(write(0, 1), read(1, 1), write(1, 2), read(2, 2), read(2, 1)), 0,
     False, False, False),
    ("the initial value after a causally preceding write",
     seq(write(0, 1), read(1, 1), read(1, 0)), 0, False, False, False),
    ("own write then the initial value",
     seq(write(0, 1), read(0, 0)), 0, False, False, False),
    # Indeterminate writes.
    ("an info write that must have happened",
     (inv(0, W, 1), info(0, W, 1), inv(1, R), ok(1, R, 1)), 0, True, True, True),
    ("an info write that may not have happened",
     (inv(0, W, 1), info(0, W, 1), inv(1, R), ok(1, R, 0)), 0, True, True, True),
    ("an info write takes effect after its invoke, never before",
     seq(read(1, 1), inv(0, W, 1), info(0, W, 1)), 0, False, True, True),
    ("an info write may take effect long after it timed out",
     (inv(0, W, 1), info(0, W, 1), *read(1, 0), *read(1, 0), *read(1, 1)), 0,
     True, True, True),
    ("an info write happens at most once",
     (inv(0, W, 1), info(0, W, 1), *write(1, 2), *read(2, 1), *read(2, 2), *read(2, 1)), 0,
     False, False, False),
    ("a process continues after an info; the info write may land after its next write",
     (inv(0, W, 1), info(0, W, 1), *write(0, 2), *read(1, 2), *read(1, 1)), 0,
     True, True, True),
    ("pending at the end counts as info",
     (inv(0, W, 1), *read(1, 1)), 0, True, True, True),
    ("a pending read constrains nothing",
     (inv(0, R), *write(1, 1), *read(1, 1)), 0, True, True, True),
    # Failed writes did not happen.
    ("a failed write is never read", (inv(0, W, 1), fail(0, W, 1), *read(1, 1)), 0,
     False, False, False),
    ("a failed write is ignored", (inv(0, W, 1), fail(0, W, 1), *read(1, 0)), 0,
     True, True, True),
    ("a failed read is ignored", (inv(0, R), fail(0, R), *write(1, 1), *read(0, 1)), 0,
     True, True, True),
    # Duplicate values: a read may have read from either write of the value.
    ("a duplicate value explains a later read",
     seq(write(0, 1), write(0, 2), write(1, 1), read(2, 2), read(2, 1)), 0,
     False, True, True),
    ("without the duplicate it is not even causal",
     seq(write(0, 1), write(0, 2), read(2, 2), read(2, 1)), 0, False, False, False),
    ("a write of the initial value",
     seq(write(0, 1), write(1, 0), read(2, 1), read(2, 0)), 0, False, True, True),
    ("the initial value cannot come back without a write of it",
     seq(write(0, 1), write(1, 2), read(2, 1), read(2, 0)), 0, False, False, False),
    # Tuples as processes and values, as generated model code passes them.
    ("tuple processes and values",
     seq(write(("c", 1), (1, 2)), read(("c", 2), (1, 2))), (0, 0), True, True, True),
]


@pytest.mark.parametrize("name, events, initial, lin, sc, cc", CASES,
                         ids=[c[0] for c in CASES])
def test_known_verdicts(name, events, initial, lin, sc, cc):
    assert (lin, sc) != (True, False) and (sc, cc) != (True, False), "the case is wrong"
    assert linearizable(events, initial) is lin
    assert sequentially_consistent(events, initial) is sc
    assert causally_consistent(events, initial) is cc
    for model, expected in zip(MODELS, (lin, sc, cc)):
        result = check(events, model, initial)
        assert result.ok is expected and result.consistency == model
        assert (result.witness is None) is (not expected)
        assert result.explanation


def test_stale_read_explanation_names_the_read():
    events = seq(write(0, 1), read(1, 0))
    result = check(events, "linearizable", 0)
    assert result.explanation.startswith("op 1 (process 1: read -> 0, events 2-3)")
    assert "events 0-2 have a linearization" in result.explanation
    sc = check(events, "sequential", 0)
    assert sc.witness == (1, 0) and sc.explanation == "serialization: op 1, op 0"


def test_failed_write_explanation():
    # The read can only have read the write that turns out to fail; the later write of
    # the same value begins after the read returned.
    events = (inv(0, W, 1), *read(1, 1), fail(0, W, 1), *write(2, 1))
    assert linearizable(events[:3], 0) and not linearizable(events[:4], 0)
    # The explanation uses the outcomes the whole history records (the frontier of the
    # search): the write that is in progress at event 2 fails later, so it cannot explain
    # the read, and the read is the operation that cannot be placed.
    result = check(events, "linearizable", 0)
    assert result.explanation == (
        "op 1 (process 1: read -> 1, events 1-2) cannot take effect between its invoke and "
        "its return: events 0-1 have a linearization, but none lets op 1 read 1 before it "
        "returns at event 2")
    assert (result.failure.stuck, result.failure.frontier, result.failure.prefix) == \
        (1, 2, ())
    result = check(events[:4], "sequential", 0)
    assert result.explanation == (
        "op 1 (process 1: read -> 1, events 1-2) returns a value that only failed writes "
        "wrote (op 0) and that is not the initial value 0")


def test_thin_air_explanation():
    result = check(seq(write(0, 1), read(1, 3)), "causal", 0)
    assert result.explanation == ("op 1 (process 1: read -> 3, events 2-3) returns a value "
                                  "that no write wrote and that is not the initial value 0")


def test_sequential_explanation_names_the_blocked_reads():
    events = seq(write(0, 1), write(1, 2), read(2, 1), read(2, 2), read(3, 2), read(3, 1))
    why = check(events, "sequential", 0).explanation
    assert why.startswith("no order of the operations respects program order and is "
                          "legal: the longest order found")
    assert "leaves the register holding 2" in why
    assert why.endswith("read of another value: op 5 (process 3: read -> 1, events 10-11)")
    # when the history is not even causally consistent, that is the explanation
    events = seq(write(0, 1), write(0, 2), read(1, 2), read(1, 1))
    why = check(events, "sequential", 0).explanation
    assert why.startswith("not even causally consistent: process 1 has no view")


def test_causal_explanation_names_the_cycle():
    events = seq(write(0, 1), read(1, 1), write(1, 2), read(2, 2), read(2, 1))
    why = check(events, "causal", 0).explanation
    assert why.startswith("process 2 has no view ordering the writes: it must see ")
    assert "op 2 (process 1: write 2, events 4-5) before op 0 (process 0: write 1, " \
           "events 0-1) because op 2 causally precedes op 4 (process 2: read -> 1, " \
           "events 8-9), which reads from op 0" in why
    assert "op 0 before op 2 because op 0 causally precedes op 2" in why


def test_causal_explanation_for_a_cyclic_causal_order():
    # Each process reads the value the other writes after its read: w -> r -> w -> r.
    events = (inv(0, R), inv(1, R), ok(0, R, 2), ok(1, R, 1), *write(0, 1), *write(1, 2))
    result = check(events, "causal", 0)
    assert not result.ok
    assert result.explanation.startswith("the causal order has a cycle: ")
    assert "op 0 precedes op 2 in process 0's program order" in result.explanation
    assert "op 0 reads from op 3" in result.explanation


def test_causal_explanation_with_duplicates_names_the_choice():
    events = seq(write(0, 1), write(1, 1), write(0, 2), read(2, 2), read(2, 1), read(3, 1),
                 write(3, 3), read(2, 3))
    # process 2 reads 2, 1, 3; op 6 (process 3's write 3) follows its read of 1.
    result = check(events, "causal", 0)
    assert result.ok, result.explanation
    bad = seq(write(0, 1), write(0, 1), write(0, 2), read(1, 2), read(1, 1))
    result = check(bad, "causal", 0)
    assert not result.ok
    assert result.explanation.startswith(
        "no choice of which equal-valued write each read read from works (2 tried); for "
        "example, with op 4 from op 1: process 1 has no view ordering the writes")
    own = seq(write(1, 1), write(1, 1), write(1, 2), read(1, 1))
    result = check(own, "causal", 0)
    assert result.explanation == (
        "op 3 (process 1: read -> 1, events 6-7) cannot have read 1 from any write: op 0 is "
        "overwritten by process 1 before it; op 1 is overwritten by process 1 before it")


def test_witnesses():
    events = (inv(0, W, 1), inv(1, R), ok(1, R, 1), ok(0, W, 1), *read(2, 1))
    assert check(events, "linearizable", 0).witness == (0, 1, 2)
    assert check(events, "sequential", 0).witness == (0, 1, 2)
    views = check(events, "causal", 0).witness
    assert views == ((0, (0,)), (1, (0, 1)), (2, (0, 2)))
    # a left-out indeterminate write is not in the witness; one that happened is
    events = (inv(0, W, 1), info(0, W, 1), inv(1, W, 2), info(1, W, 2), *read(2, 1))
    assert check(events, "linearizable", 0).witness == (0, 2)


def test_large_concurrent_history_is_quick():
    """Ten processes writing distinct values concurrently, each then reading its own."""
    events = [inv(p, W, p) for p in range(10)] + [ok(p, W, p) for p in range(10)]
    events += [e for p in range(10) for e in read(p, 9)]
    assert linearizable(events, 0)
    assert sequentially_consistent(events, 0)
    assert causally_consistent(events, 0)


def test_many_indeterminate_writes_are_quick():
    """24 crashed writes of four values stay concurrent with everything after them; a
    read of each value in turn, then a write and a stale read of the initial value.
    Placing every crashed write eagerly would explore up to 2**24 subsets; they are
    placed only when a read needs one, and only one of equal ones is tried."""
    events = [e for p in range(24) for e in (inv(p, W, p % 4 + 1), info(p, W, p % 4 + 1))]
    events += [e for v in (1, 2, 3, 4, 1, 2, 3, 4) for e in read(30, v)]
    assert linearizable(events, 0) and sequentially_consistent(events, 0)
    stale = events + write(31, 9) + read(32, 0)
    assert check(stale, "linearizable", 0).explanation == (
        "op 33 (process 32: read -> 0, events 66-67) cannot take effect between its invoke "
        "and its return: events 0-66 have a linearization, but none lets op 33 read 0 "
        "before it returns at event 67")
    assert sequentially_consistent(stale, 0)
    # the witness uses the crashed writes only where a read needs one
    witness = check(events, "linearizable", 0).witness
    assert witness == (0, 24, 1, 25, 2, 26, 3, 27, 4, 28, 5, 29, 6, 30, 7, 31)
    assert causally_consistent(events, 0) and causally_consistent(stale, 0)


def test_lists_are_accepted_and_results_are_cached():
    events = [list(e) for e in seq(write(0, 1), read(1, 0))]
    before = result_module._linearizable.cache_info()
    assert linearizable(events, 0) is False
    assert linearizable(tuple(map(tuple, events)), 0) is False
    after = result_module._linearizable.cache_info()
    assert after.hits >= before.hits + 1


MALFORMED = [
    ([("p", "invoke", "write")], 0, "expected (process, type, f, value)"),
    ([inv(0, R), ("x", "done", R, None)], 1, "type must be one of invoke, ok, fail, info, "
                                           "not 'done'"),
    ([inv(0, "cas", 1)], 0, "f must be 'read' or 'write'"),
    ([ok(0, W, 1)], 0, "ok for process 0, which has no pending operation"),
    ([inv(0, W, 1), inv(0, R)], 1, "process 0 invokes a read while its write (event 0) "
                                   "is still pending"),
    ([inv(0, R, 1)], 0, "a read's invoke carries no value"),
    ([inv(0, W, 1), ok(0, R, 1)], 1, "process 0 completes a read but invoked a write"),
    ([inv(0, W, 1), ok(0, W, 2)], 1, "the ok of a write carries 2"),
    ([inv(0, W, [1])], 0, "must be hashable"),
]


@pytest.mark.parametrize("events, index, message", MALFORMED, ids=[m[2] for m in MALFORMED])
def test_malformed_histories_raise(events, index, message):
    for call in (linearizable, sequentially_consistent, causally_consistent, pair):
        with pytest.raises(HistoryError) as exc:
            call(events)
        assert exc.value.event == index and message in str(exc.value)
        assert str(exc.value).startswith(f"event {index}: ")


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown consistency model 'eventual'"):
        check((), "eventual")
    with pytest.raises(HistoryError, match="initial value must be hashable"):
        linearizable((), initial=[0])
