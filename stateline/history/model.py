"""Histories of client operations, and their operations.

An *event* is a tuple ``(process, type, f, value)``, or ``(process, type, f, value,
key)`` for a keyed data type, as in Jepsen and Knossos:

- ``type`` is ``"invoke"`` (the client calls), ``"ok"`` (the call returned and took
  effect), ``"fail"`` (it returned and certainly did not take effect) or ``"info"``
  (indeterminate: it may or may not have taken effect, at any time after its invoke);
- ``f`` is one of the data type's operations (see `datatypes`; ``read`` and ``write``
  for the default register);
- ``value`` is the argument on the invoke (the written value, a cas's ``(expected,
  new)``) and the result on the ``ok`` of an operation that returns one (a read).  The
  invoke of a read carries None.  A completion of any other operation may repeat the
  invoke's value or carry None; the value of a ``fail`` or ``info`` completion is not
  used (Jepsen puts ``:timed-out`` there);
- ``key``, for a keyed data type (``kv``), names the key; the invoke and the completion
  agree on it.

A history is the tuple of events in real-time order.  Processes, keys and values are
any hashable values, compared with ``==``.  A process has at most one pending
operation; every ok/fail/info completes the pending operation of its process.  An
operation still pending at the end of the history counts as ``info``.  A process may
invoke again after an ``info`` (a client that timed out and moved on); the
indeterminate operation then stays concurrent with everything that follows its invoke.

An *operation* pairs an invoke with its completion.  Operations are numbered 0, 1, ...
in the order of their invokes; witnesses and explanations name them by that number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

from .datatypes import REGISTER, DataType, result_value

TYPES = ("invoke", "ok", "fail", "info")
FUNCTIONS = REGISTER.functions
NEVER = float("inf")        # the return time of an operation that never returned


class HistoryError(ValueError):
    """A malformed history: `event` is the index of the offending event (or None)."""

    def __init__(self, message: str, event: int | None = None):
        self.event = event
        self.detail = message
        super().__init__(message if event is None else f"event {event}: {message}")


@dataclass(frozen=True)
class Operation:
    index: int              # position in invocation order
    process: Hashable
    f: str                  # "read" | "write" | "cas" | ...
    value: Any              # the argument, or the value returned (None if unknown)
    status: str             # "ok" | "fail" | "info" (pending at the end is "info")
    invoke: int             # event index of the invoke
    complete: int | None    # event index of the completion; None if still pending
    key: Hashable = None    # the key, for a keyed data type
    datatype: DataType = REGISTER

    @property
    def returned(self) -> float:
        """Event index of the return, or infinity for an operation that never returned
        (info or pending): it may take effect at any time after its invoke."""
        return self.complete if self.status in ("ok", "fail") else NEVER

    def label(self) -> str:
        """``process 1: read -> 2``, ``process 0: write 2``, ``process 3: cas 1 -> 2``;
        ``key 'x'`` first for a keyed data type."""
        where = f"key {self.key!r}, " if self.datatype.keyed else ""
        return f"{where}process {self.process!r}: {self.datatype.label(self)}"

    def describe(self) -> str:
        """``op 3 (process 1: read -> 2, events 5-7)``, with the status when not ok."""
        if self.complete is None:
            span = f"event {self.invoke}, never completed"
        else:
            span = f"events {self.invoke}-{self.complete}"
        status = "" if self.status == "ok" else f", {self.status}"
        return f"op {self.index} ({self.label()}, {span}{status})"


@dataclass(frozen=True)
class History:
    """A validated history: its events and the operations they make up."""

    events: tuple
    operations: tuple[Operation, ...]

    @classmethod
    def from_events(cls, events, datatype: DataType = REGISTER) -> "History":
        return cls(tuple(events), pair(events, datatype))

    def processes(self) -> tuple:
        """The processes in order of their first invoke."""
        seen: dict = {}
        for op in self.operations:
            seen.setdefault(op.process, None)
        return tuple(seen)


def _what(datatype: DataType) -> str:
    names = [f"'{f}'" for f in datatype.functions]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}"
    what = "a read/write register" if datatype is REGISTER else f"the {datatype.name} model"
    return f"f must be {listed} ({what})"


def pair(events, datatype: DataType = REGISTER) -> tuple[Operation, ...]:
    """Match every completion to its process's pending invoke; raise HistoryError on a
    malformed history (naming the event)."""
    pending: dict = {}                   # process -> (event index, f, value, key)
    ops: list[list] = []                 # [process, f, value, status, invoke, complete, key]
    slot: dict = {}                      # process -> index in ops of its pending op
    keyed = datatype.keyed
    results = datatype.results
    for i, event in enumerate(events):
        try:
            if keyed:
                process, type_, f, value, key = event
            else:
                process, type_, f, value = event
                key = None
        except (TypeError, ValueError):
            shape = "(process, type, f, value, key)" if keyed else "(process, type, f, value)"
            raise HistoryError(f"expected {shape}, got {event!r}", i) from None
        if type_ not in TYPES:
            raise HistoryError(f"type must be one of {', '.join(TYPES)}, not {type_!r}", i)
        if f not in datatype.functions:
            raise HistoryError(f"{_what(datatype)}, not {f!r}", i)
        try:
            hash(process), hash(value), hash(key)
        except TypeError:
            raise HistoryError("processes, keys and values must be hashable", i) from None
        if type_ == "invoke":
            if process in pending:
                j, g, _, _ = pending[process]
                raise HistoryError(
                    f"process {process!r} invokes a {f} while its {g} (event {j}) is still "
                    "pending; a process has at most one pending operation", i)
            wrong = datatype.invoke_value(f, value)
            if wrong:
                raise HistoryError(wrong, i)
            pending[process] = (i, f, value, key)
            slot[process] = len(ops)
            ops.append([process, f, value, "info", i, None, key])
            continue
        if process not in pending:
            raise HistoryError(
                f"{type_} for process {process!r}, which has no pending operation "
                "(a completion must follow its process's invoke)", i)
        j, g, argument, k = pending.pop(process)
        if f != g:
            raise HistoryError(
                f"process {process!r} completes a {f} but invoked a {g} (event {j})", i)
        if keyed and key != k:
            raise HistoryError(
                f"process {process!r} completes an operation on key {key!r} but invoked it "
                f"on key {k!r} (event {j})", i)
        op = ops[slot.pop(process)]
        if f in results:
            op[2] = result_value(datatype, f, value) if type_ == "ok" else None
        elif type_ == "ok" and value is not None and value != argument:
            raise HistoryError(
                f"the ok of a {f} carries {value!r} but the invoke (event {j}) "
                f"{'wrote' if f == 'write' else 'carried'} {argument!r}", i)
        op[3], op[5] = type_, i
    return tuple(Operation(n, p, f, v, s, inv, c, k, datatype)
                 for n, (p, f, v, s, inv, c, k) in enumerate(ops))


def count(operations) -> str:
    """``8 operations by 3 processes (1 failed, 2 indeterminate)``, with the keys of a
    keyed history."""
    n = len(operations)
    procs = len({op.process for op in operations})
    failed = sum(op.status == "fail" for op in operations)
    unknown = sum(op.status == "info" for op in operations)
    extra = [f"{failed} failed"] * bool(failed) + [f"{unknown} indeterminate"] * bool(unknown)
    text = f"{n} operation{'s' * (n != 1)} by {procs} process{'es' * (procs != 1)}"
    if operations and operations[0].datatype.keyed:
        keys = len({op.key for op in operations})
        text += f" on {keys} key{'s' * (keys != 1)}"
    return text + (f" ({', '.join(extra)})" if extra else "")
