"""Procedures (a mixin of `Elaborator`): `proc name(p: T):` in a process, inlined.

A call `name(args)` becomes, in the caller's atomic step, one `let` per
parameter bound to its argument followed by the procedure's statements.  The
body sees the process's variables, `self`, its parameters, constants and
definitions, not the caller's locals; a `require` in it is the caller's (a
false one discards the whole step).  Procedures are not recursive: a call of
one being inlined is SL205 with the cycle.
"""

from __future__ import annotations

from ..diagnostics import did_you_mean, fail as err
from . import ast as A
from . import ir


class ProceduresMixin:
    def check_procedures(self):
        """Elaborate every procedure once on its own, for its errors."""
        for p in self.r.processes.values():
            for proc in self.r.procs.get(p.name, {}).values():
                self.attempt(self.elaborate_unused_proc, p, proc)

    @staticmethod
    def branching_in_procedure(st):
        word = "either" if isinstance(st, A.Either) else "choose"
        err("SL106", f"'{word}' is not allowed in a procedure: its choices are parameters of "
                     "the step", st.span,
            hint="branch in the action or handler that calls the procedure")

    def elaborate_unused_proc(self, p: A.Process, proc: A.Proc):
        """A procedure's body, as if called with its parameters (errors only)."""
        c = self.c
        self_local = c.process_self(p)
        args = []
        with c.closed(f"the parameters of procedure '{proc.name}'"):
            for prm in proc.params:
                t = self.proc_param_type(proc, prm)
                args.append(ir.LocalRef(t, prm.span, ir.Local(prm.name, t)))
        scope = {self_local.name: self_local} if self_local is not None else {}
        with c.context(scopes=[scope], process=p, self_local=self_local, state_ok=True,
                       state_why="", prime_ok=False, priming=False):
            self.inline(proc, args, False, proc.span)

    def proc_param_type(self, proc: A.Proc, prm: A.Param):
        if prm.type is None:
            err("SL303", f"parameter '{prm.name}' of procedure '{proc.name}' needs a type",
                prm.span, hint=f"write {prm.name}: T")
        with self.c.closed(f"the parameters of procedure '{proc.name}'"):
            return self.c.static_type(prm.type)

    def call(self, st: A.CallStmt, in_for: bool) -> tuple[ir.S, ...]:
        """`name(args)`: the procedure's statements, inlined (one atomic step)."""
        c = self.c
        procs = self.r.procs.get(c.process.name, {}) if c.process is not None else {}
        if st.name not in procs:
            where = f"process '{c.process.name}'" if c.process is not None else \
                "a global action (procedures are declared in a process, for its steps)"
            kind = self.r.global_kind(st.name)
            if kind is not None or st.name in self.r.records:
                err("SL304", f"'{st.name}' is a {kind or 'record'}, not a procedure: a call "
                             "on its own is a statement only for procedures", st.span)
            err("SL201", f"unknown procedure '{st.name}' in {where}", st.span,
                hint=did_you_mean(st.name, list(procs)) or
                "declare one in the process: proc name(p: T): ...")
        proc = procs[st.name]
        if st.kwargs:
            err("SL302", f"procedure '{st.name}' does not take keyword arguments", st.span)
        if len(st.args) != len(proc.params):
            err("SL302", f"procedure '{st.name}' takes {len(proc.params)} argument(s), got "
                         f"{len(st.args)}", st.span)
        if st.name in self.calling:
            cycle = " -> ".join(self.calling[self.calling.index(st.name):] + [st.name])
            err("SL205", f"recursive procedure call {cycle}: procedures are inlined, so none "
                         "can call itself, directly or through others", st.span)
        args = []
        for a, prm in zip(st.args, proc.params):
            t = self.proc_param_type(proc, prm)
            args.append(c.check(a, t, f"argument '{prm.name}' of procedure '{st.name}'"))
        return self.inline(proc, args, in_for, st.span)

    def inline(self, proc: A.Proc, args: list, in_for: bool, span) -> tuple[ir.S, ...]:
        """`let` each parameter to its argument, then the body, which sees the process's
        variables and its parameters but not the caller's locals."""
        c = self.c
        out: list[ir.S] = []
        scope = {c.self_local.name: c.self_local} if c.self_local is not None else {}
        for prm, value in zip(proc.params, args):
            local = ir.Local(prm.name, value.type)
            out.append(ir.LetS(span, local, value))
            scope[prm.name] = local
        self.calling.append(proc.name)
        try:
            with c.context(scopes=[scope]):
                out.extend(self.block(proc.body, in_for))
        finally:
            self.calling.pop()
        return tuple(out)
