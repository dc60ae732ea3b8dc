"""Declarations and statements: a resolved spec -> `ir.TypedSpec`.

`typecheck(resolved)` elaborates every declaration with an `ExprChecker`,
collecting one diagnostic per faulty declaration and carrying on with the
next, so a spec with several independent mistakes reports them all.  It
raises `SpecError` with every diagnostic if there was any.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, Span, SpecError, did_you_mean, fail as err
from . import ast as A
from .initblock import elaborate_init_block
from . import ir
from .branching import hidden_parameters
from .fairness_rules import FAIRNESS, FairnessMixin
from .procedures import ProceduresMixin
from .resolve import BUILTIN_PROPERTIES, Resolved, model_value_names
from .selection import block_symmetry, selected_properties
from .temporal_forms import stability_transition, temporal_form, unsupported_hint
from .declared import Poisoned
from .histories import OPERATIONS, TYPES, record_assign, value_rule
from .typecheck import ExprChecker
from .types import AtomT, BoolT, IntT, MapT, NodeT, OptionT, RecordT, SeqT, SetT, TupleT, assignable

NETWORK_KINDS = ("set", "bag", "fifo")
NETWORK_OPTIONS = ("lossy", "duplicating", "partitions")


class Elaborator(ProceduresMixin, FairnessMixin):
    def __init__(self, resolved: Resolved):
        self.r = resolved
        self.c = ExprChecker(resolved)
        self.diagnostics: list[Diagnostic] = list(resolved.diagnostics)
        self.network = None
        self.network_switches: list = []
        self.calling: list[str] = []     # the procedures being inlined, outermost first

    def attempt(self, fn, *args):
        """Run one declaration's elaboration; record its error and go on."""
        try:
            return fn(*args)
        except SpecError as exc:
            self.diagnostics.extend(exc.diagnostics)
        except Poisoned:        # depends on a declaration whose error is already reported
            return None
        return None

    # ---- the whole spec ------------------------------------------------------------

    def run(self) -> ir.TypedSpec:
        r, c = self.r, self.c
        if r.networks:
            self.attempt(self.elaborate_network, r.networks[0])
        consts = [x for x in (self.attempt(c.const, n) for n in r.consts) if x is not None]
        for n in r.records:
            self.attempt(c.record, n)
        variables = [x for x in (self.attempt(c.var, None, n) for n in r.vars) if x is not None]
        processes = []
        for p in r.processes.values():
            proc = self.attempt(self.elaborate_process, p)
            if proc is not None:
                processes.append(proc)
                for n in r.process_vars[p.name]:
                    v = self.attempt(c.var, p.name, n)
                    if v is not None:
                        variables.append(v)
        actions = [x for x in (self.attempt(self.elaborate_action, p, d) for p, d in r.actions)
                   if x is not None]
        self.actions = actions
        init_block = self.attempt(elaborate_init_block, self, r.init_blocks, variables)
        props = []
        for d in list(r.properties.values()) + list(r.constraints):
            prop = self.attempt(self.elaborate_property, d)
            if prop is not None:
                props.append(prop)
        allow_deadlock = False
        for a in r.allows:
            if self.attempt(self.elaborate_allow, a):
                allow_deadlock = True
        checks = [x for x in (self.attempt(self.elaborate_check, d) for d in r.checks.values())
                  if x is not None]
        self.check_procedures()         # even those no action calls
        # Definitions with fully typed parameters are checked even when unused.
        for d in r.defs.values():
            if d.params is None or all(p.type is not None for p in d.params):
                self.attempt(self.elaborate_unused_def, d)
        if not r.networks:
            for rec in r.records.values():
                if rec.is_message:
                    self.diagnostics.append(Diagnostic(
                        "SL208", f"message '{rec.name}' is declared but the spec has no network",
                        rec.span, hint="declare one: network set | bag | fifo"))
                    break
        if self.diagnostics:
            unique = list(dict.fromkeys(self.diagnostics))    # a cycle is reported once
            raise SpecError(sorted(unique, key=_position))
        return ir.TypedSpec(
            name=r.spec.name, path=r.spec.path, consts=tuple(consts),
            enums={n: tuple(m.name for m in e.members) for n, e in r.enums.items()},
            records={n: c.record(n) for n in r.records}, network=self.network,
            variables=tuple(variables), processes=tuple(processes), actions=tuple(actions),
            properties=tuple(props), allow_deadlock=allow_deadlock, checks=tuple(checks),
            histories=tuple(r.histories), network_switches=tuple(self.network_switches),
            init_block=init_block)

    # ---- declarations -----------------------------------------------------------------

    def elaborate_network(self, d: A.Network):
        if d.kind not in NETWORK_KINDS:
            err("SL207", f"unknown network kind '{d.kind}'", d.span,
                hint=did_you_mean(d.kind, NETWORK_KINDS) or "kinds are set, bag and fifo")
        opts = []
        partitions = None
        for o in d.options:
            if o.name not in NETWORK_OPTIONS:
                err("SL207", f"unknown network option '{o.name}'", o.span,
                    hint=did_you_mean(o.name, NETWORK_OPTIONS) or
                    "options are lossy, duplicating, partitions(N)")
            if d.kind == "set":
                err("SL207", f"'{o.name}' applies to bag and fifo networks (a set network "
                             "already loses and duplicates messages, and has no senders to "
                             "separate)", o.span)
            if o.name in opts:
                err("SL202", f"network option '{o.name}' is given twice", o.span)
            if o.name == "partitions" and o.arg is None:
                err("SL207", "write partitions(N): at most N partitions", o.span)
            if o.name != "partitions" and o.arg is not None:
                with self.c.closed(f"the switch of network option '{o.name}'"):
                    switch = self.c.check(o.arg, BoolT(), f"{o.name}(C)")
                self.network_switches.append((o.name, switch))
            elif o.arg is not None:
                with self.c.closed("the number of partitions"):
                    partitions = self.c.check(o.arg, IntT(), "partitions(N)")
            opts.append(o.name)
        self.network = (d.kind, tuple(opts), d.span, partitions)

    def elaborate_process(self, p: A.Process) -> ir.ProcessIR:
        c = self.c
        self_local = c.process_self(p)
        dom = None
        if p.self_name:
            with c.closed(f"the domain of process '{p.name}'"):
                dom = c.infer(p.domain)
            if not isinstance(dom.type, SetT) or not isinstance(dom.type.elem, (AtomT, IntT)):
                err("SL303", f"the instances of process '{p.name}' must be a set of model values "
                             f"or integers, got {dom.type}", p.domain.span)
        return ir.ProcessIR(p.name, self_local, dom, (), p.span)

    def elaborate_action(self, p: A.Process | None, d) -> ir.ActionIR:
        c = self.c
        self_local = c.process_self(p) if p is not None else None
        fairness = d.fairness or (p.fairness if p is not None and
                                  not getattr(d, "environment", False) else None)
        if fairness is not None and fairness not in FAIRNESS:
            err("SL106", f"fairness is 'weak' or 'strong', not '{fairness}'", d.span)
        scope: dict[str, ir.Local] = {}
        if self_local is not None:
            scope[self_local.name] = self_local
        with c.context(scopes=[scope], process=p, self_local=self_local, state_ok=True,
                       state_why="", prime_ok=False, priming=False):
            params: list[tuple[ir.Local, ir.E]] = []
            receive = None
            if isinstance(d, A.Action):
                for b in d.params:
                    dom = c.set_domain(b.domain, f"parameter '{b.names[0]}'")
                    for n in b.names:
                        local = ir.Local(n, dom.type.elem)
                        params.append((local, dom))
                        scope[n] = local
                name = d.name
            else:
                if d.message in self.r.records and not self.r.records[d.message].is_message:
                    err("SL303", f"'{d.message}' is a record, not a message", d.span,
                        hint=f"declare it with `message {d.message}(...)` to send and "
                             "receive it")
                if d.message not in self.r.records:
                    msgs = [n for n, x in self.r.records.items() if x.is_message]
                    err("SL201", f"unknown message type '{d.message}'", d.span,
                        hint=did_you_mean(d.message, msgs))
                if self.network is None:
                    err("SL208", "a message handler needs a network declaration", d.span)
                local = ir.Local(d.binder, RecordT(d.message, True))
                scope[d.binder] = local
                receive = (d.message, local)
                name = f"on {d.message}"
            stmts = hidden_parameters(c, d, scope, params)   # either, choose, alternatives
            guard = c.expect_bool(d.guard, "an action guard") if d.guard is not None else None
            body = self.block(stmts, in_for=False)
        return ir.ActionIR(name, p.name if p else None, self_local, tuple(params), receive,
                           guard, body, fairness, d.span,
                           environment=getattr(d, "environment", False))

    def elaborate_property(self, d) -> ir.PropertyIR:
        c = self.c
        if isinstance(d, A.Property):
            return self.elaborate_temporal(d)
        kind = {A.Invariant: "invariant", A.Transition: "transition",
                A.Constraint: "constraint"}[type(d)]
        with c.context(scopes=[], process=None, self_local=None, state_ok=True, state_why="",
                       prime_ok=kind == "transition", priming=False, enabled_ok=True):
            e = c.expect_bool(d.expr, f"{'an' if kind == 'invariant' else 'a'} {kind}")
        return ir.PropertyIR(d.name, kind, e, d.span)

    def elaborate_temporal(self, d: A.Property) -> ir.PropertyIR:
        """`property NAME: F` -> one of the temporal forms of ir.TEMPORAL_FORMS."""
        c = self.c
        f = d.expr
        binders: list[tuple[ir.Local, ir.E]] = []
        scope: dict[str, ir.Local] = {}
        with c.context(scopes=[scope], process=None, self_local=None, state_ok=True,
                       state_why="", prime_ok=False, priming=False, enabled_ok=True):
            while isinstance(f, A.Temporal) and f.op == "forall":
                for b in f.binders:
                    with c.closed("the domain of a temporal 'forall'"):
                        with c.context(scopes=[dict(scope)]):
                            dom = c.set_domain(b.domain, "'forall'")
                    for n in b.names:
                        local = ir.Local(n, dom.type.elem)
                        binders.append((local, dom))
                        scope[n] = local
                f = f.args[0]
            stable = stability_transition(d)    # its domains are closed, as checked above
            if stable is not None:
                return self.elaborate_property(stable)
            form, p, q = temporal_form(f)
            if form is None:
                if not isinstance(f, A.Temporal):
                    err("SL106", "a property needs a temporal operator", f.span,
                        hint="for a state predicate that always holds, declare an invariant; "
                             "otherwise write eventually P, always eventually P, "
                             "eventually always P or P leads_to Q")
                if f.op == "always" and not isinstance(f.args[0], A.Temporal) and not binders:
                    err("SL106", f"an 'always' property is an invariant: write 'invariant "
                        f"{d.name}: ...'", f.span, hint="an invariant is a state predicate "
                        "that holds in every reachable state")
                message, hint = unsupported_hint(f)
                err("SL106", message, f.span, hint=hint)
            pe = c.expect_bool(p, "a temporal property's state predicate")
            qe = c.expect_bool(q, "a temporal property's state predicate") if q is not None \
                else None
        temporal = ir.TemporalIR(form, pe, qe, tuple(binders))
        return ir.PropertyIR(d.name, "temporal", pe, d.span, temporal)

    def elaborate_allow(self, a: A.Allow) -> bool:
        if a.what != "deadlock":
            err("SL106", f"unknown allowance 'allow {a.what}'", a.span,
                hint="the only allowance is 'allow deadlock'")
        return True

    def elaborate_unused_def(self, d: A.Def):
        c = self.c
        with c.closed(f"the parameters of '{d.name}'"):
            args = []
            for p in d.params or ():
                t = c.static_type(p.type)
                args.append(ir.LocalRef(t, p.span, ir.Local(p.name, t)))
        with c.context(state_ok=True, state_why="", scopes=[], process=None, self_local=None,
                       enabled_ok=True):
            c.expand_def(d, tuple(args), d.span)

    def elaborate_check(self, d: A.Check) -> ir.CheckIR:
        bindings = []
        seen = set()
        for name, value in d.bindings:
            if name in seen:
                err("SL202", f"constant '{name}' is bound twice in check '{d.name}'", value.span)
            seen.add(name)
            if name not in self.r.consts:
                err("SL201", f"check '{d.name}' binds '{name}', which is not a constant", value.span,
                    hint=did_you_mean(name, self.r.consts))
            bindings.append((name, check_binding(self.c, name, value, "SL303"), value.span))
        selected = selected_properties(self.r, d)
        expects = []
        for x in d.expects:
            if x.prop not in self.r.properties and x.prop not in BUILTIN_PROPERTIES:
                err("SL206", f"check '{d.name}' expects '{x.prop}', which is not a property of "
                             f"the spec", x.prop_span,
                    hint=did_you_mean(x.prop, list(self.r.properties) + list(BUILTIN_PROPERTIES)))
            if x.outcome not in ("holds", "violated"):
                err("SL102", f"unexpected '{x.outcome}'; expected 'holds' or 'violated'", x.span)
            if selected is not None and x.prop in self.r.properties and x.prop not in selected:
                sel = d.selections[0]
                err("SL209", f"check '{d.name}' expects '{x.prop}' {x.outcome}, but its "
                             f"'{sel.kind}' line leaves '{x.prop}' unchecked", x.prop_span,
                    notes=(f"the '{sel.kind}' line is at {sel.span}",))
            expects.append((x.prop, x.outcome, x.prop_span))
        allow = False
        for a in d.allows:
            allow = self.elaborate_allow(a) or allow
        fairness = []
        for item in d.fairness:
            fairness.extend(self.elaborate_fairness(item, self.actions))
        return ir.CheckIR(d.name, tuple(bindings), tuple(expects), allow, d.span,
                          tuple(fairness), selected, block_symmetry(self.r, self.c, d))

    # ---- statements ---------------------------------------------------------------------

    def block(self, body: tuple[A.Stmt, ...], in_for: bool) -> tuple[ir.S, ...]:
        out: list[ir.S] = []
        with self.c.scope() as scope:
            for st in body:
                s = self.stmt(st, in_for, scope)
                if isinstance(s, tuple):        # an inlined procedure call
                    out.extend(s)
                elif s is not None:
                    out.append(s)
        return tuple(out)

    def stmt(self, st: A.Stmt, in_for: bool, scope: dict) -> ir.S | None:
        c = self.c
        if isinstance(st, A.Require):
            if in_for:
                err("SL106", "'require' is not allowed inside a for loop", st.span,
                    hint="state the condition before the loop: require forall x in S: ...")
            return ir.RequireS(st.span, c.expect_bool(st.cond, "'require'"))
        if isinstance(st, A.Assert):
            return ir.AssertS(st.span, c.expect_bool(st.cond, "'assert'"), st.message)
        if isinstance(st, A.Assign):
            var, key, path, t = self.target(st.target)
            value = c.check(st.value, t, f"assignment to '{var.name}'")
            return ir.AssignS(st.span, var, key, tuple(path), value)
        if isinstance(st, A.Send):
            if self.network is None:
                err("SL208", "'send' needs a network declaration", st.span)
            callee = st.message.func if isinstance(st.message, A.Call) else st.message
            if isinstance(callee, A.Name) and self.r.global_kind(callee.id) is None and \
                    not any(callee.id in s_ for s_ in c.scopes):
                msgs = [n for n, x in self.r.records.items() if x.is_message]
                err("SL201", f"unknown message type '{callee.id}'", callee.span,
                    hint=did_you_mean(callee.id, msgs))
            msg = c.infer(st.message)
            if not (isinstance(msg.type, RecordT) and msg.type.is_message):
                err("SL303", f"'send' needs a message, got {msg.type}", st.message.span)
            to = None
            if st.to is not None:
                if self.network[0] != "fifo":
                    err("SL106", "'send ... to' addresses a fifo channel; this network is "
                                 f"'{self.network[0]}'", st.to.span,
                        hint="put the destination in a message field instead")
                to = c.infer(st.to)
                if not isinstance(to.type, NodeT):
                    err("SL303", f"'to' needs a process instance such as Proc[id], got {to.type}",
                        st.to.span)
            elif self.network[0] == "fifo":
                err("SL106", "a fifo network needs a destination: send M(...) to Proc[id]",
                    st.span)
            if c.process is None and self.network[0] == "fifo":
                err("SL106", "only a process can send on a fifo network", st.span)
            return ir.SendS(st.span, msg, to)
        if isinstance(st, A.LetStmt):
            value = c.infer(st.value)
            local = ir.Local(st.name, value.type)
            scope[st.name] = local
            return ir.LetS(st.span, local, value)
        if isinstance(st, A.RecordOp):
            return self.record(st, in_for, scope)
        if isinstance(st, A.Pass):
            return None
        if isinstance(st, A.CallStmt):
            return self.call(st, in_for)
        if isinstance(st, (A.Either, A.ChooseStmt)):        # desugared in an action's body
            self.branching_in_procedure(st)
        if isinstance(st, A.If):
            orelse = self.block(st.orelse, in_for)
            for cond, body in reversed(st.branches):
                cnd = c.expect_bool(cond, "an 'if' condition")
                then = self.block(body, in_for)
                orelse = (ir.IfS(st.span, cnd, then, orelse),)
            return orelse[0]
        if isinstance(st, A.For):
            dom = c.infer(st.domain)
            if not isinstance(dom.type, SeqT):     # a sequence is walked in order
                dom = c.set_domain(st.domain, "'for'")
            local = ir.Local(st.name, dom.type.elem)
            with c.scope({st.name: local}):
                body = self.block(st.body, True)
            return ir.ForS(st.span, local, dom, body)
        err("SL106", f"{type(st).__name__} is not a statement", st.span)

    def record(self, st: A.RecordOp, in_for: bool, scope: dict) -> ir.S:
        """`record invoke H.write(v)`: append an event to history H."""
        c = self.c
        if st.history not in self.r.histories:
            err("SL201", f"unknown history '{st.history}'", st.span,
                hint=did_you_mean(st.history, self.r.histories) or
                "declare one: history H(process: P, value: V) max N")
        if st.kind not in TYPES:
            err("SL106", f"an event is {', '.join(TYPES)}, not '{st.kind}'", st.span)
        if st.op not in OPERATIONS:
            err("SL106", f"a register operation is read or write, not '{st.op}'", st.span)
        if value_rule(st.kind, st.op) != (st.value is not None):
            want = "takes a value" if value_rule(st.kind, st.op) else "takes no value"
            err("SL302", f"'record {st.kind} {st.history}.{st.op}(...)' {want}", st.span,
                hint="a write's invoke carries the written value, a read's ok the value read")
        if c.process is None or c.self_local is None:
            err("SL106", "'record' appends an event for the acting process instance; use it "
                         "in a process with instances", st.span)
        return self.stmt(record_assign(st, c.self_local.name), in_for, scope)

    def target(self, t: A.Expr):
        """An assignment target -> (variable, instance key, path, type at the path)."""
        c = self.c
        if isinstance(t, A.Name):
            n = t.id
            if any(n in s for s in c.scopes):
                err("SL204", f"cannot assign to '{n}': it is a local name (a parameter, a bound "
                             "variable or a let)", t.span)
            if c.process is not None and n in self.r.process_vars.get(c.process.name, {}):
                var = c.var(c.process.name, n)
                key = ir.LocalRef(c.self_local.type, t.span, c.self_local) \
                    if c.self_local is not None else None
                return var, key, [], var.type
            if n in self.r.vars:
                var = c.var(None, n)
                return var, None, [], var.type
            kind = self.r.global_kind(n)
            if kind == "const":
                err("SL204", f"cannot assign to constant '{n}'", t.span,
                    hint="constants are fixed per instance; declare a variable with 'var'")
            if kind is not None:
                err("SL204", f"cannot assign to {kind} '{n}'", t.span)
            c.infer(t)  # reports the unknown name with its hint
        if isinstance(t, A.Attr):
            b = t.base
            node = None
            if isinstance(b, A.Subscript) and isinstance(b.base, A.Name) and \
                    b.base.id in self.r.processes:
                node = c.infer(b)
            elif isinstance(b, A.Name) and b.id in self.r.processes and \
                    not self.r.processes[b.id].self_name:
                node = ir.NodeE(NodeT(b.id), b.span, b.id, None)
            if node is not None:
                pvars = self.r.process_vars[node.process]
                if t.name not in pvars:
                    err("SL203", f"process '{node.process}' has no variable '{t.name}'", t.span,
                        hint=did_you_mean(t.name, pvars))
                var = c.var(node.process, t.name)
                return var, node.key, [], var.type
            var, key, path, ty = self.target(b)
            if isinstance(ty, OptionT) and isinstance(ty.elem, RecordT):
                ty = ty.elem              # unwrapped with a run-time check
            if not isinstance(ty, RecordT):
                err("SL203", f"{ty} has no field '{t.name}'", t.span)
            rec = c.record(ty.name)
            i = rec.field_index(t.name)
            if i is None:
                err("SL203", f"'{ty.name}' has no field '{t.name}'", t.span,
                    hint=did_you_mean(t.name, [f for f, _ in rec.fields]))
            return var, key, path + [("field", i)], rec.fields[i][1].type
        if isinstance(t, A.Subscript):
            var, key, path, ty = self.target(t.base)
            if len(t.indices) != 1 or isinstance(t.indices[0], A.Slice):
                err("SL305", "assign to one element: x[k] := value", t.span)
            if isinstance(ty, MapT):
                k = c.check(t.indices[0], ty.key, "a map key")
                return var, key, path + [("index", k)], ty.value
            if isinstance(ty, SeqT):
                k = c.check(t.indices[0], IntT(), "a sequence index")
                return var, key, path + [("index", k)], ty.elem
            if isinstance(ty, TupleT):
                err("SL305", "tuples are immutable; assign the whole tuple", t.span)
            err("SL305", f"{ty} cannot be indexed", t.span)
        err("SL204", "only state variables (and their elements) can be assigned", t.span)


