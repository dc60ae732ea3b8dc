"""Why a recorded history violates `linearizable(H)` (or `sequentially_consistent(H)`,
`causally_consistent(H)`) in the last state of a counterexample: the explanation
`stateline history check` would print, with processes and values as the spec shows them.
"""

from __future__ import annotations

import dataclasses

from ..lang import ir
from .runtime import history_events

CHECKS = ("linearizable", "sequential", "causal")


class Shown:
    """A runtime value that prints as the spec shows it and compares as the value."""

    __slots__ = ("raw", "text")

    def __init__(self, raw, text: str):
        self.raw, self.text = raw, text

    def __eq__(self, other) -> bool:
        return isinstance(other, Shown) and self.raw == other.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return self.text


NONE = Shown(None, "none")          # the initial value, and an event's missing value


def history_note(system, prop, state: tuple) -> str:
    """The explanation of each history check in `prop`'s expression that is false in
    `state`, one per line ("" when there is none)."""
    notes = []
    for op in _checks(prop.expr):
        layout = system.variables.get(op.args[0].var)
        if layout is None or layout.process is not None:
            continue
        from .. import history
        proc_dom, _, _, value_dom = layout.dom.elem.items
        events = tuple((_shown(proc_dom, p), t, f, _value(value_dom, t, f, v))
                       for p, t, f, v in history_events(state[layout.base]))
        result = history.check(events, op.op, initial=NONE)
        if not result.ok:
            notes.append(f"{op.args[0].var.name} is not {_adjective(op.op)}: "
                         f"{result.explanation}")
    return "\n".join(notes)


def _shown(dom, value):
    return Shown(value, dom.show(value))


def _value(dom, type_: str, f: str, value):
    """An event's value: `none` where it is a value (what a read returned, what a write
    wrote), None where the event carries nothing."""
    if value is not None:
        return _shown(dom, value)
    return NONE if (type_, f) in (("ok", "read"), ("invoke", "write")) else None


def _adjective(check: str) -> str:
    return {"linearizable": "linearizable", "sequential": "sequentially consistent",
            "causal": "causally consistent"}[check]


def _checks(e):
    """The history checks in an expression, in order."""
    if isinstance(e, ir.Op) and e.op in CHECKS and isinstance(e.args[0], ir.VarRef):
        yield e
        return
    if dataclasses.is_dataclass(e):
        for field in dataclasses.fields(e):
            yield from _walk(getattr(e, field.name))


def _walk(x):
    if isinstance(x, ir.E):
        yield from _checks(x)
    elif isinstance(x, (tuple, list)):
        for y in x:
            yield from _walk(y)
