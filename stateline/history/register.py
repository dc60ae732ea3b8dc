"""The sequential specification of a read/write register, and what of a history matters
to it.

A sequence of operations is *legal* for a register with initial value ``v0`` when every
read in it returns the value of the last write before it, or ``v0`` if there is none.

Which operations a consistency check has to place:

- every ``ok`` operation;
- an indeterminate (``info`` or pending) write may be placed or left out; one whose value
  no ``ok`` read returns is always left out, which loses nothing: in any legal order
  containing it, no read follows it before the next write (such a read would return its
  value), so removing it keeps the order legal, and it precedes nothing in real time or
  program order because it never returned;
- an indeterminate read constrains nothing (its result is unknown) and a failed operation
  did not happen: both are dropped.
"""

from __future__ import annotations

from .model import Operation


class Illegal:
    """The result of a read that the register's value does not explain."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ILLEGAL"


ILLEGAL = Illegal()


def step(value, op: Operation):
    """The register's value after `op`, or ILLEGAL if `op` is a read of another value."""
    if op.f == "write":
        return op.value
    return value if value == op.value else ILLEGAL


def relevant(operations) -> tuple[list[Operation], list[Operation]]:
    """(the ok operations, the indeterminate writes whose value some ok read returns)."""
    done = [op for op in operations if op.status == "ok"]
    read = {op.value for op in done if op.f == "read"}
    maybe = [op for op in operations
             if op.status == "info" and op.f == "write" and op.value in read]
    return done, maybe


def unwritten_read(operations, initial) -> Operation | None:
    """The first ok read of a value that is neither the initial value nor written by an
    operation that did not fail (no consistency model can explain it), else None."""
    written = {op.value for op in operations if op.f == "write" and op.status != "fail"}
    for op in operations:
        if op.f == "read" and op.status == "ok" and op.value != initial \
                and op.value not in written:
            return op
    return None


def thin_air(op: Operation, operations, initial) -> str:
    """Why `op` (found by `unwritten_read`) cannot be explained."""
    failed = [w.index for w in operations
              if w.f == "write" and w.status == "fail" and w.value == op.value]
    if failed:
        who = "only failed writes wrote (" + ", ".join(f"op {i}" for i in failed) + ")"
    else:
        who = "no write wrote"
    return (f"{op.describe()} returns a value that {who} and that is not the initial "
            f"value {initial!r}")
