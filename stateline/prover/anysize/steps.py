"""States, initial states and steps of the any-size encoding.

`declare(model, tag)` gives a state of uninterpreted functions: a variable of a
process over a sort is a function of the instance; a set becomes a predicate and
a map a function of its key; the network is one relation (set) or one count
function (bag) per message type.  Their integer leaves get range facts,
universally quantified over the arguments.

`initial(model)` is the initial state as values (each variable's initial
expression, per instance).  `instances(model, frame)` turns every action schema
into its steps: the acting instance of a process over a sort, and each choice
over a sort, is a fresh constant (existentially quantified by the satisfiability
query it ends up in); choices over small finite domains are unrolled.  Each step
has its reach condition (guards and `require`s), its run-time errors and its
successor frame, all lazy values over the pre-state's symbols.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from ...lang import ir
from ...models.initial import reads_state
from ..symbolic import Unencodable
from ..terms import FALSE, TRUE, And, If, Not, Or, is_false
from .doms import FBool, FFin, FInt, FMap, FOpt, FQuorum, FRec, FSeq, FSet, FSort
from .exprs import AnyEval, _updated
from .model import AnyModel, Frame
from .values import MapV, Opt, Rec, SeqV, SetV, Sc

# ---- declared states --------------------------------------------------------------------


class Declarer:
    def __init__(self, model: AnyModel, tag: str):
        self.m, self.v, self.tag = model, model.values, tag
        self.facts: list = []
        self.symbols: list = []      # (name, z3 function, argument doms, result dom)
        # (value function, argument doms, dom): declared parts holding an integer bounded by
        # a size-dependent constant, directly or as a field of a set's elements
        self.sized: list = []

    def declare(self, name: str, dom, args: list):
        """A function from `args` (domains) to `dom`, as a value-producing callable."""
        full = f"{name}{self.tag}"
        if isinstance(dom, (FBool, FInt, FFin, FSort, FQuorum)):
            argsorts = [s for a in args for s in self.m.sorts.leaf_sorts(a)]
            [sort] = self.m.sorts.leaf_sorts(dom)
            f = z3.Function(full, *argsorts, sort) if argsorts else z3.Const(full, sort)
            self.symbols.append((full, f, list(args), dom))

            def value(xs, f=f, argsorts=argsorts):
                leaves = [t for x in xs for t in self.v.leaves(x)]
                return Sc(f(*leaves) if argsorts else f, dom)
            self._range_fact(value, dom, args)
            if isinstance(dom, FInt) and dom.hi_of:
                self.sized.append(("value", value, list(args), dom))
            return value
        if isinstance(dom, FRec):
            parts = [self.declare(f"{name}.{fname or i}", d, args)
                     for i, (fname, d) in enumerate(dom.fields)]
            return lambda xs: Rec(tuple(p(xs) for p in parts), dom)
        if isinstance(dom, FOpt):
            some = self.declare(f"{name}.some", FBool(), args)
            val = self.declare(f"{name}.value", dom.elem, args)
            return lambda xs: Opt(some(xs).term, val(xs), dom)
        if isinstance(dom, FSeq):      # a length and one value per position
            length = self.declare(f"{name}.len", FInt(0, dom.maxlen), args)
            parts = [self.declare(f"{name}[{j}]", dom.elem, args) for j in range(dom.maxlen)]
            return lambda xs: SeqV(length(xs).term, tuple(p(xs) for p in parts), dom)
        if isinstance(dom, FSet):
            member = self.declare(f"{name}.has", FBool(), args + [dom.elem])
            enum = self.v.universe(dom.elem).items
            if has_sized(dom.elem):
                self.sized.append(("member", member, list(args) + [dom.elem], dom.elem))

            def value(xs):
                def has(x):
                    return member(list(xs) + [x]).term
                items = tuple((has(x), x) for _, x in enum) if enum is not None else None
                return SetV(dom, has, items)
            return value
        if isinstance(dom, FMap):
            inner = self.declare(name, dom.value, args + [dom.key])
            return lambda xs: MapV(dom, lambda k: inner(list(xs) + [k]))
        raise Unencodable(f"a variable of type {dom.describe()} in an any-size proof")

    def _range_fact(self, value, dom, args):
        if not isinstance(dom, (FInt, FFin)):
            return
        if isinstance(dom, FInt) and dom.lo is None and dom.hi is None:
            return

        def fact(i, xs):
            if i == len(args):
                return self.v.range_facts(value(xs))
            parts = []
            for guard, x, consts in self.v.cases(args[i]):
                body = z3.Implies(guard, fact(i + 1, xs + [x]))
                parts.append(z3.ForAll(consts, body) if consts else body)
            return And(*parts)
        self.facts.append(fact(0, []))


def has_sized(dom) -> bool:
    if isinstance(dom, FInt):
        return dom.hi_of is not None
    if isinstance(dom, FRec):
        return any(has_sized(d) for _, d in dom.fields)
    if isinstance(dom, (FOpt, FSeq)):
        return has_sized(dom.elem)
    return False


def declare(model: AnyModel, tag: str) -> tuple[Frame, list, list]:
    """(frame, facts, symbols) of a state whose every part is a fresh symbol; the
    Declarer's `sized` list is kept on the model for the CTI search."""
    d = Declarer(model, tag)
    variables = {}
    for var in model.typed.variables:
        dom = model.dom_of_texpr(var.decl_type)
        if var.process is None:
            variables[var] = d.declare(var.name, dom, [])([])
            continue
        p = model.processes[var.process]
        inst = model.instance_dom(p)
        if inst is None:
            variables[var] = d.declare(f"{p.name}.{var.name}", dom, [])([])
        else:
            fn = d.declare(f"{p.name}.{var.name}", dom, [inst])
            variables[var] = MapV(FMap(inst, dom), lambda k, fn=fn: fn([k]))
    net, counts = {}, {}
    if model.typed.network is not None:
        for name, rec in model.typed.records.items():
            if not rec.is_message:
                continue
            rdom = model.record(name)
            if model.bag:
                count = d.declare(f"#{name}", FInt(), [rdom])
                d.facts.append(_nonneg(model, count, rdom))
                if has_sized(rdom):
                    d.sized.append(("count", count, [rdom], rdom))
                counts[name] = lambda x, count=count: count([x]).term
                net[name] = SetV(FSet(rdom), lambda x, c=counts[name]: c(x) > 0)
            else:
                has = d.declare(f"sent<{name}>", FBool(), [rdom])
                net[name] = SetV(FSet(rdom), lambda x, has=has: has([x]).term)
                if has_sized(rdom):
                    d.sized.append(("member", has, [rdom], rdom))
    model.sized = d.sized
    return Frame(variables, net, counts), d.facts, d.symbols