def check_binding(c: ExprChecker, name: str, value: A.Expr, code: str) -> ir.E:
    """Type-check a constant's replacement value (a check block binding or -D)."""
    sym = c.const(name)
    if sym.model_values is not None:
        members = model_value_names(value, lambda n: False)
        if members is None:
            err(code, f"constant '{name}' is a set of model values; give names: "
                      f"{name} = {{a, b, c}}", value.span)
        dup = {m.name for m in members if sum(x.name == m.name for x in members) > 1}
        if dup:
            err(code, f"model value '{sorted(dup)[0]}' is listed twice", value.span)
        for m in members:
            other = c.r.members.get(m.name)
            if other is not None and other[0] != name:
                err(code, f"'{m.name}' is already a value of '{other[0]}'", m.span)
            if c.r.global_kind(m.name) not in (None, "member"):
                err(code, f"'{m.name}' is already defined as a {c.r.global_kind(m.name)}",
                    m.span)
        t = sym.type
        return ir.SetLitE(t, value.span, tuple(ir.AtomC(t.elem, m.span, name, m.name)
                                               for m in members))
    fresh = model_value_names(value, lambda n: c.r.global_kind(n) is not None)
    if fresh is not None:
        err(code, f"constant '{name}' has type {sym.type}, but "
                  f"{{{', '.join(m.name for m in fresh)}}} is a set of model values", value.span)
    with c.closed(f"the value of constant '{name}'"):
        got = c.infer(value)
        if not assignable(got.type, sym.type):
            err(code, f"constant '{name}' has type {sym.type}; this value has type {got.type}",
                value.span)
        return c.coerce(got, sym.type, f"constant '{name}'", value.span)


def _position(d: Diagnostic):
    s = d.span or Span("", 0, 0)
    return (s.path, s.line, s.col)


def typecheck(resolved: Resolved) -> ir.TypedSpec:
    return Elaborator(resolved).run()
