"""`enabled(A)`: does action A have a successor in this state (TLA+'s ENABLED A)?

The target names action schemas the way fairness targets in check blocks do:

    enabled(a)            the global action `a`
    enabled(P.a)          action `a` of process P, for some instance of P
    enabled(P[i].a)       action `a` of instance i
    enabled(P.M)          the handler(s) of message M in P (P[i].M: of instance i)
    enabled(P), enabled(P[i])   any action or handler of P (of instance i), not its
                                 crashes and recoveries (name them: P.crash)

It holds in a state when some instance of the named schemas (some choice of its
parameters, received message, `either` branch and `choose` value) runs to the end
of its body there: every guard and `require` holds.  As in TLC, constraints do not
count (a step into a state a constraint discards is still a step).  A step that
raises a run-time error (a failing `assert`, a value outside its type) is taken
while `enabled` is evaluated, and the error is reported as the checker reports it
for the step itself.  `enabled(A)` is a state predicate: it may appear in
invariants, transition invariants (also primed, `enabled(A)'`), constraints and
temporal properties, and in the definitions they use, but not in actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import did_you_mean, fail as err
from . import ast as A
from . import ir
from .fmt_expr import expr as _show_expr
from .types import BOOL

USAGE = ("enabled() takes an action: a global action, Process.action, Process[i].action, "
         "Process.Message (its handler), Process or Process[i]")


@dataclass(frozen=True, eq=False)
class EnabledE(ir.E):
    """`enabled(target)`: some instance of the matching action schemas has a successor.

    `names` empty: every action and handler of `process` that is not a fault;
    otherwise the schemas of `process` (None: global) whose name, or handled
    message, is one of `names`.  `key` is the instance (None: any instance)."""

    process: str | None
    names: tuple[str, ...]
    key: ir.E | None
    label: str                  # the target as written, e.g. "Node[n].send"
    primed: bool = False

    def matches(self, action: ir.ActionIR) -> bool:
        if action.process != self.process:
            return False
        if not self.names:
            return not action.environment
        return action.name in self.names or \
            (action.receive is not None and action.name.removeprefix("on ") in self.names)


def check_enabled(c, e: A.Call) -> EnabledE:
    """Type the call `enabled(...)` in the checker `c` (an `ExprChecker`)."""
    if e.kwargs or len(e.args) != 1:
        err("SL302", "enabled() takes one action", e.span, hint=USAGE)
    if not c.state_ok:
        err("SL303", f"{c.state_why} cannot depend on the state: enabled() is a state "
                     "predicate", e.span)
    if not getattr(c, "enabled_ok", False):
        err("SL106", "enabled() is allowed in properties, invariants, transition invariants "
                     "and constraints, not in an action, handler or initial value", e.span,
            hint="an action's own guard says when it may run; a guard that asks whether "
                 "another action could run is written with that action's conditions")
    t = e.args[0]
    if isinstance(t, A.Name) and not _local(c, t.id):
        if t.id in c.r.processes:
            return _target(c, e, t.id, None, (), t.id)
        names = [a.name for p, a in c.r.actions if p is None and isinstance(a, A.Action)]
        if t.id not in names:
            err("SL201", f"'{t.id}' names no global action or process", t.span,
                hint=did_you_mean(t.id, names + list(c.r.processes)) or USAGE)
        return EnabledE(BOOL, e.span, None, (t.id,), None, t.id, c.priming)
    if isinstance(t, A.Subscript) and _process_name(c, t.base):
        node = _instance(c, t, t.base.id)
        return _target(c, e, node.process, node.key, (), _shown(t))
    if isinstance(t, A.Attr):
        b = t.base
        if isinstance(b, A.Name) and _process_name(c, b):
            return _target(c, e, b.id, None, (t.name,), f"{b.id}.{t.name}", t)
        if isinstance(b, A.Subscript) and _process_name(c, b.base):
            node = _instance(c, b, f"{b.base.id}.{t.name}")
            return _target(c, e, node.process, node.key, (t.name,),
                           f"{_shown(b)}.{t.name}", t)
    err("SL303", "enabled() takes the name of an action, not an expression", t.span,
        hint=USAGE)


def _local(c, name: str) -> bool:
    return any(name in s for s in c.scopes)


def _process_name(c, b) -> bool:
    return isinstance(b, A.Name) and b.id in c.r.processes and not _local(c, b.id) \
        and b.id not in c.r.consts


def _instance(c, sub, label: str):
    """The NodeE of `P[i]` (the instance checked as anywhere else)."""
    p = c.r.processes[sub.base.id]
    if not p.self_name:
        err("SL305", f"process '{p.name}' has a single instance: write enabled({label})",
            sub.span)
    return c.infer(sub)


def _shown(t) -> str:
    return _show_expr(t)


def _target(c, e: A.Call, process: str, key, names: tuple[str, ...], label: str,
            where=None) -> EnabledE:
    members = [a for p, a in c.r.actions if p is not None and p.name == process]
    if names:
        known = [a.name if isinstance(a, A.Action) else a.message for a in members]
        if names[0] not in known:
            err("SL201", f"'{label}' names no action or message handler of process "
                         f"'{process}'", where.span if where is not None else e.span,
                hint=did_you_mean(names[0], known) or
                ("it has none" if not known else "its actions and handled messages: " +
                 ", ".join(dict.fromkeys(known))))
    return EnabledE(BOOL, e.span, process, names, key, label, c.priming)