def _nonneg(model, count, rdom):
    parts = []
    for guard, x, consts in model.values.cases(rdom):
        body = z3.Implies(guard, count([x]).term >= 0)
        parts.append(z3.ForAll(consts, body) if consts else body)
    return And(*parts)


def initial(model: AnyModel) -> tuple[Frame, list]:
    """The initial state as values, and the run-time errors of computing it."""
    ev = AnyEval(model, None)
    variables = {}
    if model.typed.init_block is not None:
        raise Unencodable("the init: block (joint initial conditions) in an any-size proof",
                          model.typed.init_block.span)
    for var in model.typed.variables:
        dom = model.dom_of_texpr(var.decl_type)
        if reads_state(var.init):
            raise Unencodable(f"the initial value of '{var.name}', which reads another "
                              "variable, in an any-size proof", var.init.span)
        if var.nondet:
            raise Unencodable("a variable with a nondeterministic initial value (`var x in S`) "
                              "in an any-size proof", var.span)
        if var.process is None:
            variables[var] = model.conform(ev.expr(var.init, {}), dom, ev, var.init.span)
            continue
        p = model.processes[var.process]
        inst = model.instance_dom(p)
        if inst is None:
            variables[var] = model.conform(ev.expr(var.init, {}), dom, ev, var.init.span)
        else:
            def get(k, var=var, dom=dom, p=p):
                env = {p.self_local: k} if p.self_local is not None else {}
                return model.conform(ev.expr(var.init, env), dom, ev, var.init.span)
            variables[var] = MapV(FMap(inst, dom), get)
    net, counts = {}, {}
    if model.typed.network is not None:
        for name, rec in model.typed.records.items():
            if rec.is_message:
                rdom = model.record(name)
                net[name] = SetV(FSet(rdom), lambda x: FALSE, ())
                if model.bag:
                    counts[name] = lambda x: z3.IntVal(0)
    return Frame(variables, net, counts), ev.errors


# ---- steps ---------------------------------------------------------------------------------


@dataclass
class Step:
    action: str               # e.g. "RM.prepare"
    index: int                # the action schema's index in the spec
    reach: object
    errors: list
    post: Frame
    choices: list = field(default_factory=list)   # (name, value) of the acting instance,
                                                  # parameters and received message
    consts: list = field(default_factory=list)    # its fresh constants (the choices)
    sized: list = field(default_factory=list)     # AnyEval.sized of its body


