"""Recorded client histories, written in the language itself.

``history H(process: Clients, value: Values) max 8`` declares a state variable
``H``: a sequence of at most 8 events ``(process, type, f, value)``, where
type is invoke/ok/fail/info and f is read/write, as in Jepsen and Knossos.  A
statement ``record invoke H.write(v)`` (or ``record ok H.read(x)``, ``record
fail H.write()``, ``record info H.write()``) appends one event for the acting
process instance.  ``linearizable(H)``, ``sequentially_consistent(H)`` and
``causally_consistent(H)`` judge the recorded history of a read/write register
whose initial value is ``none`` (see `stateline.history`).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from . import ast as A

TYPES = ("invoke", "ok", "fail", "info")
OPERATIONS = ("read", "write")
CHECKS = {"linearizable": "linearizable", "sequentially_consistent": "sequential",
          "causally_consistent": "causal"}


def history_var(h: A.History) -> tuple[A.Var | None, list[Diagnostic]]:
    """The state variable holding history `h`."""
    fields = {f.name: f for f in h.fields}
    if sorted(fields) != ["process", "value"] or len(h.fields) != 2:
        return None, [Diagnostic("SL106", f"history '{h.name}' needs exactly two fields: "
                                          "(process: P, value: V)", h.span)]
    sp = h.span
    event = A.TupleLit((fields["process"].type,
                        A.Binary("..", A.IntLit(0, span=sp), A.IntLit(len(TYPES) - 1, span=sp),
                                 span=sp),
                        A.Binary("..", A.IntLit(0, span=sp),
                                 A.IntLit(len(OPERATIONS) - 1, span=sp), span=sp),
                        A.OptionType(fields["value"].type, span=sp)), span=sp)
    typ = A.Subscript(A.Name("seq", span=sp), (event, h.max), span=sp)
    return A.Var(h.name, typ, A.SeqLit((), span=sp), False, span=sp), []


def record_assign(st: A.RecordOp, self_name: str) -> A.Assign:
    """`record ok H.read(x)` as `H := H + [(self, 1, 0, x)]`."""
    sp = st.span
    value = st.value if st.value is not None else A.NoneLit(span=sp)
    event = A.TupleLit((A.Name(self_name, span=sp), A.IntLit(TYPES.index(st.kind), span=sp),
                        A.IntLit(OPERATIONS.index(st.op), span=sp), value), span=sp)
    return A.Assign(A.Name(st.history, span=sp),
                    A.Binary("+", A.Name(st.history, span=sp), A.SeqLit((event,), span=sp),
                             span=sp), span=sp)


def value_rule(kind: str, op: str) -> bool:
    """Does `record kind H.op(...)` carry a value?  (A write's invoke, a read's ok.)"""
    return (kind, op) in (("invoke", "write"), ("ok", "read"))
