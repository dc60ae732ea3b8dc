"""The data types on hand-made histories with known verdicts: the cas-register (ok,
failed and indeterminate cas), the kv store (append order, per-key independence), the
grow-only set and the FIFO queue; chains of indeterminate operations; explanations."""

from __future__ import annotations

import pytest

from stateline.history import (DataType, HistoryError, check, linearizable, pair,
                               sequentially_consistent)
from stateline.history.datatypes import DATATYPES


def op(p, f, arg=None, result=None, status="ok", key=None):
    """An operation that runs alone: invoke, then its completion."""
    inv = (p, "invoke", f, arg) + ((key,) if key is not None else ())
    done = (p, status, f, result if result is not None else arg) + \
        ((key,) if key is not None else ())
    return [inv, done]


def seq(*parts):
    return tuple(e for part in parts for e in part)


def inv(p, f, v=None, key=None):
    return (p, "invoke", f, v) + ((key,) if key is not None else ())


def end(p, status, f, v=None, key=None):
    return (p, status, f, v) + ((key,) if key is not None else ())


CAS = "cas-register"
# (name, model, events, initial, linearizable, sequentially consistent or None)
CASES = [
    # -- cas-register -----------------------------------------------------------------
    ("cas ok then read the new value", CAS,
     seq(op(0, "cas", (0, 1)), op(1, "read", None, 1)), 0, True, True),
    ("cas ok but the value was not expected", CAS, seq(op(0, "cas", (5, 1))), 0, False, False),
    ("failed cas: the value was something else", CAS,
     seq(op(0, "cas", (5, 1), status="fail"), op(1, "read", None, 0)), 0, True, True),
    ("failed cas although the value was expected", CAS,
     seq(op(0, "cas", (0, 1), status="fail")), 0, False, False),
    ("failed cas is placed between its invoke and return", CAS,
     (inv(0, "write", 3), inv(1, "cas", (0, 9)), end(1, "fail", "cas", (0, 9)),
      end(0, "ok", "write", 3)), 0, True, True),
    ("failed cas after a write of its expected value returned", CAS,
     seq(op(0, "write", 3), op(1, "cas", (3, 9), status="fail")), 0, False, True),
    ("indeterminate cas that took effect", CAS,
     (inv(0, "cas", (0, 1)), end(0, "info", "cas"), *op(1, "read", None, 1)), 0, True, True),
    ("indeterminate cas that did not", CAS,
     (inv(0, "cas", (0, 1)), end(0, "info", "cas"), *op(1, "read", None, 0)), 0, True, True),
    ("indeterminate cas whose expected value was never there", CAS,
     (inv(0, "cas", (7, 1)), end(0, "info", "cas"), *op(1, "read", None, 1)), 0, False,
     False),
    ("a chain of indeterminate cas", CAS,
     (inv(0, "cas", (0, 1)), end(0, "info", "cas"), inv(1, "cas", (1, 2)),
      end(1, "info", "cas"), *op(2, "read", None, 2)), 0, True, True),
    ("an indeterminate cas takes effect after a later one", CAS,
     (inv(0, "cas", (1, 2)), end(0, "info", "cas"), *op(2, "read", None, 0),
      inv(1, "cas", (0, 1)), end(1, "info", "cas"), *op(2, "read", None, 2)), 0, True,
     True),
    ("a cas that returned cannot wait for a later one", CAS,
     (*op(0, "cas", (1, 2), status="ok"), inv(1, "cas", (0, 1)), end(1, "info", "cas"),
      *op(2, "read", None, 2)), 0, False, True),
    ("indeterminate write needed before a failed cas", CAS,
     (inv(0, "write", 4), end(0, "info", "write"), *op(1, "cas", (0, 1), status="fail")),
     0, True, True),
    ("stale read after a cas", CAS,
     seq(op(0, "cas", (0, 1)), op(1, "read", None, 0)), 0, False, True),
    # -- kv ----------------------------------------------------------------------------
    ("appends in real-time order", "kv",
     seq(op(0, "append", "a", key="x"), op(1, "append", "b", key="x"),
         op(2, "get", None, "ab", key="x")), None, True, None),
    ("appends out of real-time order", "kv",
     seq(op(0, "append", "a", key="x"), op(1, "append", "b", key="x"),
         op(2, "get", None, "ba", key="x")), None, False, None),
    ("concurrent appends in either order", "kv",
     (inv(0, "append", "a", "x"), inv(1, "append", "b", "x"), end(0, "ok", "append", "a", "x"),
      end(1, "ok", "append", "b", "x"), *op(2, "get", None, "ba", key="x")), None, True, None),
    ("list append", "kv",
     seq(op(0, "append", 1, key="x"), op(1, "append", 2, key="x"),
         op(2, "get", None, (1, 2), key="x")), None, True, None),
    ("put then append", "kv",
     seq(op(0, "put", "p", key="x"), op(1, "append", "q", key="x"),
         op(2, "get", None, "pq", key="x")), None, True, None),
    ("keys are independent", "kv",
     seq(op(0, "put", "1", key="x"), op(1, "get", None, "", key="y"),
         op(2, "get", None, "1", key="x")), None, True, None),
    ("a stale get on one key", "kv",
     seq(op(0, "put", "1", key="x"), op(1, "put", "2", key="y"),
         op(2, "get", None, "2", key="y"), op(2, "get", None, None, key="x")), None, False,
     None),
    ("indeterminate appends both needed", "kv",
     (inv(0, "append", "a", "x"), end(0, "info", "append", None, "x"),
      inv(1, "append", "b", "x"), end(1, "info", "append", None, "x"),
      *op(2, "get", None, "ba", key="x")), None, True, None),
    ("an indeterminate append before a later one", "kv",
     (inv(0, "append", "a", "x"), end(0, "info", "append", None, "x"),
      *op(1, "append", "b", key="x"), *op(2, "get", None, "ab", key="x")), None, True, None),
    ("an indeterminate put makes a string append on a list legal", "kv",
     (*op(0, "append", 1, key="x"), inv(1, "put", "p", "x"), end(1, "info", "put", None, "x"),
      *op(2, "append", "z", key="x")), None, True, None),
    ("a string append on a list", "kv",
     seq(op(0, "append", 1, key="x"), op(2, "append", "z", key="x")), None, False, None),
    ("an indeterminate put nobody read", "kv",
     (inv(1, "put", "p", "x"), end(1, "info", "put", None, "x"), *op(0, "append", "a", key="x"),
      *op(2, "get", None, "a", key="x")), None, True, None),
    ("an indeterminate put read later", "kv",
     (inv(1, "put", "p", "x"), end(1, "info", "put", None, "x"), *op(0, "append", "a", key="x"),
      *op(2, "get", None, "pa", key="x")), None, True, None),
    ("an indeterminate put read out of order", "kv",
     (inv(1, "put", "p", "x"), end(1, "info", "put", None, "x"), *op(0, "append", "a", key="x"),
      *op(2, "get", None, "ap", key="x")), None, False, None),
    # -- set -----------------------------------------------------------------------------
    ("set reads what was added", "set",
     seq(op(0, "add", 1), op(1, "add", 2), op(2, "read", None, (2, 1))), None, True, True),
    ("set read misses an add that returned", "set",
     seq(op(0, "add", 1), op(1, "add", 2), op(2, "read", None, (2,))), None, False, True),
    ("set read of an element never added", "set",
     seq(op(0, "add", 1), op(2, "read", None, (1, 3))), None, False, False),
    ("two indeterminate adds, both read", "set",
     (inv(0, "add", 1), inv(1, "add", 2), end(0, "info", "add"), end(1, "info", "add"),
      *op(2, "read", None, (1, 2))), None, True, True),
    ("a set only grows", "set",
     seq(op(0, "add", 1), op(1, "read", None, (1,)), op(1, "read", None, ())), None, False,
     False),
    # -- queue ---------------------------------------------------------------------------
    ("FIFO order", "queue",
     seq(op(0, "enqueue", 1), op(1, "enqueue", 2), op(2, "dequeue", None, 1),
         op(2, "dequeue", None, 2), op(2, "dequeue", None, None)), None, True, True),
    ("LIFO order is not FIFO", "queue",
     seq(op(0, "enqueue", 1), op(1, "enqueue", 2), op(2, "dequeue", None, 2)), None, False,
     True),
    ("an empty dequeue while an element is in", "queue",
     seq(op(0, "enqueue", 1), op(2, "dequeue", None, None)), None, False, True),
    ("an indeterminate enqueue before an ok one", "queue",
     (inv(0, "enqueue", 1), end(0, "info", "enqueue"), *op(1, "enqueue", 2),
      *op(2, "dequeue", None, 1), *op(2, "dequeue", None, 2)), None, True, True),
    ("an indeterminate dequeue took the head", "queue",
     (*op(0, "enqueue", 1), *op(0, "enqueue", 2), inv(1, "dequeue"), end(1, "info", "dequeue"),
      *op(2, "dequeue", None, 2)), None, True, True),
    ("a value dequeued twice", "queue",
     seq(op(0, "enqueue", 1), op(1, "dequeue", None, 1), op(2, "dequeue", None, 1)), None,
     False, False),
]