class Body(AnyEval):
    """Runs an action body over a copy of the pre-state frame."""

    def __init__(self, model, pre: Frame):
        super().__init__(model, pre.copy())
        self.pre = pre

    def run(self, stmts, env):
        for st in stmts:
            if is_false(self.reach):
                return
            method = getattr(self, "_s_" + type(st).__name__, None)
            if method is None:
                raise Unencodable(f"this kind of statement ({type(st).__name__}) in an any-size "
                                  f"proof", st.span)
            method(st, env)

    def _s_RequireS(self, st, env):
        self.reach = And(self.reach, self.boolean(st.cond, env))

    def _s_AssertS(self, st, env):
        self.error(Not(self.boolean(st.cond, env)), st.span, f"assertion failed: {st.message}")

    def _s_LetS(self, st, env):
        env[st.local] = self.expr(st.value, env)

    def _s_AssignS(self, st, env):
        var = st.var
        dom = self.m.dom_of_texpr(var.decl_type)
        cur = self.frame.var(var)
        if var.process is not None and isinstance(cur, MapV) and \
                self.m.instance_dom(self.m.processes[var.process]) is not None:
            key = self.expr(st.key, env)
            inner = self._updated(cur.get(key), dom, list(st.path), st, env)
            self.frame.variables[var] = _updated(self.v, cur, key, inner)
            return
        self.frame.variables[var] = self._updated(cur, dom, list(st.path), st, env)

    def _updated(self, cur, dom, path, st, env):
        if not path:
            return self.m.conform(self.expr(st.value, env), dom, self, st.value.span)
        kind, x = path[0]
        if isinstance(dom, FOpt):
            inner = self.unwrap(cur, st.span)
            return Opt(TRUE, self._updated(inner, dom.elem, path, st, env), dom)
        if kind == "field":
            items = list(cur.items)
            items[x] = self._updated(items[x], dom.fields[x][1], path[1:], st, env)
            return Rec(tuple(items), cur.dom)
        if isinstance(dom, FMap):
            key = self.expr(x, env)
            new = self._updated(cur.get(key), dom.value, path[1:], st, env)
            return _updated(self.v, cur, key, new)
        raise Unencodable("this assignment in an any-size proof", st.span)

    def _s_SendS(self, st, env):
        if st.to is not None:
            raise Unencodable("a send to a node (fifo) in an any-size proof", st.span)
        msg = self.expr(st.message, env)
        name = msg.dom.name
        old = self.frame.net[name]
        if self.m.bag:
            count = self.frame.counts[name]
            new_count = (lambda x, c=count: If(self.v.eq(x, msg), c(x) + 1, c(x)))
            self.frame.counts[name] = new_count
            self.frame.net[name] = SetV(old.dom, lambda x, c=new_count: c(x) > 0)
        else:
            items = old.items + ((TRUE, msg),) if old.items is not None else None
            self.frame.net[name] = SetV(old.dom, lambda x: Or(old.member(x),
                                                              self.v.eq(x, msg)), items)

    def _s_IfS(self, st, env):
        c = self.boolean(st.cond, env)
        start, reach = self.frame, self.reach
        self.frame, self.reach = start.copy(), And(reach, c)
        self.run(st.then, dict(env))
        then_frame, then_reach = self.frame, self.reach
        self.frame, self.reach = start.copy(), And(reach, Not(c))
        self.run(st.orelse, dict(env))
        self.frame = _merge(self.v, c, then_frame, self.frame)
        self.reach = Or(then_reach, self.reach)

    def _s_ForS(self, st, env):
        d = self.as_set(self.expr(st.domain, env), st.span)
        if d.items is None:
            raise Unencodable("a loop over the elements of a sort in an any-size proof",
                              st.span)
        for g, x in d.items:
            start, reach = self.frame, self.reach
            self.frame, self.reach = start.copy(), And(reach, g)
            self.run(st.body, {**env, st.local: x})
            self.frame = _merge(self.v, g, self.frame, start)
            self.reach = reach


def _merge(values, c, a: Frame, b: Frame) -> Frame:
    variables = {k: values.ite(c, a.variables[k], b.variables[k]) for k in a.variables}
    net = {}
    for k in a.net:
        x, y = a.net[k], b.net[k]
        net[k] = x if x is y else values.ite(c, x, y)
    counts = {}
    for k in a.counts:
        x, y = a.counts[k], b.counts[k]
        counts[k] = x if x is y else (lambda m, x=x, y=y: If(c, x(m), y(m)))
    return Frame(variables, net, counts)


