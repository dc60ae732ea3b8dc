"""Histories of client operations on one read/write register, and their operations.

An *event* is a 4-tuple ``(process, type, f, value)``, as in Jepsen and Knossos:

- ``type`` is ``"invoke"`` (the client calls), ``"ok"`` (the call returned and took
  effect), ``"fail"`` (it returned and certainly did not take effect) or ``"info"``
  (indeterminate: it may or may not have taken effect, at any time after its invoke);
- ``f`` is ``"read"`` or ``"write"``;
- ``value`` is the written value on a write's invoke and the result on a read's ``ok``.
  A read's invoke has value None.  A write's completion may repeat the written value or
  carry None; the value of a ``fail`` or ``info`` completion of a read is not used.

A history is the tuple of events in real-time order.  Processes and values are any
hashable values, compared with ``==``.  A process has at most one pending operation;
every ok/fail/info completes the pending operation of its process.  An operation still
pending at the end of the history counts as ``info``.  A process may invoke again after
an ``info`` (a client that timed out and moved on); the indeterminate operation then
stays concurrent with everything that follows its invoke.

An *operation* pairs an invoke with its completion.  Operations are numbered 0, 1, ...
in the order of their invokes; witnesses and explanations name them by that number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

TYPES = ("invoke", "ok", "fail", "info")
FUNCTIONS = ("read", "write")
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
    f: str                  # "read" | "write"
    value: Any              # the written value, or the value read (None if unknown)
    status: str             # "ok" | "fail" | "info" (pending at the end is "info")
    invoke: int             # event index of the invoke
    complete: int | None    # event index of the completion; None if still pending

    @property
    def returned(self) -> float:
        """Event index of the return, or infinity for an operation that never returned
        (info or pending): it may take effect at any time after its invoke."""
        return self.complete if self.status == "ok" else NEVER

    def label(self) -> str:
        """``process 1: read -> 2`` or ``process 0: write 2``."""
        if self.f == "write":
            what = f"write {self.value!r}"
        elif self.status == "ok":
            what = f"read -> {self.value!r}"
        else:
            what = "read"
        return f"process {self.process!r}: {what}"

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
    def from_events(cls, events) -> "History":
        return cls(tuple(events), pair(events))

    def processes(self) -> tuple:
        """The processes in order of their first invoke."""
        seen: dict = {}
        for op in self.operations:
            seen.setdefault(op.process, None)
        return tuple(seen)


def pair(events) -> tuple[Operation, ...]:
    """Match every completion to its process's pending invoke; raise HistoryError on a
    malformed history (naming the event)."""
    pending: dict = {}                   # process -> (event index, f, value)
    ops: list[list] = []                 # [process, f, value, status, invoke, complete]
    slot: dict = {}                      # process -> index in ops of its pending op
    for i, event in enumerate(events):
        try:
            process, type_, f, value = event
        except (TypeError, ValueError):
            raise HistoryError(f"expected (process, type, f, value), got {event!r}", i) \
                from None
        if type_ not in TYPES:
            raise HistoryError(f"type must be one of {', '.join(TYPES)}, not {type_!r}", i)
        if f not in FUNCTIONS:
            raise HistoryError(f"f must be 'read' or 'write' (a read/write register), "
                               f"not {f!r}", i)
        try:
            hash(process), hash(value)
        except TypeError:
            raise HistoryError("processes and values must be hashable", i) from None
        if type_ == "invoke":
            if process in pending:
                j, g, _ = pending[process]
                raise HistoryError(
                    f"process {process!r} invokes a {f} while its {g} (event {j}) is still "
                    "pending; a process has at most one pending operation", i)
            if f == "read" and value is not None:
                raise HistoryError(
                    f"a read's invoke carries no value (got {value!r}); the value read "
                    "goes on its ok", i)
            pending[process] = (i, f, value)
            slot[process] = len(ops)
            ops.append([process, f, value, "info", i, None])
            continue
        if process not in pending:
            raise HistoryError(
                f"{type_} for process {process!r}, which has no pending operation "
                "(a completion must follow its process's invoke)", i)
        j, g, written = pending.pop(process)
        if f != g:
            raise HistoryError(
                f"process {process!r} completes a {f} but invoked a {g} (event {j})", i)
        op = ops[slot.pop(process)]
        if f == "write" and type_ == "ok" and value is not None and value != written:
            raise HistoryError(
                f"the ok of a write carries {value!r} but the invoke (event {j}) wrote "
                f"{written!r}", i)
        if f == "read":
            op[2] = value if type_ == "ok" else None
        op[3], op[5] = type_, i
    return tuple(Operation(k, p, f, v, s, inv, c)
                 for k, (p, f, v, s, inv, c) in enumerate(ops))


def count(operations) -> str:
    """``8 operations by 3 processes (1 failed, 2 indeterminate)``."""
    n = len(operations)
    procs = len({op.process for op in operations})
    failed = sum(op.status == "fail" for op in operations)
    unknown = sum(op.status == "info" for op in operations)
    extra = [f"{failed} failed"] * bool(failed) + [f"{unknown} indeterminate"] * bool(unknown)
    text = f"{n} operation{'s' * (n != 1)} by {procs} process{'es' * (procs != 1)}"
    return text + (f" ({', '.join(extra)})" if extra else "")