@pytest.mark.parametrize("name, model, events, initial, lin, sc", CASES,
                         ids=[c[0] for c in CASES])
def test_known_verdicts(name, model, events, initial, lin, sc):
    assert linearizable(events, initial, model) is lin
    result = check(events, "linearizable", initial, model)
    assert result.ok is lin and result.model == model
    if not lin:
        assert result.explanation and result.failure is not None
    if sc is not None:
        assert sequentially_consistent(events, initial, model) is sc
        assert check(events, "sequential", initial, model).ok is sc


def test_cas_explanations():
    events = seq(op(0, "write", 3), op(1, "cas", (3, 9), status="fail"))
    result = check(events, "linearizable", 0, "cas-register")
    assert result.explanation == (
        "op 1 (process 1: cas 3 -> 9, events 2-3, fail) cannot take effect between its "
        "invoke and its return: events 0-2 have a linearization, but none lets op 1 find a "
        "value other than 3 before it returns at event 3")
    assert (result.failure.stuck, result.failure.frontier, result.failure.prefix) == \
        (1, 3, (0,))
    result = check(seq(op(0, "cas", (5, 1))), "linearizable", 0, "cas-register")
    assert "none lets op 0 change 5 to 1 before it returns at event 1" in result.explanation
    assert result.failure.prefix == ()


