"""Why a history is not linearizable, from the frontier of the search that found so.

The search (`wgl`, or `linearizability` for a register) records its frontier: the
latest event up to which some configuration got, which is the return of an operation
that no partial linearization places in time.  The explanation names that operation,
says what it would have had to do, and, at the cost of one more search (on the history
up to the frontier), gives the longest partial linearization: the operations that can
be placed, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import wgl
from .datatypes import REGISTER, DataType
from .register import thin_air, unwritten_read


@dataclass(frozen=True)
class Failure:
    """Where the search got stuck (what a picture of the failure shows)."""

    key: object                 # the key (keyed data types), else None
    stuck: int | None           # the operation that cannot be placed (None: thin air)
    frontier: int               # the event index it returns at (-1 for thin air)
    prefix: tuple[int, ...] | None   # the longest partial linearization, if computed


def explain(operations, datatype: DataType, initial, frontier: int, key=None,
            deadline: float | None = None, prefix: bool = True) -> tuple[str, Failure]:
    """(the explanation, the failure) for a search that ended at `frontier`.  With
    `prefix`, search the longest partial linearization too (it may raise
    `wgl.Timeout`)."""
    if frontier < 0 and datatype is REGISTER:
        bad = unwritten_read(operations, initial)
        return thin_air(bad, operations, initial), Failure(key, bad.index, -1, None)
    op = wgl.stuck(operations, frontier)
    where = ("event 0 has" if frontier == 1 else f"events 0-{frontier - 1} have") + \
        " a linearization, but"
    text = (f"{op.describe()} cannot take effect between its invoke and its return: {where} "
            f"none lets op {op.index} {datatype.effect(op)} before it returns at event "
            f"{frontier}")
    order = wgl.partial(operations, datatype, initial, frontier, deadline) if prefix else None
    return text, Failure(key, op.index, frontier, order)


def prefix_text(failure: Failure, shown: int = 20) -> str:
    """``op 0, op 2, op 1`` (the first `shown`), or "no operations"."""
    order = failure.prefix or ()
    if not order:
        return "no operations"
    text = ", ".join(f"op {i}" for i in order[:shown])
    if len(order) > shown:
        text += f", ... ({len(order)} operations)"
    return text