def instances(model: AnyModel, pre: Frame) -> list[Step]:
    out: list[Step] = []
    for k, action in enumerate(model.typed.actions):
        proc = model.processes.get(action.process) if action.process else None
        title = f"{action.process}.{action.name}" if action.process else action.name
        selves = [(TRUE, None, [], [])]
        if proc is not None and proc.self_local is not None:
            inst = model.instance_dom(proc)
            if isinstance(inst, (FSort,)):
                c = z3.Const(f"self<{proc.name}.{action.name}>", model.sorts.z3[inst.name])
                selves = [(TRUE, Sc(c, inst), [("self", Sc(c, inst))], [c])]
            else:
                selves = [(g, x, [("self", x)], []) for g, x in
                          model.values.universe(inst).items]
        for guard, self_value, chosen, consts in selves:
            env = {proc.self_local: self_value} if self_value is not None else {}
            _choose(model, pre, action, k, title, 0, env, guard, list(chosen), list(consts),
                    out)
    if model.lossy:
        out.extend(_drops(model, pre))
    return out


def _drops(model: AnyModel, pre: Frame) -> list[Step]:
    """`network.drop` of a lossy bag: one copy of any message in flight disappears (per
    message type, the message a free choice)."""
    out = []
    index = len(model.typed.actions)
    for name, rec in model.typed.records.items():
        if not rec.is_message:
            continue
        rdom = model.record(name)
        for g, m, cs in _skolem(model, rdom, f"network.drop.{name}"):
            post = pre.copy()
            count = pre.counts[name]
            post.counts[name] = (lambda x, c=count, m=m:
                                 If(model.values.eq(x, m), c(x) - 1, c(x)))
            post.net[name] = SetV(FSet(rdom), lambda x, c=post.counts[name]: c(x) > 0)
            out.append(Step("network.drop", index, And(g, pre.sent(name).member(m)), [],
                            post, [("m", m)], cs))
    return out


def _choose(model, pre, action, k, title, i, env, guard, chosen, consts, out):
    """Bind the parameters (then the received message) one at a time."""
    ev = AnyEval(model, pre)
    if i < len(action.params):
        local, dom_e = action.params[i]
        d = ev.as_set(ev.expr(dom_e, env), dom_e.span)
        if d.items is not None and len(d.items) <= 16:
            for g, x in d.items:
                _choose(model, pre, action, k, title, i + 1, {**env, local: ev.bound(x)},
                        And(guard, g), chosen + [(local.name, x)], consts, out)
            return
        for g, x, cs in _skolem(model, d.dom.elem, f"{title}.{local.name}"):
            _choose(model, pre, action, k, title, i + 1, {**env, local: ev.bound(x)},
                    And(guard, g, d.member(x)), chosen + [(local.name, x)], consts + cs, out)
        return
    body = Body(model, pre)
    body.reach = guard
    if action.receive is not None:
        msg_type, local = action.receive
        rdom = model.record(msg_type)
        for g, m, cs in _skolem(model, rdom, f"{title}.{local.name}"):
            b = Body(model, pre)
            b.reach = And(guard, g, pre.sent(msg_type).member(m))
            if model.bag:
                count = b.frame.counts[msg_type]
                # duplicating: the receive may also leave its copy (a free Bool `kept`)
                taken = z3.IntVal(1)
                if model.duplicating:
                    kept = z3.Bool(f"{title}.kept#{len(out)}")
                    cs = cs + [kept]
                    taken = If(kept, z3.IntVal(0), z3.IntVal(1))
                b.frame.counts[msg_type] = (lambda x, c=count, m=m, t=taken:
                                            If(model.values.eq(x, m), c(x) - t, c(x)))
                b.frame.net[msg_type] = SetV(FSet(rdom), lambda x, c=b.frame.counts[msg_type]:
                                             c(x) > 0)
            _finish(b, action, k, title, {**env, local: m}, chosen + [(local.name, m)],
                    consts + cs, out)
        return
    _finish(body, action, k, title, env, chosen, consts, out)


def _skolem(model, dom, name):
    """[(guard, value, consts)]: the choices of `dom`, small finite parts unrolled and the
    rest fresh constants (free in the query, so existentially quantified)."""
    out = []
    for n, (guard, x, consts) in enumerate(model.values.cases(dom)):
        fresh = []
        if consts:
            fresh = [z3.Const(f"{name}#{n}!{i}", c.sort()) for i, c in enumerate(consts)]
            x = _rename(model.values, x, consts, fresh)
            guard = z3.substitute(guard, *zip(consts, fresh))
        out.append((guard, x, fresh))
    return out


def _rename(values, x, old, new):
    leaves = [z3.substitute(t, *zip(old, new)) for t in values.leaves(x)]
    return values.from_leaves(x.dom, leaves)


def _finish(body: Body, action, k, title, env, chosen, consts, out):
    if action.guard is not None:
        body.reach = And(body.reach, body.boolean(action.guard, env))
    body.run(action.body, dict(env))
    if is_false(body.reach):
        return
    out.append(Step(title, k, body.reach, body.errors, body.frame, chosen, consts,
                    body.sized))
