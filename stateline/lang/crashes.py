"""Crash faults, written in the language itself.

A process with ``crash stop [max N]`` or ``crash recover [max N]`` gets, as if
the spec had declared them:

* a variable ``up: bool = true`` per instance (readable as ``P[i].up``);
* with ``max N``, a counter of the crashes of all its instances, bounded by N;
* every action and message handler of the process guarded by ``up``: a
  crashed instance takes no step and receives nothing (messages to it stay in
  the network);
* an environment action ``crash`` (``up`` becomes false), never fair;
* for ``crash recover``, an environment action ``recover``: ``up`` becomes true
  and every variable not declared ``persistent`` is reset to its initial value
  (a variable declared ``var x in S`` may come back as any element of S).

Desugaring keeps one semantics for both engines: the checker and the prover see
ordinary variables and actions.
"""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic
from . import ast as A

UP = "up"


def counter_name(process: str) -> str:
    return f"{process}.crashes"


def desugar(p: A.Process) -> tuple[A.Process, list[A.Var], list[Diagnostic]]:
    """The process with its crash declaration expanded; extra global variables."""
    crashes = [m for m in p.members if isinstance(m, A.Crash)]
    if not crashes:
        return p, [], []
    diags = []
    for extra in crashes[1:]:
        diags.append(Diagnostic("SL202", f"process '{p.name}' already declares its crashes",
                                extra.span, notes=(f"first declared at {crashes[0].span}",)))
    crash = crashes[0]
    sp = crash.span
    members = [m for m in p.members if not isinstance(m, A.Crash)]
    for m in members:
        if isinstance(m, A.Var) and m.name == UP:
            diags.append(Diagnostic(
                "SL202", f"'{UP}' is already defined: a process that crashes has a variable "
                         f"'{UP}'", m.span))
        if isinstance(m, A.Action) and m.name in ("crash", "recover"):
            diags.append(Diagnostic(
                "SL202", f"action '{m.name}' is already defined: a process that crashes has "
                         f"built-in actions 'crash' and 'recover'", m.span))
    if crash.kind == "recover":
        diags.extend(_recovery_reads(members))
    if diags:       # reported; the rest of the process is still resolved, without them
        return dataclasses.replace(p, members=tuple(members)), [], diags

    def name(n):
        return A.Name(n, span=sp)

    up = A.Var(UP, name("bool"), A.BoolLit(True, span=sp), False, span=sp, persistent=True)
    guarded = []
    for m in members:
        if isinstance(m, (A.Action, A.Handler)):
            guard = name(UP) if m.guard is None else A.Binary("and", name(UP), m.guard, span=sp)
            m = dataclasses.replace(m, guard=guard)
        guarded.append(m)

    extra_vars: list[A.Var] = []
    crash_guard: A.Expr = name(UP)
    crash_body: list[A.Stmt] = [A.Assign(name(UP), A.BoolLit(False, span=sp), span=sp)]
    if crash.max is not None:
        counter = counter_name(p.name)
        extra_vars.append(A.Var(counter, A.Binary("..", A.IntLit(0, span=sp), crash.max,
                                                  span=sp),
                                A.IntLit(0, span=sp), False, span=sp))
        crash_guard = A.Binary("and", crash_guard,
                               A.Binary("<", name(counter), crash.max, span=sp), span=sp)
        crash_body.append(A.Assign(name(counter), A.Binary("+", name(counter),
                                                          A.IntLit(1, span=sp), span=sp),
                                   span=sp))
    actions = [A.Action("crash", (), crash_guard, tuple(crash_body), span=sp, environment=True)]

    if crash.kind == "recover":
        params: list[A.Binder] = []
        body: list[A.Stmt] = [A.Assign(name(UP), A.BoolLit(True, span=sp), span=sp)]
        for m in members:
            if not isinstance(m, A.Var) or m.persistent:
                continue
            if m.nondet:
                fresh = f"{m.name}__initial"
                params.append(A.Binder((fresh,), m.init, span=m.span))
                value: A.Expr = name(fresh)
            else:
                value = m.init
            body.append(A.Assign(A.Name(m.name, span=m.span), value, span=m.span))
        actions.append(A.Action("recover", tuple(params),
                                A.Unary("not", name(UP), span=sp), tuple(body), span=sp,
                                environment=True))
    new = dataclasses.replace(p, members=tuple([up] + guarded + actions))
    return new, extra_vars, []



def _names(node) -> set[str]:
    """Every name an AST expression mentions (bound or not)."""
    if isinstance(node, A.Name):
        return {node.id}
    out: set[str] = set()
    if isinstance(node, (list, tuple)):
        for x in node:
            out |= _names(x)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "span":
                out |= _names(getattr(node, f.name))
    return out


def _recovery_reads(members) -> list[Diagnostic]:
    """A recovery re-initialises every non-persistent variable, its choices made
    before its assignments: an initial value that reads another re-initialised
    variable of the process is refused (SL210)."""
    out, earlier = [], []
    for m in members:
        if not isinstance(m, A.Var) or m.persistent:
            continue
        read = sorted(_names(m.init) & set(earlier))
        if read:
            out.append(Diagnostic(
                "SL210", f"initial value of '{m.name}' reads '{read[0]}', which a recovery "
                         f"re-initialises too", m.init.span,
                hint=f"make '{read[0]}' persistent, or compute '{m.name}' without it"))
        earlier.append(m.name)
    return out