def test_kv_explains_the_first_failing_key_and_lists_the_others():
    events = seq(op(0, "put", "1", key="x"), op(1, "get", None, "0", key="x"),
                 op(0, "put", "1", key="y"), op(1, "get", None, "0", key="y"),
                 op(0, "put", "1", key="z"))
    result = check(events, "linearizable", None, "kv")
    assert result.explanation == (
        "op 1 (key 'x', process 1: get -> '0', events 2-3) cannot take effect between its "
        "invoke and its return: events 0-2 have a linearization, but none lets op 1 get "
        "'0' before it returns at event 3 (2 of 3 keys are not linearizable; the others: "
        "'y')")
    assert result.failure.key == "x"
    ok = check(events[:2] + events[4:6] + events[8:], "linearizable", None, "kv")
    assert ok.ok and ok.witness == (("x", (0,)), ("y", (1,)), ("z", (2,)))


def test_sequential_explanation_for_a_queue():
    events = seq(op(0, "enqueue", 1), op(0, "enqueue", 2), op(1, "dequeue", None, 2))
    result = check(events, "sequential", None, "queue")
    assert not result.ok
    assert result.explanation == (
        "no order of the operations respects program order and is legal: the longest order "
        "found that respects every process's program order (2 operations: op 0, op 1) "
        "leaves the state [1, 2], and no operation that could come next can take effect: "
        "op 2 (process 1: dequeue -> 2, events 4-5)")


def test_unsupported_consistency_models():
    events = seq(op(0, "put", "1", key="x"))
    with pytest.raises(ValueError, match="the kv model supports linearizable only, not "
                                         "sequential"):
        check(events, "sequential", None, "kv")
    with pytest.raises(ValueError, match="supports linearizable and sequential only"):
        check(seq(op(0, "add", 1)), "causal", None, "set")
    with pytest.raises(ValueError, match="unknown model 'stack'"):
        check((), "linearizable", None, "stack")


@pytest.mark.parametrize("model, events, index, message", [
    ("cas-register", [inv(0, "cas", 1)], 0, "a cas carries [expected, new], not 1"),
    ("cas-register", [inv(0, "cas", (1, 2)), end(0, "ok", "cas", (1, 3))], 1,
     "the ok of a cas carries (1, 3) but the invoke (event 0) carried (1, 2)"),
    ("kv", [inv(0, "get")], 0, "expected (process, type, f, value, key)"),
    ("kv", [inv(0, "get", None, "x"), end(0, "ok", "get", "", "y")], 1,
     "process 0 completes an operation on key 'y' but invoked it on key 'x' (event 0)"),
    ("kv", [inv(0, "get", 1, "x")], 0, "a get's invoke carries no value (got 1)"),
    ("queue", [inv(0, "dequeue", 1)], 0, "a dequeue's invoke carries no value (got 1); the "
                                        "value returned goes on its ok"),
    ("set", [inv(0, "remove", 1)], 0, "f must be 'add' or 'read' (the set model), not "
                                     "'remove'"),
])
def test_malformed_histories_of_each_model(model, events, index, message):
    with pytest.raises(HistoryError) as exc:
        pair(events, DATATYPES[model])
    assert exc.value.event == index and message in str(exc.value)


def test_a_data_type_of_ones_own():
    """A counter: increments of any size, reads of the total."""

    class Counter(DataType):
        name = "counter"
        functions = ("add", "read")
        results = observers = ("read",)

        def initial_state(self, initial):
            return 0

        def step(self, state, o):
            if o.f == "add":
                return True, state + o.value
            return state == o.value, state

    counter = Counter()
    events = (inv(0, "add", 2), inv(1, "add", 3), end(0, "ok", "add", 2), inv(2, "read"),
              end(2, "ok", "read", 3), end(1, "ok", "add", 3))
    assert check(events, "linearizable", None, counter).ok is False
    events = events[:4] + (end(2, "ok", "read", 5),) + events[5:]
    assert check(events, "linearizable", None, counter).witness == (0, 1, 2)
    assert linearizable(events, None, counter) and sequentially_consistent(events, None,
                                                                            counter)
